using EventSwarm.Application;
using EventSwarm.Application.History;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Node.Api.History;

/// <summary>
/// The state one read answers from: the projection now, or, when the request names a past instant (<c>?at=</c> a
/// log index, a time or a duration before now), the projection as it was right after the last event at or before
/// it, rebuilt by the history from its nearest checkpoint. Every read of the swarm's objects takes its state from
/// here, so that they all honour <c>at</c> the same way; writes read <see cref="ClusterProjection.Current"/>, as a
/// change is always made to the swarm as it is now. Bound per request (minimal API's BindAsync), resolved once.
/// </summary>
public sealed class ClusterView
{
    /// <summary>The query parameter naming the instant, in its errors too.</summary>
    public const string Parameter = "at";

    /// <summary>Tells the client which log index a past read answered from.</summary>
    public const string IndexHeader = "EventSwarm-At-Index";

    private readonly Func<ClusterState> _state;
    private ClusterState? _resolved;

    private ClusterView(long? index, Func<ClusterState> state)
    {
        Index = index;
        _state = state;
    }

    /// <summary>The log index the view is at; null for now.</summary>
    public long? Index { get; }

    public bool IsPast => Index is not null;

    public ClusterState State => _resolved ??= _state();

    /// <summary>The state, refused as Swarm refuses a read outside a swarm (at a past instant: a swarm not yet made).</summary>
    public ClusterState RequireSwarm() => State.Swarm is null
        ? throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable, SwarmDecider.NotInSwarm))
        : State;

    /// <summary>
    /// The view <paramref name="at"/> names (null or empty: now). A bad instant (not one, before the first event held,
    /// after the last index, in the future) is refused with <see cref="PointInHistory"/>'s words, before anything is read.
    /// </summary>
    public static ClusterView Of(string? at, Func<IEventHistory> history, ClusterState current, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(at)) return new ClusterView(null, () => current);
        var point = PointInHistory.Parse(at, now, Parameter);
        var held = history();
        var index = point.Resolve(held, now, Parameter);
        return new ClusterView(index, () => held.StateAt(index));
    }

    /// <summary>Minimal API's binding: endpoints take a <see cref="ClusterView"/> parameter and get the request's.</summary>
    public static ValueTask<ClusterView?> BindAsync(HttpContext context)
    {
        var view = Of(context.Request.Query[Parameter].ToString(), () => HistoryOf(context.RequestServices),
            context.RequestServices.GetRequiredService<ClusterProjection>().Current, context.RequestServices.GetRequiredService<IClock>().Now);
        if (view.Index is { } index) context.Response.Headers[IndexHeader] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ValueTask.FromResult<ClusterView?>(view);
    }

    /// <summary>The manager's history; a node that keeps none (a worker, a node outside a swarm) refuses with the usual errors.</summary>
    public static IEventHistory HistoryOf(IServiceProvider services) =>
        services.GetService<IEventHistory>() ?? throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable,
            "this node keeps no history of the swarm: ask a manager for a past instant"));
}
