using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Worker;
using Mediator;

namespace EventSwarm.Node.Api;

/// <summary>Marks a route that only other nodes may call, over the swarm's mutual-TLS listener.</summary>
public sealed class NodeToNodeRoute
{
    public static readonly NodeToNodeRoute Instance = new();
}

/// <summary>
/// What a manager serves to the nodes of its swarm over TCP: the state and the events that follow it, task reports
/// and heartbeats. Every call but the two join endpoints needs a node certificate signed by the swarm's CA; the
/// node is who its certificate says, so a node can only report its own tasks.
/// </summary>
public static class WorkerEndpoints
{
    private const string NodeKey = "eventswarm.node";
    private static readonly string[] OpenPaths = ["/eventswarm/v1/swarm/ca", "/eventswarm/v1/swarm/join"];

    /// <summary>The node the caller's certificate names (set by <see cref="UseNodeAuthentication"/> on the TLS listener).</summary>
    public static string? NodeOf(HttpContext context) => context.Items[NodeKey] as string;

    /// <summary>
    /// Node-to-node routes do not exist on the unix socket: there a caller has no certificate, so no node identity,
    /// and a body could name any node or any caller. They answer as dockerd answers a path it does not serve — 404
    /// {"message": "page not found"} — rather than 403, which would tell a local user that the route is there and
    /// that some other credential might open it. Checked on the matched endpoint, not on the path's spelling, so
    /// no prefix (/v1.41/…) or encoding reaches one, and only for a caller whose certificate named its node.
    /// </summary>
    public static IApplicationBuilder UseNodeToNodeRoutesOnlyFromNodes(this IApplicationBuilder app) => app.Use((context, next) =>
        context.GetEndpoint()?.Metadata.GetMetadata<NodeToNodeRoute>() is not null && NodeOf(context) is null
            ? ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, "page not found")
            : next(context));

    public static IApplicationBuilder UseNodeAuthentication(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // The unix socket is for local users (LocalUsers checks who); only TCP callers are other nodes and must prove
        // it. Node-to-node routes are refused on the socket after routing (UseNodeToNodeRoutesOnlyFromNodes).
        if (context.Connection.LocalIpAddress is null || OpenPaths.Contains(context.Request.Path.Value))
        {
            await next(context);
            return;
        }
        var secrets = context.RequestServices.GetRequiredService<ClusterSecrets>();
        var projection = context.RequestServices.GetRequiredService<ClusterProjection>();
        var identity = secrets.Identify(await context.Connection.GetClientCertificateAsync());
        var path = context.Request.Path;
        // A manager's certificate is checked against its role only, not the projection: a manager that is
        // joining asks to be added to the Raft cluster before its own NodeJoined has reached every manager.
        var allowed = identity is { } who && (path.StartsWithSegments("/eventswarm/v1/worker") && projection.Current.Nodes.ContainsKey(who.NodeId)
            || path.StartsWithSegments("/eventswarm/v1/manager") && who.IsManager
                && projection.Current.Nodes.TryGetValue(who.NodeId, out var node) && node.Role == Domain.Nodes.NodeRole.Manager
            // What every node serves to managers only (its tasks' logs): a manager's certificate, known as one here.
            || path.StartsWithSegments("/eventswarm/v1/node") && who.IsManager
                && projection.Current.Nodes.TryGetValue(who.NodeId, out var manager) && manager.Role == Domain.Nodes.NodeRole.Manager);
        if (allowed && path.StartsWithSegments("/eventswarm/v1/worker") && context.RequestServices.GetRequiredService<Membership>().IsWorker)
        {
            // Demoted: this node no longer serves workers; they move to a manager.
            context.Response.StatusCode = 503;
            await context.Response.WriteAsJsonAsync(new { message = "this node is not a manager" });
            return;
        }
        if (!allowed)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { message = "a node certificate signed by this swarm's CA is required" });
            return;
        }
        context.Items[NodeKey] = identity!.Value.NodeId;
        await next(context);
    });

    /// <summary>How long a node's feed gathers what follows once something is there for it (swarmkit's batchingWaitTime).</summary>
    public static readonly TimeSpan NodeFeedBatching = TimeSpan.FromMilliseconds(100);

    public static void Map(WebApplication app)
    {
        var nodes = app.MapGroup("").WithMetadata(NodeToNodeRoute.Instance);
        // scope=node asks for the calling node's own feed (NodeFeed: its tasks and what they need, every node's
        // status), what swarmkit's dispatcher sends a node; without it, the whole state and every event, which a real
        // worker follows (it serves DNS, the routing mesh and API reads from the whole state).
        nodes.MapGet("/eventswarm/v1/worker/state", (string? scope, HttpContext context, ClusterProjection projection, NodeFeed feed, IHostApplicationLifetime lifetime) =>
        {
            if (!IsNodeScope(scope)) return Results.Json(Application.Secrets.WorkerView.Of(projection.Current), EventJson.Options);
            feed.EnsureRunning(lifetime.ApplicationStopping);
            return Results.Json(feed.StateFor(CallingNode(context)), EventJson.Options);
        });

        nodes.MapGet("/eventswarm/v1/worker/events", async (long after, string? scope, HttpContext context, ClusterProjection projection, NodeFeed feed,
            LeaderLink leader, IHostApplicationLifetime lifetime, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var scoped = IsNodeScope(scope);
            try
            {
                if (scoped) await feed.WaitAsync(CallingNode(context), after, TimeSpan.FromSeconds(10), NodeFeedBatching, ct);
                else await projection.WaitForChangeAsync(after, TimeSpan.FromSeconds(10), ct);
            }
            catch (OperationCanceledException) when (!lifetime.ApplicationStopping.IsCancellationRequested && context.Items[NodeKey] is string node)
            {
                // The worker hung up in the middle of a wait: its agent or its host is gone, most likely. A manager
                // that is itself stopping says nothing, or it would condemn every worker it served.
                _ = ReportDisconnectAsync(leader, node, loggers.CreateLogger("EventSwarm.Node.Api.WorkerEndpoints"));
                throw;
            }
            if (scoped)
                return feed.TryEventsFor(CallingNode(context), after, out var own)
                    ? new NodeFeedAnswer(own)
                    : Results.Json(new { message = "events no longer held; read the state again" }, statusCode: 410);
            return projection.TryEventsAfter(after, out var events)
                ? Results.Json(events.Select(Application.Secrets.WorkerView.Of), EventJson.Options)
                : Results.Json(new { message = "events no longer held; read the state again" }, statusCode: 410);
        });

        nodes.MapPost("/eventswarm/v1/worker/report", async (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var report = await JsonSerializer.DeserializeAsync<ReportTaskStatus>(context.Request.Body, EventJson.Options, ct)
                ?? throw new BadRequestException("a report needs a body");
            var node = CallingNode(context);
            if (report.NodeId != node) throw new BadRequestException($"node {node} cannot report for node {report.NodeId}");
            await mediator.Send(new ReportTaskStatusCommand(report, new Caller($"node:{node}", CallerIdentity.Of(context).CorrelationId)), ct);
            return Results.Ok();
        });

        // A worker the log says was promoted gets what a joining manager gets (PromotionGrant).
        nodes.MapPost("/eventswarm/v1/worker/promotion", async (HttpContext context, PromotionGrant promotion, CancellationToken ct) =>
            Results.Json(await promotion.GrantAsync(CallingNode(context), context.Request.Body, ct), EventJson.Options));

        // The secrets and configs of one task of the calling node, in clear: the issuer refuses a task that is not
        // the caller's (Swarm's dispatcher sends a node only the secrets its own tasks use).
        nodes.MapGet("/eventswarm/v1/worker/tasks/{taskId}/files", async (string taskId, HttpContext context, TaskFileIssuer issuer, CancellationToken ct) =>
        {
            var files = await issuer.ForNodeAsync(CallingNode(context), taskId, ct);
            return Results.Json(files.Select(TaskFileWire.Of).ToList(), TaskFileWire.Options);
        });

        nodes.MapPost("/eventswarm/v1/worker/heartbeat", async (HttpContext context, Heartbeats heartbeats, RaftLogHost raft, LeaderLink leader, CancellationToken ct) =>
        {
            var node = CallingNode(context);
            // Heartbeats live in the leader's memory; a follower passes on those of the workers it serves.
            await leader.BeatAsync(node, ct);
            return Results.Ok(new { period = heartbeats.Period.TotalSeconds });
        });
    }

    private static bool IsNodeScope(string? scope) => scope switch
    {
        null or "" => false,
        "node" => true,
        _ => throw new BadRequestException($"invalid scope '{scope}': the feed is the whole state, or scope=node"),
    };

    /// <summary>
    /// The calling node, as its certificate says. A call without one (the unix socket has no node identity) is
    /// refused by name rather than failing on the missing identity with a 500.
    /// </summary>
    private static string CallingNode(HttpContext context) => NodeOf(context)
        ?? throw new ForbiddenException($"{context.Request.Path} serves the swarm's nodes over its TLS listener, with a node certificate signed by the swarm's CA; this caller has none");

    private static async Task ReportDisconnectAsync(LeaderLink leader, string node, ILogger logger)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await leader.DisconnectedAsync(node, bounded.Token);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "could not tell the leader that node {Node} disconnected", node);
        }
    }
}

/// <summary>
/// A node's events as the JSON array <c>Results.Json</c> would write, each event serialized once for all the nodes it
/// goes to: a node's status goes to every node, and serializing the same event 5,000 times was the feed's main cost
/// while nodes joined (issue 16).
/// </summary>
public sealed class NodeFeedAnswer(IReadOnlyList<Domain.RecordedEvent> events) : IResult
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Domain.RecordedEvent, byte[]> Serialized = new();

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var parts = new byte[events.Count][];
        var length = 2 + Math.Max(0, events.Count - 1);
        for (var i = 0; i < parts.Length; i++)
            length += (parts[i] = Serialized.GetValue(events[i], e => JsonSerializer.SerializeToUtf8Bytes(e, EventJson.Options))).Length;
        // One write: each write to the response stream is flushed, a TLS record of its own.
        var answer = new byte[length];
        var at = 0;
        answer[at++] = (byte)'[';
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0) answer[at++] = (byte)',';
            parts[i].CopyTo(answer, at);
            at += parts[i].Length;
        }
        answer[at] = (byte)']';
        context.Response.ContentLength = length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
    }
}
