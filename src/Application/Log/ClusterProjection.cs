using EventSwarm.Domain;

namespace EventSwarm.Application.Log;

/// <summary>
/// The local fold of the committed log. The log's state machine is the only caller of <see cref="Apply"/>;
/// everyone else reads <see cref="Current"/>, an immutable snapshot, or waits for it to move.
/// </summary>
public sealed class ClusterProjection
{
    private const int RecentEventsKept = 10_000;
    private readonly object _gate = new();
    private readonly Queue<RecordedEvent> _recent = new();
    private TaskCompletionSource _changed = NewSignal();
    private volatile ClusterState _current = ClusterState.Initial;

    public ClusterState Current => _current;

    public void Restore(ClusterState state)
    {
        lock (_gate)
        {
            _current = state;
            _recent.Clear();
            Signal();
        }
    }

    public void Apply(EventBatch batch)
    {
        lock (_gate)
        {
            var state = _current;
            foreach (var @event in batch.Events)
            {
                var recorded = new RecordedEvent(state.LastSequence + 1, batch.Metadata, @event);
                state = state.Apply(recorded);
                _recent.Enqueue(recorded);
                if (_recent.Count > RecentEventsKept) _recent.Dequeue();
            }
            _current = state;
            Signal();
        }
    }

    /// <summary>The events applied since this process started (or since the last snapshot it restored), newest last.</summary>
    public IReadOnlyList<RecordedEvent> RecentEvents(long afterSequence = 0)
    {
        lock (_gate) return _recent.Where(e => e.Sequence > afterSequence).ToList();
    }

    /// <summary>Completes when the state has moved past <paramref name="seenSequence"/>, or after the timeout.</summary>
    public async Task WaitForChangeAsync(long seenSequence, TimeSpan timeout, CancellationToken ct)
    {
        Task signal;
        lock (_gate)
        {
            if (_current.LastSequence > seenSequence) return;
            signal = _changed.Task;
        }
        try
        {
            await signal.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
