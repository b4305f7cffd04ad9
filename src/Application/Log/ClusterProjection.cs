using EventSwarm.Domain;
using EventSwarm.Domain.History;

namespace EventSwarm.Application.Log;

/// <summary>
/// The local fold of the committed log. The log's state machine is the only caller of <see cref="Apply"/>;
/// everyone else reads <see cref="Current"/>, an immutable snapshot, or waits for it to move.
/// </summary>
public sealed class ClusterProjection
{
    /// <summary>
    /// Events kept for followers that poll with `after`. Several control-loop passes can commit between two polls
    /// (each up to ~4,000 events; ~20,000 when passes were capped at 10,000 per loop): with 10,000 kept, a follower one
    /// batch behind had lost what it lacked, read the whole state again, and the per-node feed lost every queue.
    /// </summary>
    public const int RecentEventsKept = 50_000;
    private readonly object _gate = new();
    private readonly RecentWindow _recent = new(RecentEventsKept);
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
                _recent.Add(recorded);
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
            var oldest = _recent.Count > 0 ? _recent.Oldest.Sequence : _current.LastSequence + 1;
            if (after < _current.LastSequence && after + 1 < oldest)
            {
                events = [];
                return false;
            }
            events = _recent.After(after);
            return true;
        }
    }

    /// <summary>The events applied since this process started (or since the last snapshot it restored), newest last.</summary>
    public IReadOnlyList<RecordedEvent> RecentEvents(long afterSequence = 0)
    {
        lock (_gate) return _recent.After(afterSequence);
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

    /// <summary>
    /// The newest events in sequence order, read from a sequence by binary search: a follower's poll copies what it
    /// lacks instead of scanning the whole window (5,000 nodes poll; the window holds tens of thousands).
    /// </summary>
    private sealed class RecentWindow(int capacity)
    {
        private readonly List<RecordedEvent> _events = [];
        private int _start;

        public int Count => _events.Count - _start;

        public RecordedEvent Oldest => _events[_start];

        public void Add(RecordedEvent recorded)
        {
            _events.Add(recorded);
            if (Count <= capacity) return;
            _start++;
            // Drop the dead prefix in one move once it is as long as the window, not one element at a time.
            if (_start >= capacity) Compact();
        }

        public void Clear()
        {
            _events.Clear();
            _start = 0;
        }

        public List<RecordedEvent> After(long sequence)
        {
            int lo = _start, hi = _events.Count;
            while (lo < hi)
            {
                var mid = lo + (hi - lo) / 2;
                if (_events[mid].Sequence > sequence) hi = mid;
                else lo = mid + 1;
            }
            return _events.GetRange(lo, _events.Count - lo);
        }

        private void Compact()
        {
            _events.RemoveRange(0, _start);
            _start = 0;
        }
    }
}

/// <summary>A batch as the projection applied it: its events with their subjects, and the state before and after.</summary>
public sealed record AppliedBatch(IReadOnlyList<HistoryEntry> Entries, ClusterState Before, ClusterState After);
