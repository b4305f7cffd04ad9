using EventSwarm.Application.Log;
using EventSwarm.Domain.History;

namespace EventSwarm.UnitTests.History;

/// <summary>
/// A history kept in memory, appended batch by batch as the log appends them, each event with its subject as the
/// history store computes it. Enough for the pure functions of audit, explain and time travel, and as the
/// <see cref="IEventHistory"/> the reader falls back to.
/// </summary>
public sealed class InMemoryHistory : IEventHistory
{
    private readonly List<HistoryEntry> _entries = [];
    private readonly List<ClusterState> _states = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterState State { get; private set; } = ClusterState.Initial;

    public IReadOnlyList<HistoryEntry> Entries => _entries;

    /// <summary>One batch, as a command or a loop pass appends it, at second <paramref name="at"/>.</summary>
    public InMemoryHistory Batch(string actor, string command, double at, params DomainEvent[] events) =>
        Append(new EventMetadata(At(at), actor, command, $"c{_entries.Count + 1}"), events);

    /// <summary>A control-loop pass's batch, actor "system:LOOPS".</summary>
    public InMemoryHistory Loops(string loops, double at, params DomainEvent[] events) =>
        Append(new EventMetadata(At(at), $"system:{loops}", "Reconcile", $"c{_entries.Count + 1}", loops), events);

    /// <summary>A worker's report of its tasks, actor "node:ID".</summary>
    public InMemoryHistory Reports(string node, double at, params DomainEvent[] events) =>
        Append(new EventMetadata(At(at), $"node:{node}", "ReportTaskStatus", $"c{_entries.Count + 1}"), events);

    /// <summary>Events recorded as one batch committed at <paramref name="at"/> (the time-travel tests).</summary>
    public InMemoryHistory Record(DateTimeOffset at, params DomainEvent[] events) =>
        Append(new EventMetadata(at, "test", "Given", "test"), events);

    public ClusterState Current => State;

    /// <summary>One batch by <paramref name="actor"/> at <paramref name="at"/>, command "Test", correlation "c" + its first index (the event endpoints' tests).</summary>
    public InMemoryHistory Append(DateTimeOffset at, string actor, params DomainEvent[] events) =>
        Append(new EventMetadata(at, actor, "Test", $"c{State.LastSequence + 1}"), events);

    /// <summary>One batch by "alice" at second <paramref name="seconds"/>.</summary>
    public InMemoryHistory Append(double seconds, params DomainEvent[] events) => Append(At(seconds), "alice", events);

    public InMemoryHistory Append(EventMetadata metadata, IEnumerable<DomainEvent> events)
    {
        TaskCompletionSource appended;
        lock (_entries)
        {
            foreach (var @event in events)
            {
                var recorded = new RecordedEvent(State.LastSequence + 1, metadata, @event);
                var before = State;
                State = State.Apply(recorded);
                _entries.Add(new HistoryEntry(recorded, EventSubject.Of(@event, before, State)));
                _states.Add(State);
            }
            appended = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        appended.TrySetResult();
        return this;
    }

    public long FirstSequence => _entries.Count == 0 ? 0 : 1;

    public long LastSequence => _entries.Count;

    public DateTimeOffset? FirstAt => _entries.Count == 0 ? null : _entries[0].Recorded.Metadata.At;

    public IEnumerable<HistoryEntry> Read(EventSelection selection) => Snapshot().Where(e =>
        e.Sequence >= selection.FromSequence && e.Sequence <= selection.ToSequence
        && (selection.Since is not { } since || e.Recorded.Metadata.At >= since)
        && (selection.Until is not { } until || e.Recorded.Metadata.At <= until)
        && (selection.ServiceId is null || e.Subject.ServiceId == selection.ServiceId)
        && (selection.TaskId is null || (e.Subject.Kind == SubjectKind.Task && e.Subject.Id == selection.TaskId))
        && (selection.NodeId is null || e.Subject.NodeId == selection.NodeId));

    public long SequenceAt(DateTimeOffset at) => _entries.LastOrDefault(e => e.Recorded.Metadata.At <= at)?.Sequence ?? 0;

    public ClusterState StateAt(long sequence) => sequence == 0 ? ClusterState.Initial : _states[(int)sequence - 1];

    /// <summary>Completes when an event after <paramref name="afterSequence"/> is appended (a follower's wait), or after the timeout.</summary>
    public async Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct)
    {
        Task appended;
        lock (_entries)
        {
            if (LastSequence > afterSequence) return;
            appended = _appended.Task;
        }
        try
        {
            await appended.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
        }
    }

    private List<HistoryEntry> Snapshot()
    {
        lock (_entries) return [.. _entries];
    }
}
