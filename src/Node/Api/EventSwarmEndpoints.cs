using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.Node.Api;

/// <summary>What only an event log can answer, under EventSwarm's own path so it never collides with Docker's API.</summary>
public static class EventSwarmEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/eventswarm/v1/log", (ClusterProjection projection, IReplicatedLog log) => Results.Json(new
        {
            committedIndex = log.CommittedIndex,
            lastSequence = projection.Current.LastSequence,
            // Managers that applied the same log show the same digest (compared by the failover tests).
            stateDigest = StateDigest.Of(projection.Current),
        }));

        // The audit trail: every event with who caused it, when, through which command or control loop, resumable by index.
        app.MapGet("/eventswarm/v1/events", Events.LogEvents.HandleAsync);

        // The Engine's /events: the swarm's from the history, the node's own from its engine.
        Events.DockerEventsEndpoint.Map(app);
    }
}
