using EventSwarm.Application.Log;
using EventSwarm.Domain.History;

namespace EventSwarm.UnitTests.History.Events;

/// <summary>
/// An <see cref="IEventHistory"/> over a list, for the event endpoints' tests: events appended as batches with their
/// metadata, every state kept. Waiting completes when an event is appended.
/// </summary>
public sealed class ListHistory : IEventHistory
{
    private readonly List<(HistoryEntry Entry, ClusterState After)> _entries = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterState Current => _entries.Count == 0 ? ClusterState.Initial : _entries[^1].After;

    public ListHistory Append(DateTimeOffset at, string actor, params DomainEvent[] events)
    {
        lock (_entries)
        {
            foreach (var e in events)
            {
                var recorded = new RecordedEvent(Current.LastSequence + 1, new EventMetadata(at, actor, "Test", $"c{Current.LastSequence + 1}"), e);
                var after = Current.Apply(recorded);
                _entries.Add((new HistoryEntry(recorded, SubjectOf(e)), after));
            }
            var appended = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
            appended.TrySetResult();
        }
        return this;
    }

    // Enough of EventSubject.Of for the tests: the IDs the event names.
    private static EventSubject SubjectOf(DomainEvent e)
    {
        string? Named(string property) => e.GetType().GetProperty(property)?.GetValue(e) as string;
        var (task, service, node) = (Named("TaskId"), Named("ServiceId"), Named("NodeId"));
        return task is not null ? new EventSubject(SubjectKind.Task, task, service, node)
            : service is not null ? new EventSubject(SubjectKind.Service, service)
            : node is not null ? new EventSubject(SubjectKind.Node, node, NodeId: node)
            : new EventSubject(SubjectKind.Swarm, "swarm");
    }

    public ListHistory Append(double seconds, params DomainEvent[] events) => Append(At(seconds), "alice", events);

    public long FirstSequence => _entries.Count == 0 ? 0 : 1;

    public long LastSequence => Current.LastSequence;

    public DateTimeOffset? FirstAt => _entries.Count == 0 ? null : _entries[0].Entry.Recorded.Metadata.At;

    public IEnumerable<HistoryEntry> Read(EventSelection selection)
    {
        List<HistoryEntry> entries;
        lock (_entries) entries = [.. _entries.Select(e => e.Entry)];
        return entries.Where(e => e.Sequence >= selection.FromSequence && e.Sequence <= selection.ToSequence
            && (selection.ServiceId is null || e.Subject.ServiceId == selection.ServiceId || e.Subject is { Kind: SubjectKind.Service } s && s.Id == selection.ServiceId)
            && (selection.TaskId is null || e.Subject is { Kind: SubjectKind.Task } t && t.Id == selection.TaskId)
            && (selection.NodeId is null || e.Subject.NodeId == selection.NodeId)
            && (selection.Since is not { } since || e.Recorded.Metadata.At >= since)
            && (selection.Until is not { } until || e.Recorded.Metadata.At <= until));
    }

    public long SequenceAt(DateTimeOffset at) => _entries.LastOrDefault(e => e.Entry.Recorded.Metadata.At <= at).Entry?.Sequence ?? 0;

    public ClusterState StateAt(long sequence) => sequence == 0 ? ClusterState.Initial : _entries[(int)sequence - 1].After;

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
}
