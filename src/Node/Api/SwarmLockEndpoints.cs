using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;

namespace EventSwarm.Node.Api;

/// <summary>
/// Swarm's autolock endpoints. EventSwarm never locks its managers' keys, so it answers as a Docker Engine whose
/// swarm has autolock off: an empty unlock key, and "swarm is not locked" (409) to an unlock.
/// </summary>
public static class SwarmLockEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/swarm/unlockkey", (ClusterProjection projection) =>
        {
            NodeEndpoints.RequireSwarm(projection);
            return Results.Json(new { UnlockKey = "" });
        });

        app.MapPost("/swarm/unlock", (ClusterProjection projection) =>
            projection.Current.Swarm is null
                ? throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable, "This node is not part of a swarm"))
                : ApiErrors.Error(409, "swarm is not locked"));
    }
}
