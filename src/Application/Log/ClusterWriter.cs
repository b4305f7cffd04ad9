using EventSwarm.Domain;

namespace EventSwarm.Application.Log;

/// <summary>
/// The one way into the log: decide against the current projection, append the events, wait until applied.
/// Decisions are serialised so that each sees the effects of the previous one; without that a control loop
/// could act on a state a user command has just changed (the race swarmkit avoids with store transactions).
/// </summary>
public sealed class ClusterWriter(IReplicatedLog log, ClusterProjection projection)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<Decision> WriteAsync(Func<ClusterState, Decision> decide, EventMetadata metadata, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await log.CatchUpAsync(ct);
            var decision = decide(projection.Current);
            if (decision.Succeeded && decision.Events.Count > 0)
                await log.AppendAsync(new EventBatch(Ids.NewBatchId(), metadata, decision.Events), ct);
            return decision;
        }
        finally
        {
            _gate.Release();
        }
    }
}
