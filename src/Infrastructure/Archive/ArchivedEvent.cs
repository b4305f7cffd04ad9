using EventSwarm.Domain.History;

namespace EventSwarm.Infrastructure.Archive;

/// <summary>
/// The archive's index of the log, one Marten document per event (table <c>eventswarm.mt_doc_archived_event</c>),
/// written in the same transaction as the event itself: the batch's metadata and the object the event concerns,
/// with the service, task, node and time duplicated into indexed columns. The audit, history and explain queries
/// (and SQL users) select here, then join the payload in <c>mt_events</c> by (stream, version).
/// </summary>
public sealed class ArchivedEvent
{
    /// <summary>The log index (event sequence): the primary key, so no sequence can be archived twice.</summary>
    public long Id { get; set; }

    /// <summary>The Marten stream, "service/ID", and the event's version in it (mt_events.stream_id, .version).</summary>
    public string Stream { get; set; } = "";

    public long Version { get; set; }

    /// <summary>The event type as the log names it ("service-scaled"), also mt_events.type.</summary>
    public string Type { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public string Actor { get; set; } = "";

    public string Command { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string? Loop { get; set; }

    /// <summary>The subject as the history computed it (kind, id, and the service and node it concerns).</summary>
    public SubjectKind Kind { get; set; }

    public string SubjectId { get; set; } = "";

    public string? SubjectServiceId { get; set; }

    public string? SubjectNodeId { get; set; }

    /// <summary>Indexed: the service the event concerns (a service's own events and its tasks').</summary>
    public string? ServiceId { get; set; }

    /// <summary>Indexed: the task, for a task's events.</summary>
    public string? TaskId { get; set; }

    /// <summary>Indexed: the node the event concerns (a node's own events and the tasks on it).</summary>
    public string? NodeId { get; set; }

    public static ArchivedEvent Of(Application.Log.HistoryEntry entry, string type, long version)
    {
        var (recorded, subject) = (entry.Recorded, entry.Subject);
        return new ArchivedEvent
        {
            Id = recorded.Sequence,
            Stream = subject.StreamKey,
            Version = version,
            Type = type,
            At = recorded.Metadata.At,
            Actor = recorded.Metadata.Actor,
            Command = recorded.Metadata.Command,
            CorrelationId = recorded.Metadata.CorrelationId,
            Loop = recorded.Metadata.Loop,
            Kind = subject.Kind,
            SubjectId = subject.Id,
            SubjectServiceId = subject.ServiceId,
            SubjectNodeId = subject.NodeId,
            ServiceId = subject.ServiceId ?? (subject.Kind == SubjectKind.Service ? subject.Id : null),
            TaskId = subject.Kind == SubjectKind.Task ? subject.Id : null,
            NodeId = subject.NodeId ?? (subject.Kind == SubjectKind.Node ? subject.Id : null),
        };
    }

    public EventSubject ToSubject() => new(Kind, SubjectId, SubjectServiceId, SubjectNodeId);
}

/// <summary>
/// How far the archive holds the log (table <c>eventswarm.mt_doc_archive_progress</c>, one row): written in the
/// same transaction as the events it counts, so a crash between the two cannot happen.
/// </summary>
public sealed class ArchiveProgress
{
    public const string TheId = "archive";

    public string Id { get; set; } = TheId;

    public long ArchivedThrough { get; set; }

    /// <summary>The batch time of the last event archived.</summary>
    public DateTimeOffset? ArchivedAt { get; set; }
}
