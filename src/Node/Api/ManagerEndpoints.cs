using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Node.Agent;
using Mediator;

namespace EventSwarm.Node.Api;

/// <summary>
/// What managers ask of the leader (callers must show a manager's certificate): commands a follower received,
/// heartbeats of the nodes it serves, and adding a manager that joined to the Raft cluster. A manager that is not
/// the leader answers 421 so that the caller looks up the leader again.
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

    public static void Map(WebApplication app)
    {
        app.MapPost("/eventswarm/v1/manager/forward/{command}", async (string command, HttpContext context, RaftLogHost raft, IMediator mediator, CancellationToken ct) =>
        {
            if (!raft.IsLeader) return NotLeader();
            if (!Commands.TryGetValue(command, out var type)) throw new BadRequestException($"unknown command {command}");
            var message = await JsonSerializer.DeserializeAsync(context.Request.Body, type, EventJson.Options, ct)
                ?? throw new BadRequestException($"{command} needs a body");
            var result = await mediator.Send(message, ct);
            // The follower answers its caller only once it has applied this write itself (read your writes).
            context.Response.Headers[LeaderLink.CommittedHeader] = raft.CommittedIndex.ToString();
            raft.Log.PushCommitIndex();
            return Results.Json(result, EventJson.Options);
        });

        app.MapPost("/eventswarm/v1/manager/heartbeat/{node}", (string node, RaftLogHost raft, Heartbeats heartbeats) =>
        {
            if (!raft.IsLeader) return NotLeader();
            heartbeats.Beat(node);
            return Results.Ok();
        });

        app.MapPost("/eventswarm/v1/manager/disconnected/{node}", (string node, RaftLogHost raft, Heartbeats heartbeats) =>
        {
            if (!raft.IsLeader) return NotLeader();
            heartbeats.Disconnected(node);
            return Results.Ok();
        });

        app.MapPost("/eventswarm/v1/manager/raft-members", async (HttpContext context, LeaderLink leader, CancellationToken ct) =>
        {
            var request = await JsonSerializer.DeserializeAsync<RaftMemberRequest>(context.Request.Body, EventJson.Options, ct);
            await leader.AddManagerAsync(request?.Address ?? throw new BadRequestException("a Raft member needs an address IP:PORT"), ct);
            return Results.Ok();
        });
    }
}
