using System.Globalization;
using EventSwarm.Application;
using EventSwarm.Application.History;
using EventSwarm.Node.Cli.Configs;
using EventSwarm.Node.Cli.Networks;
using EventSwarm.Node.Cli.Nodes;
using EventSwarm.Node.Cli.Secrets;
using EventSwarm.Node.Cli.Services;
using EventSwarm.Node.Cli.Stacks;

namespace EventSwarm.Node.Cli.History;

/// <summary>
/// The global <c>--at TIME|INDEX|-10m</c>: every request the verb makes asks for the swarm as it was then (<c>?at=</c>),
/// so <c>eventswarm --at 2026-11-27T10:02:00Z service ls</c> prints the services, their replicas and tasks of that
/// instant. Only reads take it: a change is made to the swarm as it is now, and a write with <c>--at</c> is refused
/// here, before anything is sent (the manager refuses one too).
/// </summary>
public static class PastInstant
{
    public const string Flag = "--at";

    public const string Description = "Show the swarm as it was at a past instant: a log index, a time (2026-11-27T10:02:00Z) or a duration before now (-10m); reads only";

    /// <summary>The verbs that only read the swarm's state, and may therefore read it as it was.</summary>
    private static readonly HashSet<Type> Reads =
    [
        typeof(NodeLsCommand), typeof(NodeInspectCommand),
        typeof(ServiceLsCommand), typeof(ServicePsCommand), typeof(ServiceInspectCommand), typeof(ServiceHistoryCommand),
        typeof(NetworkLsCommand), typeof(NetworkInspectCommand),
        typeof(SecretLsCommand), typeof(SecretInspectCommand),
        typeof(ConfigLsCommand), typeof(ConfigInspectCommand),
        typeof(StackLsCommand), typeof(StackPsCommand), typeof(StackServicesCommand), typeof(StackHistoryCommand),
    ];

    public static bool IsRead(Verb verb) => Reads.Contains(verb.GetType());

    /// <summary>
    /// The value sent as <c>at=</c> for <paramref name="text"/>, or the refusal to print. A duration is turned into a
    /// time here, once, so that the several requests of one verb (services, then their tasks) all see one instant.
    /// </summary>
    public static string Resolve(string text, Verb verb, DateTimeOffset now)
    {
        if (verb is DiffCommand) throw new UsageException($"{Flag}: `{Help.Path(verb)}` takes its two instants as --from and --to");
        if (!IsRead(verb))
            throw new UsageException($"{Flag}: `{Help.Path(verb)}` changes the swarm as it is now; only reads take a past instant " +
                "(node ls|inspect, service ls|ps|inspect|history, network ls|inspect, secret ls|inspect, config ls|inspect, stack ls|ps|services|history; for changes between two instants, `eventswarm diff`)");
        return Instant(text, Flag, now);
    }

    /// <summary>An instant as sent to the manager: an index as it is, a time or a duration before now as a UTC time.</summary>
    public static string Instant(string text, string flag, DateTimeOffset now)
    {
        try
        {
            return PointInHistory.Parse(text, now, flag) switch
            {
                PointInHistory.AtIndex index => index.Sequence.ToString(CultureInfo.InvariantCulture),
                PointInHistory.AtTime time => time.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
                _ => text,
            };
        }
        catch (BadRequestException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary><paramref name="pathAndQuery"/> with <c>at=</c> added.</summary>
    public static string With(string pathAndQuery, string at) =>
        $"{pathAndQuery}{(pathAndQuery.Contains('?', StringComparison.Ordinal) ? '&' : '?')}at={Uri.EscapeDataString(at)}";
}

/// <summary>
/// Adds <c>at=</c> to every request the Docker SDK sends (set as the client's "auth provider", the SDK's one hook that
/// wraps its transport), and refuses to send a change: a safety net behind the verb check.
/// </summary>
public sealed class PastInstantHandler(string at) : Docker.DotNet.Handler.Abstractions.IAuthProvider
{
    public bool TlsEnabled => false;

    public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler) => new AddAt(at) { InnerHandler = handler };

    private sealed class AddAt(string at) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
                throw new UsageException($"{PastInstant.Flag}: a past instant is for reads only; {request.Method} {request.RequestUri?.AbsolutePath} was not sent");
            if (request.RequestUri is { } uri) request.RequestUri = new Uri(PastInstant.With(uri.GetLeftPart(UriPartial.Path) + uri.Query, at));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
