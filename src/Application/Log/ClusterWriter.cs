using EventSwarm.Domain;

namespace EventSwarm.Application.Log;

/// <summary>
/// The one way into the log: decide against the current state, append the events, wait until applied.
/// Decisions are serialised so that each sees the effects of the previous one, including batches appended but
/// not applied yet; without that a control loop could act on a state a user command has just changed (the race
/// swarmkit avoids with store transactions). Only the waits for the commit overlap, which is what lets many
/// concurrent commands share Raft rounds.
/// </summary>
public sealed class ClusterWriter(IReplicatedLog log, ClusterProjection projection)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Appended> _appended = [];

    /// <summary>A batch in the log whose events the projection has not applied yet.</summary>
    private sealed record Appended(long LastSequence, EventMetadata Metadata, IReadOnlyList<DomainEvent> Events);

    public async Task<Decision> WriteAsync(Func<ClusterState, Decision> decide, EventMetadata metadata, CancellationToken ct)
    {
        Decision decision;
        Task committed;
        await _gate.WaitAsync(ct);
        try
        {
            await log.CatchUpAsync(ct);
            var state = Anticipated();
            decision = decide(state);
            if (!decision.Succeeded || decision.Events.Count == 0) return decision;
            committed = await log.AppendAsync(new EventBatch(Ids.NewBatchId(), metadata, decision.Events), ct);
            _appended.Add(new Appended(state.LastSequence + decision.Events.Count, metadata, decision.Events));
        }
        finally
        {
            _gate.Release();
        }
        try
        {
            await committed;
        }
        catch
        {
            // Later decisions assumed this batch; start again from what is applied.
            await _gate.WaitAsync(CancellationToken.None);
            _appended.Clear();
            _gate.Release();
            throw;
        }
        return decision;
    }

    /// <summary>The applied state plus the batches appended after it, in log order (the order they will apply in).</summary>
    private ClusterState Anticipated()
    {
        var state = projection.Current;
        _appended.RemoveAll(a => a.LastSequence <= state.LastSequence);
        foreach (var batch in _appended)
            foreach (var @event in batch.Events)
                state = state.Apply(new RecordedEvent(state.LastSequence + 1, batch.Metadata, @event));
        return state;
    }
}
