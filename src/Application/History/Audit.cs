using EventSwarm.Application.Log;
using EventSwarm.Domain;

namespace EventSwarm.Application.History;

/// <summary>
/// One line of the audit: a command (or a cause no one typed, such as a node found down) with who, when, through
/// which command, its correlation ID and log indexes, what it changed, and what the control loops did about it.
/// </summary>
/// <param name="Who">The caller as the API established it (`unix:root(uid=0,pid=…)`, `node:ID`), or the loops (`system:node-monitor`).</param>
/// <param name="Caused">False for a reaction with no command behind it (a node went down): its own entry, the loop its actor.</param>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Who,
    string Command,
    string CorrelationId,
    long FirstIndex,
    long LastIndex,
    IReadOnlyList<string> Services,
    IReadOnlyList<string> Changes,
    IReadOnlyList<AuditReaction> Reactions,
    bool Caused = true);

/// <summary>What the loops did about one service after an entry, until that service's next command.</summary>
public sealed record AuditReaction(string Service, string By, long FirstIndex, long LastIndex, DateTimeOffset LastAt, string Summary);

/// <summary>
/// `audit`'s filters: <paramref name="Who"/> an actor's substring or a node (ID or host name), <paramref name="Service"/> a
/// name or ID (a removed service's name is found in the history), <paramref name="Command"/> a command's name or part of
/// it ("scale" finds ScaleService), and the range of log indexes an entry must start in.
/// </summary>
public sealed record AuditQuery(string? Who = null, string? Service = null, string? Command = null, long FromIndex = 1, long ToIndex = long.MaxValue);

/// <summary>
/// The audit trail from the history: one entry per operator batch (an actor that is not a control loop) and per
/// cause no operator gave, with the reactions grouped under the entry that caused them. A loop batch's events about a
/// service belong to that service's last entry; a loop batch that changed something itself (a node marked down) is
/// an entry of its own and becomes the cause of what follows for the services it touched.
/// </summary>
public static class Audit
{
    public static IReadOnlyList<AuditEntry> Of(IEnumerable<HistoryEntry> history, ClusterState current, AuditQuery query)
    {
        var names = new HistoryNames(current);
        var entries = new List<Builder>();
        var causes = new Dictionary<string, Builder>();
        foreach (var batch in HistoryBatch.Of(history))
        {
            var described = new List<(HistoryEntry Entry, string? Change)>();
            foreach (var entry in batch.Entries)
            {
                described.Add((entry, names.Describe(entry.Recorded.Event)));
                names.Observe(entry);
            }
            var own = described.Where(d => d.Change is not null && (!batch.IsReaction || d.Entry.Subject.ServiceId is null)).Select(d => d.Change!).Distinct().ToList();
            var by = batch.Metadata.Loop ?? batch.Metadata.Actor;
            if (!batch.IsReaction || own.Count > 0)
            {
                var builder = new Builder(batch, own.Count > 0 ? own : [batch.Metadata.Command], Caused: !batch.IsReaction);
                entries.Add(builder);
                foreach (var serviceId in batch.ServiceIds) causes[serviceId] = builder;
                // What the loops did in the same batch as their cause (a node-monitor pass also moves its tasks).
                if (batch.IsReaction)
                    foreach (var (entry, _) in described.Where(d => d.Entry.Subject.ServiceId is not null))
                        builder.React(entry, by, names);
                continue;
            }
            Builder? uncaused = null;
            foreach (var (entry, _) in described)
            {
                if (entry.Subject.ServiceId is not { } serviceId) continue;
                if (!causes.TryGetValue(serviceId, out var cause))
                {
                    // Its cause is before the events read (or was never recorded): the reaction stands alone.
                    uncaused ??= new Builder(batch, [], Caused: false);
                    cause = causes[serviceId] = uncaused;
                }
                cause.React(entry, by, names);
            }
            if (uncaused is not null) entries.Add(uncaused);
        }
        var filter = Filter(query, names, current);
        return [.. entries.Select(b => b.Build(names)).Where(filter)];
    }

    private static Func<AuditEntry, bool> Filter(AuditQuery query, HistoryNames names, ClusterState current)
    {
        HashSet<string>? services = null;
        if (query.Service is { Length: > 0 } service)
        {
            services = [.. names.ServicesNamed(service)];
            if (current.LookupService(service).Match is { } found) services.Add(found.Id);
            services.Add(service);
        }
        string? nodeActor = query.Who is { Length: > 0 } who && current.LookupNode(who).Match is { } node ? $"node:{node.Id}" : null;
        var words = (query.Command ?? "").Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries).Select(Normalize).ToList();
        return entry =>
            entry.FirstIndex >= query.FromIndex && entry.FirstIndex <= query.ToIndex
            && (query.Who is not { Length: > 0 } w || entry.Who.Contains(w, StringComparison.OrdinalIgnoreCase) || entry.Who == nodeActor)
            && words.All(word => Normalize(entry.Command).Contains(word, StringComparison.Ordinal))
            && (services is null || entry.Services.Any(services.Contains) || entry.Reactions.Any(r => services.Contains(r.Service)));
    }

    /// <summary>Each word of the filter is in the command: "service scale", "scale-service", "scale" and "ScaleService" all find ScaleService.</summary>
    private static string Normalize(string? command) =>
        new([.. (command ?? "").Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private sealed class Builder(HistoryBatch batch, IReadOnlyList<string> changes, bool Caused)
    {
        private readonly Dictionary<string, ReactionSummary> _reactions = new();
        private readonly List<string> _order = new();

        public void React(HistoryEntry entry, string by, HistoryNames names)
        {
            var serviceId = entry.Subject.ServiceId!;
            if (!_reactions.TryGetValue(serviceId, out var summary))
            {
                _reactions[serviceId] = summary = new ReactionSummary();
                _order.Add(serviceId);
            }
            summary.Add(entry, by, names);
        }

        public AuditEntry Build(HistoryNames names)
        {
            var services = batch.ServiceIds.Concat(_order).Distinct().ToList();
            // A reaction names its service by ID in the record (for filters), by name in the summary.
            var reactions = _order.Select(id => (Id: id, Summary: _reactions[id]))
                .Select(r => new AuditReaction(r.Id, string.Join("+", r.Summary.By), r.Summary.FirstIndex, r.Summary.LastIndex, r.Summary.LastAt,
                    $"{names.ServiceName(r.Id)}: {r.Summary}"))
                .ToList();
            var m = batch.Metadata;
            return new AuditEntry(m.At, m.Actor, m.Command, m.CorrelationId, batch.FirstIndex, batch.LastIndex, services, changes, reactions, Caused);
        }
    }
}
