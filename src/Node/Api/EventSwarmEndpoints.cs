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

        // The audit trail: every event with who caused it, when, through which command or control loop.
        app.MapGet("/eventswarm/v1/events", (string? since, ClusterProjection projection) =>
            Results.Json(projection.RecentEvents(SequenceNumber(since)).Select(e => new
            {
                e.Sequence,
                Type = EventJson.NameOf(e.Event),
                e.Metadata,
                Event = (object)e.Event,
            }), EventJson.Options));
    }

    private static long SequenceNumber(string? since) =>
        string.IsNullOrEmpty(since) ? 0
        : long.TryParse(since, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence) ? sequence
        : throw new BadRequestException($"invalid since '{since}': the sequence number of an event (0 or more) is expected");
}
