using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Api;

/// <summary>
/// What managers ask of the leader (callers must show a manager's certificate, over the swarm's TLS listener only):
/// commands a follower received, heartbeats of the nodes it serves, and adding a manager that joined to the Raft
/// cluster. A manager that is not the leader answers 421 so that the caller looks up the leader again.
/// </summary>
[Experimental("DOTNEXT001")]
public static class ManagerEndpoints
{
    private static IResult NotLeader() => Results.Json(new { message = "this manager is not the leader" }, statusCode: (int)HttpStatusCode.MisdirectedRequest);

    public static void Map(WebApplication app)
    {
        var managers = app.MapGroup("").WithMetadata(NodeToNodeRoute.Instance);
        managers.MapPost("/eventswarm/v1/manager/forward/{command}", async (string command, HttpContext context, RaftLogHost raft, ForwardedCommands forwarded,
            CancellationToken ct) =>
        {
            if (!raft.IsLeader) return NotLeader();
            // Only a manager's certificate gets here (UseNodeAuthentication): it is that manager who vouches.
            var manager = WorkerEndpoints.NodeOf(context) ?? throw new InvalidOperationException("a forwarded command without a node certificate");
            var callers = context.Request.Headers[LeaderLink.CallerHeader];
            var (result, committed) = await forwarded.RunAsync(command, manager, callers.Count == 1 ? callers[0] : null,
                CallerIdentity.Of(context).CorrelationId, context.Request.Body, ct);
            // The follower answers its caller only once it has applied this write itself (read your writes).
            context.Response.Headers[LeaderLink.CommittedHeader] = committed.ToString();
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
