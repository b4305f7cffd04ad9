using System.Globalization;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Nodes;

namespace EventSwarm.Application.History;

/// <summary>A batch as `explain` names it: when, who, through which command or loop, at which log indexes, and what it changed.</summary>
public sealed record HistoryCause(DateTimeOffset At, long Index, string Who, string Command, string? Loop, string CorrelationId, IReadOnlyList<string> Changes)
{
    public override string ToString() =>
        $"{(Loop is null ? Command : Loop)} by {Who} at {HistoryText.Time(At)} (index {Index.ToString(CultureInfo.InvariantCulture)}){(Changes.Count > 0 ? ": " + string.Join("; ", Changes) : "")}";
}

/// <summary>
/// Walks batches as the audit does and remembers, for each service, the cause of what the loops do about it now
/// (its last command, or the node failure that moved its tasks), and for each node its last failure.
/// </summary>
public sealed class Causes(HistoryNames names)
{
    private readonly Dictionary<string, HistoryCause> _services = new();
    private readonly Dictionary<string, HistoryCause> _nodeFailures = new();

    public HistoryNames Names => names;

    public HistoryCause? OfService(string serviceId) => _services.GetValueOrDefault(serviceId);

    public HistoryCause? LastFailureOf(string nodeId) => _nodeFailures.GetValueOrDefault(nodeId);

    /// <summary>Takes a batch in (describing then observing its events); returns it as a cause, and whether it is one of its own.</summary>
    public (HistoryCause Batch, bool IsCause) Observe(HistoryBatch batch)
    {
        var changes = new List<string>();
        var own = new List<string>();
        foreach (var entry in batch.Entries)
        {
            if (names.Describe(entry.Recorded.Event) is { } change)
            {
                changes.Add(change);
                if (!batch.IsReaction || entry.Subject.ServiceId is null) own.Add(change);
            }
            if (entry.Recorded.Event is NodeStatusChanged { Status: NodeStatus.Down or NodeStatus.Disconnected } down)
                _nodeFailures[down.NodeId] = Cause(batch, [names.Describe(down)!]);
            names.Observe(entry);
        }
        var isCause = !batch.IsReaction || own.Count > 0;
        var cause = Cause(batch, [.. (isCause ? own : changes).Distinct()]);
        if (isCause)
            foreach (var serviceId in batch.ServiceIds) _services[serviceId] = cause;
        return (cause, isCause);
    }

    private static HistoryCause Cause(HistoryBatch batch, IReadOnlyList<string> changes) =>
        new(batch.Metadata.At, batch.FirstIndex, batch.Metadata.Actor, batch.Metadata.Command, batch.Metadata.Loop, batch.Metadata.CorrelationId, changes);
}

public static class HistoryText
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
