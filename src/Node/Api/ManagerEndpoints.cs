using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Node.Agent;
using Mediator;

namespace EventSwarm.Node.Api;

/// <summary>
/// What managers ask of the leader (callers must show a manager's certificate, over the swarm's TLS listener only):
/// commands a follower received, heartbeats of the nodes it serves, and adding a manager that joined to the Raft
/// cluster. A manager that is not the leader answers 421 so that the caller looks up the leader again.
/// </summary>
[Experimental("DOTNEXT001")]
public static class ManagerEndpoints
{
    /// <summary>The commands a follower may forward, by name: every command of the Application layer.</summary>
    private static readonly FrozenDictionary<string, Type> Commands = typeof(Caller).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i == typeof(ICommand)
            || i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICommand<>)))
        .ToFrozenDictionary(t => t.Name);

    private static IResult NotLeader() => Results.Json(new { message = "this manager is not the leader" }, statusCode: (int)HttpStatusCode.MisdirectedRequest);

    /// <summary>
    /// Who a forwarded command is recorded as: the caller the forwarding manager established (the unix peer's
    /// kernel credentials on its socket, a node's certificate), vouched for by that manager's own certificate and
    /// said so in the audit trail — `unix:alice(uid=1000,pid=4711) via manager 7k2…`. The command's body is never
    /// believed about its caller. A manager acting for itself (`node:&lt;its id&gt;`) needs no one to vouch.
    /// </summary>
    public static Caller Vouched(string forwardedCaller, string correlationId, string manager) =>
        new(forwardedCaller == $"node:{manager}" ? forwardedCaller : $"{forwardedCaller} via manager {manager}", correlationId);

    public static void Map(WebApplication app)
    {
        var managers = app.MapGroup("").WithMetadata(NodeToNodeRoute.Instance);
        managers.MapPost("/eventswarm/v1/manager/forward/{command}", async (string command, HttpContext context, RaftLogHost raft, IMediator mediator, CancellationToken ct) =>
        {
            if (!raft.IsLeader) return NotLeader();
            if (!Commands.TryGetValue(command, out var type)) throw new BadRequestException($"unknown command {command}");
            // Only a manager's certificate gets here (UseNodeAuthentication): it is that manager who vouches.
            var manager = WorkerEndpoints.NodeOf(context) ?? throw new InvalidOperationException("a forwarded command without a node certificate");
            if (!context.Request.Headers.TryGetValue(LeaderLink.CallerHeader, out var forwarded) || forwarded.Count != 1 || string.IsNullOrWhiteSpace(forwarded[0]))
                throw new BadRequestException($"a forwarded command needs its original caller in the {LeaderLink.CallerHeader} header");
            var caller = Vouched(Uri.UnescapeDataString(forwarded[0]!), CallerIdentity.Of(context).CorrelationId, manager);
            JsonObject body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: ct) as JsonObject
                    ?? throw new BadRequestException($"{command} needs a body");
            }
            catch (JsonException e)
            {
                throw new BadRequestException($"{command}: {e.Message}");
            }
            foreach (var name in body.Select(p => p.Key).Where(k => k.Equals(nameof(Caller), StringComparison.OrdinalIgnoreCase)).ToList()) body.Remove(name);
            body[EventJson.Options.PropertyNamingPolicy?.ConvertName(nameof(Caller)) ?? nameof(Caller)] = JsonSerializer.SerializeToNode(caller, EventJson.Options);
            var message = body.Deserialize(type, EventJson.Options) ?? throw new BadRequestException($"{command} needs a body");
            var result = await mediator.Send(message, ct);
            // The follower answers its caller only once it has applied this write itself (read your writes).
            context.Response.Headers[LeaderLink.CommittedHeader] = raft.CommittedIndex.ToString();
            raft.Log.PushCommitIndex();
            return Results.Json(result, EventJson.Options);
        });

        // Heartbeats a manager passes on for the nodes it serves (each proved who it is with its own certificate
        // there). Only for nodes of this swarm: a heartbeat for an unknown ID would be remembered for nothing.
        managers.MapPost("/eventswarm/v1/manager/heartbeat/{node}", (string node, RaftLogHost raft, ClusterProjection projection, Heartbeats heartbeats) =>
        {
            if (!raft.IsLeader) return NotLeader();
            if (!projection.Current.Nodes.ContainsKey(node)) return ApiErrors.NotFound($"node {node} not found");
            heartbeats.Beat(node);
            return Results.Ok();
        });

        managers.MapPost("/eventswarm/v1/manager/disconnected/{node}", (string node, RaftLogHost raft, ClusterProjection projection, Heartbeats heartbeats) =>
        {
            if (!raft.IsLeader) return NotLeader();
            if (!projection.Current.Nodes.ContainsKey(node)) return ApiErrors.NotFound($"node {node} not found");
            heartbeats.Disconnected(node);
            return Results.Ok();
        });

        managers.MapPost("/eventswarm/v1/manager/raft-members", async (HttpContext context, LeaderLink leader, CancellationToken ct) =>
        {
            var request = await JsonSerializer.DeserializeAsync<RaftMemberRequest>(context.Request.Body, EventJson.Options, ct);
            await leader.AddManagerAsync(request?.Address ?? throw new BadRequestException("a Raft member needs an address IP:PORT"), ct);
            return Results.Ok();
        });
    }
}
