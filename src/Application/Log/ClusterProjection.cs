using EventSwarm.Domain;
using EventSwarm.Domain.History;

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

    /// <summary>
    /// A partial projection: it follows a manager's per-node feed (what swarmkit's dispatcher sends one node: its
    /// tasks and what they need, every node's status), not the whole log. Sequences then come with gaps, and an
    /// event may name an object this state does not hold, which applies as nothing (every Evolve already leaves a
    /// missing object alone). The feed may send, under one sequence, the records a node lacks before the event that
    /// gives it the object (a task assigned to it), so equal sequences are taken in the order sent. Only a
    /// projection made scoped accepts this; the full one still refuses any gap.
    /// </summary>
    public bool Scoped { get; init; }

    /// <summary>
    /// True while this node replays a log it has only begun to receive (joining or promoted to manager): the state
    /// is a prefix of the cluster's, and a worker must not take it for the truth and stop containers it lacks.
    /// </summary>
    public bool IsCatchingUp { get; set; }

    /// <summary>Moves each time the state is replaced rather than extended (a log opened again, a swarm left or joined).</summary>
    public long Generation { get; private set; }

    public void Restore(ClusterState state)
    {
        lock (_gate)
        {
            Generation++;
            _current = state;
            _recent.Clear();
            Signal();
        }
    }

    /// <summary>
    /// Applies a committed batch, and returns its events as recorded, each with its subject (computed here, from
    /// the states right before and after that one event: a task created and removed in one batch still names its
    /// service), and the states before and after the batch: what the history keeps beside the log.
    /// </summary>
    public AppliedBatch Apply(EventBatch batch)
    {
        lock (_gate)
        {
            var before = _current;
            var state = before;
            var entries = new HistoryEntry[batch.Events.Count];
            for (var i = 0; i < entries.Length; i++)
            {
                var @event = batch.Events[i];
                var recorded = new RecordedEvent(state.LastSequence + 1, batch.Metadata, @event);
                var next = state.Apply(recorded);
                entries[i] = new HistoryEntry(recorded, EventSubject.Of(@event, state, next));
                state = next;
                _recent.Enqueue(recorded);
                if (_recent.Count > RecentEventsKept) _recent.Dequeue();
            }
            _current = state;
            Signal();
            return new AppliedBatch(entries, before, state);
        }
    }

    /// <summary>
    /// Applies events already sequenced elsewhere (a worker following its manager); events it already has are skipped.
    /// </summary>
    public void ApplyRecorded(IEnumerable<RecordedEvent> events)
    {
        lock (_gate)
        {
            var state = _current;
            var had = state.LastSequence;
            foreach (var recorded in events.Where(e => e.Sequence > had).OrderBy(e => e.Sequence))
            {
                if (recorded.Sequence != state.LastSequence + 1 && !(Scoped && recorded.Sequence >= state.LastSequence))
                    throw new InvalidOperationException($"gap in the event stream: have {state.LastSequence}, got {recorded.Sequence}");
                state = state.Apply(recorded);
            }
            _current = state;
            Signal();
        }
    }

    /// <summary>The events after a sequence, or false when some of them are no longer held (the follower must re-read the state).</summary>
    public bool TryEventsAfter(long after, out IReadOnlyList<RecordedEvent> events)
    {
        lock (_gate)
        {
            var oldest = _recent.Count > 0 ? _recent.Peek().Sequence : _current.LastSequence + 1;
            if (after < _current.LastSequence && after + 1 < oldest)
            {
                events = [];
                return false;
            }
            events = _recent.Where(e => e.Sequence > after).ToList();
            return true;
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

/// <summary>A batch as the projection applied it: its events with their subjects, and the state before and after.</summary>
public sealed record AppliedBatch(IReadOnlyList<HistoryEntry> Entries, ClusterState Before, ClusterState After);
