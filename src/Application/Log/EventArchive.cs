using EventSwarm.Domain;

namespace EventSwarm.Application.Log;

/// <summary>
/// The long-term archive (Marten on PostgreSQL): every committed event copied, in order and exactly once, one stream
/// per object. Appends are idempotent by sequence; a database outage only delays them.
/// </summary>
public interface IEventArchive
{
    /// <summary>Where the archive is, for messages (host and database, never the password).</summary>
    string Description { get; }

    /// <summary>The sequence of the last event archived; 0 when none is.</summary>
    Task<long> ArchivedThroughAsync(CancellationToken ct);

    /// <summary>Archives events in order; those at or below <see cref="ArchivedThroughAsync"/> are skipped.</summary>
    Task AppendAsync(IReadOnlyList<HistoryEntry> entries, CancellationToken ct);

    /// <summary>The archived events selected, oldest first.</summary>
    IAsyncEnumerable<HistoryEntry> ReadAsync(EventSelection selection, CancellationToken ct);
}
