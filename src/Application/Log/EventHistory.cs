using EventSwarm.Domain;
using EventSwarm.Domain.History;

namespace EventSwarm.Application.Log;

/// <summary>An event of the history with the object it belongs to.</summary>
public sealed record HistoryEntry(RecordedEvent Recorded, EventSubject Subject)
{
    public long Sequence => Recorded.Sequence;
}

/// <summary>
/// Which events to read: a range of log indexes (event sequences, inclusive), a time range on the batches'
/// timestamps (inclusive), and the service, task or node they concern (null = any).
/// </summary>
public sealed record EventSelection(
    long FromSequence = 1,
    long ToSequence = long.MaxValue,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    string? ServiceId = null,
    string? TaskId = null,
    string? NodeId = null);

/// <summary>
/// The cluster's whole history, kept by every manager beside its Raft log (the log itself is compacted behind
/// snapshots): every committed event in order, and the state as it was after any of them.
/// </summary>
public interface IEventHistory
{
    /// <summary>Sequence of the oldest event held (1 unless this manager joined from a snapshot); 0 when empty.</summary>
    long FirstSequence { get; }

    /// <summary>Sequence of the newest event held; 0 when empty.</summary>
    long LastSequence { get; }

    /// <summary>Time of the oldest event held, null when empty.</summary>
    DateTimeOffset? FirstAt { get; }

    /// <summary>The events selected, oldest first.</summary>
    IEnumerable<HistoryEntry> Read(EventSelection selection);

    /// <summary>The sequence of the last event whose batch time is at or before <paramref name="at"/>; 0 when none is.</summary>
    long SequenceAt(DateTimeOffset at);

    /// <summary>The projection as it was right after the event at <paramref name="sequence"/> (nearest checkpoint plus the events after it).</summary>
    ClusterState StateAt(long sequence);

    /// <summary>Completes when an event after <paramref name="afterSequence"/> is held, or after the timeout.</summary>
    Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct);
}
