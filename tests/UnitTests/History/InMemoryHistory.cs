using EventSwarm.Application.Log;
using EventSwarm.Domain.History;

namespace EventSwarm.UnitTests.History;

/// <summary>
/// A history held in memory, for the time-travel tests until they run against the manager's own: events recorded at
/// the times given (a batch each), and any earlier state rebuilt by folding the log from the start.
/// </summary>
public sealed class InMemoryHistory : IEventHistory
{
    private readonly List<RecordedEvent> _events = [];

    /// <summary>Records <paramref name="events"/> as one batch committed at <paramref name="at"/>.</summary>
    public InMemoryHistory Record(DateTimeOffset at, params DomainEvent[] events)
    {
        foreach (var @event in events)
            _events.Add(new RecordedEvent(_events.Count + 1, new EventMetadata(at, "test", "Given", "test"), @event));
        return this;
    }

    public ClusterState Current => StateAt(LastSequence);

    public long FirstSequence => _events.Count == 0 ? 0 : 1;

    public long LastSequence => _events.Count;

    public DateTimeOffset? FirstAt => _events.Count == 0 ? null : _events[0].Metadata.At;

    public IEnumerable<HistoryEntry> Read(EventSelection selection) => _events
        .Where(e => e.Sequence >= selection.FromSequence && e.Sequence <= selection.ToSequence)
        .Where(e => (selection.Since is null || e.Metadata.At >= selection.Since) && (selection.Until is null || e.Metadata.At <= selection.Until))
        .Select(e => new HistoryEntry(e, new EventSubject(SubjectKind.Swarm, "")));

    public long SequenceAt(DateTimeOffset at) => _events.LastOrDefault(e => e.Metadata.At <= at)?.Sequence ?? 0;

    public ClusterState StateAt(long sequence) => _events.Take((int)sequence).Aggregate(ClusterState.Initial, (state, e) => state.Apply(e));

    public Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct) => Task.CompletedTask;
}
