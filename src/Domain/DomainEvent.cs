namespace EventSwarm.Domain;

/// <summary>Every fact in the log derives from this. Events are immutable and named in the past tense.</summary>
public abstract record DomainEvent;

/// <summary>
/// Who, when and why, carried by every batch of events from the first one on: the audit trail and time
/// travel depend on it. <see cref="Loop"/> names the control loop when no user caused the change.
/// </summary>
public sealed record EventMetadata(
    DateTimeOffset At,
    string Actor,
    string Command,
    string CorrelationId,
    string? Loop = null);

/// <summary>The unit of replication: the events of one decision, appended and applied atomically.</summary>
public sealed record EventBatch(string BatchId, EventMetadata Metadata, IReadOnlyList<DomainEvent> Events);

/// <summary>An event as stored: its position in the cluster's history and the metadata of its batch.</summary>
public sealed record RecordedEvent(long Sequence, EventMetadata Metadata, DomainEvent Event);
