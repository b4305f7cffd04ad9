using System.Text.Json;
using Docker.DotNet.Models;
using EventSwarm.Application.Log;
using EventSwarm.Application.Swarm;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain.Swarm;
using Mediator;

namespace EventSwarm.Node.Api;

public static class SwarmEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/swarm/init", async (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync<SwarmInitParameters>(context);
            var advertise = string.IsNullOrEmpty(request.AdvertiseAddr) ? "127.0.0.1" : request.AdvertiseAddr;
            var nodeId = await mediator.Send(new InitSwarmCommand(advertise.Split(':')[0], CallerIdentity.Of(context)), ct);
            return Results.Json(nodeId);
        });

        app.MapGet("/swarm", (ClusterProjection projection) =>
            projection.Current.Swarm is not { } swarm
                ? Results.Json(new { message = SwarmDecider.NotInSwarm }, statusCode: 503)
                : Results.Json(new SwarmInspectResponse
                {
                    ID = swarm.ClusterId,
                    Version = new Docker.DotNet.Models.Version { Index = (ulong)swarm.Version },
                    CreatedAt = swarm.CreatedAt.UtcDateTime,
                    UpdatedAt = swarm.UpdatedAt.UtcDateTime,
                    Spec = Spec(),
                    // Join tokens come with multi-node clusters (issue 3); none is valid until then.
                    JoinTokens = new JoinTokens { Worker = "", Manager = "" },
                }, DockerJson.Options));
    }

    public static Spec Spec() => new()
    {
        Name = "default",
        Orchestration = new OrchestrationConfig { TaskHistoryRetentionLimit = TaskReaper.HistoryRetention },
        Dispatcher = new DispatcherConfig { HeartbeatPeriod = TimeSpan.FromSeconds(5) },
    };
}

/// <summary>Reads a request body, naming the problem when it is not the JSON expected.</summary>
public static class Body
{
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : new()
    {
        if (context.Request.ContentLength == 0) return new T();
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, DockerJson.Options, context.RequestAborted) ?? new T();
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"malformed JSON in request body: {e.Message}");
        }
    }
}
