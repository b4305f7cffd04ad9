using EventSwarm.Application;
using EventSwarm.Application.History;
using EventSwarm.Application.Log;

namespace EventSwarm.Node.Api.History;

// The route (every read of the swarm's objects also takes ?at=, see ClusterView):
//   GET /eventswarm/v1/diff?from=T1[&to=T2]   → 200 DiffJson   (to: now when not given)

/// <summary>An instant of a diff: the log index it resolved to and the time of that event.</summary>
public sealed record DiffPointJson(long Index, DateTimeOffset? At);

/// <summary>One field that changed: "replicas", "1", "3".</summary>
public sealed record DiffFieldJson(string Field, string? Old, string? New);

/// <summary>One object added, removed or changed; Line is what `eventswarm diff` prints for it.</summary>
public sealed record DiffChangeJson(string Kind, string Id, string Name, string Action, IReadOnlyList<DiffFieldJson> Fields, string Line);

public sealed record DiffJson(DiffPointJson From, DiffPointJson To, IReadOnlyList<DiffChangeJson> Changes);

/// <summary>What changed between two instants of the history, and the refusal of a past instant on a write.</summary>
public static class TimeTravelEndpoints
{
    public static void Map(WebApplication app) =>
        app.MapGet("/eventswarm/v1/diff", (HttpContext context, ClusterProjection projection, IClock clock) =>
        {
            var query = context.Request.Query;
            var now = clock.Now;
            var from = query["from"].ToString();
            if (from.Length == 0) throw new BadRequestException("from: the instant to compare from is required (a log index, a time, or a duration before now such as -10m)");
            var history = ClusterView.HistoryOf(context.RequestServices);
            var fromIndex = PointInHistory.Parse(from, now, "from").Resolve(history, now, "from");
            var to = query["to"].ToString();
            var current = projection.Current;
            var toIndex = to.Length == 0 ? current.LastSequence : PointInHistory.Parse(to, now, "to").Resolve(history, now, "to");
            if (toIndex < fromIndex) throw new BadRequestException($"to: index {toIndex} is before from (index {fromIndex}): the diff runs forward in time");
            var before = history.StateAt(fromIndex);
            var after = to.Length == 0 ? current : history.StateAt(toIndex);
            var changes = StateDiff.Between(before, after).Select(c => new DiffChangeJson(
                c.Kind.ToString().ToLowerInvariant(), c.Id, c.Name, c.Action.ToString().ToLowerInvariant(),
                [.. c.Fields.Select(f => new DiffFieldJson(f.Field, f.Old, f.New))], c.Line)).ToList();
            return Results.Json(new DiffJson(Point(history, fromIndex), Point(history, toIndex), changes), DockerJson.Options);
        });

    /// <summary>
    /// A past instant is for reads only: a change is made to the swarm as it is now, so a write naming one is refused
    /// before it reaches a route (nothing is appended) rather than quietly applied to the present.
    /// </summary>
    public static IApplicationBuilder UseReadsOnlyInThePast(this IApplicationBuilder app) => app.Use((context, next) =>
        context.Request.Query.ContainsKey(ClusterView.Parameter) && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            ? throw new BadRequestException($"{ClusterView.Parameter}: a past instant is for reads only: {context.Request.Method} {context.Request.Path} would change the swarm as it is now")
            : next(context));

    private static DiffPointJson Point(IEventHistory history, long index) =>
        new(index, index == 0 ? null : history.Read(new EventSelection(index, index)).Select(e => (DateTimeOffset?)e.Recorded.Metadata.At).FirstOrDefault());
}
