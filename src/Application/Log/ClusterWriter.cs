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
    /// <summary>Last sequence of each batch in the log that the projection has not applied yet, oldest first.</summary>
    private readonly Queue<long> _appended = new();

    /// <summary>The state once every appended batch is applied; meaningful only while <see cref="_appended"/> is not empty.</summary>
    private ClusterState _anticipated = ClusterState.Initial;

    /// <summary>The projection's generation the batches in <see cref="_appended"/> were appended to.</summary>
    private long _generation;

    /// <summary>
    /// Raised after each batch is appended, before its commit: the control loops decide on the state it will make
    /// (as every decision here does), so their batch follows it into the same commit instead of waiting for it.
    /// </summary>
    public event Action? Appended;

    public Task<Decision> WriteAsync(Func<ClusterState, Decision> decide, EventMetadata metadata, CancellationToken ct) =>
        WriteAsync(decide, _ => metadata, ct);

    /// <summary>As above, with the batch's metadata made from the decision (the control loops name the loops that decided).</summary>
    public async Task<Decision> WriteAsync(Func<ClusterState, Decision> decide, Func<Decision, EventMetadata> describe, CancellationToken ct)
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
            var metadata = describe(decision);
            committed = await log.AppendAsync(new EventBatch(Ids.NewBatchId(), metadata, decision.Events), ct);
            if (decision.After is { } after && after.LastSequence == state.LastSequence + decision.Events.Count) state = after;
            else
                foreach (var @event in decision.Events)
                    state = state.Apply(new RecordedEvent(state.LastSequence + 1, metadata, @event));
            _anticipated = state;
            _generation = projection.Generation;
            _appended.Enqueue(state.LastSequence);
        }
        finally
        {
            _gate.Release();
        }
        Appended?.Invoke();
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

    /// <summary>
    /// The applied state plus the batches appended after it: the log applies them in the order they were appended
    /// and nothing else is appended while this node leads, so the state after the last one is what they will make.
    /// </summary>
    private ClusterState Anticipated()
    {
        var applied = projection.Current;
        // A log closed and opened again (swarm leave, then init) starts a new history: what was anticipated on
        // the old one would make the new swarm look like the old, e.g. "already part of a swarm" after leaving.
        if (_generation != projection.Generation) _appended.Clear();
        while (_appended.TryPeek(out var last) && last <= applied.LastSequence) _appended.Dequeue();
        return _appended.Count == 0 ? applied : _anticipated;
    }
}
