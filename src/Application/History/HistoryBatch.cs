using EventSwarm.Application.Log;
using EventSwarm.Domain;

namespace EventSwarm.Application.History;

/// <summary>
/// The events of one decision, as the log appended them: consecutive entries that share their batch's metadata.
/// The audit's unit is the batch, not the event: one `service scale` is one line however many events it wrote.
/// </summary>
public sealed record HistoryBatch(EventMetadata Metadata, IReadOnlyList<HistoryEntry> Entries)
{
    public long FirstIndex => Entries[0].Sequence;

    public long LastIndex => Entries[^1].Sequence;

    /// <summary>
    /// Written by a control loop, or a worker reporting what its tasks did: a reaction to some cause, never a cause
    /// of its own in the audit (a worker's report is the container's doing, not an operator's).
    /// </summary>
    public bool IsReaction => Metadata.Loop is not null || Metadata.Actor.StartsWith("system:", StringComparison.Ordinal) || Metadata.Command == WorkerReport;

    public const string WorkerReport = "ReportTaskStatus";

    /// <summary>The services its events concern, in the order they first appear.</summary>
    public IEnumerable<string> ServiceIds => Entries.Select(e => e.Subject.ServiceId).OfType<string>().Distinct();

    /// <summary>Groups entries (oldest first) into their batches. A batch cut by the selection is as much of it as was selected.</summary>
    public static IEnumerable<HistoryBatch> Of(IEnumerable<HistoryEntry> entries)
    {
        List<HistoryEntry>? current = null;
        EventMetadata? metadata = null;
        foreach (var entry in entries)
        {
            // Two batches never share metadata (each carries its own correlation and batch time); a selection may
            // leave gaps inside a batch (a stack's other services), which stays one batch.
            if (current is not null && entry.Recorded.Metadata == metadata)
            {
                current.Add(entry);
            }
            else
            {
                if (current is not null) yield return new HistoryBatch(metadata!, current);
                current = [entry];
                metadata = entry.Recorded.Metadata;
            }
        }
        if (current is not null) yield return new HistoryBatch(metadata!, current);
    }
}
