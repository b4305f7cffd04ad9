using System.Runtime.CompilerServices;
using EventSwarm.Application.Log;

namespace EventSwarm.Application.History;

/// <summary>
/// Where the audit and explain read the history from: the archive (Marten) when one is configured and has archived
/// every event the selection needs, for its indexed streams; else the history on this manager's disk, which holds
/// everything the archive may lack. A database that cannot answer is not an error: the disk can.
/// </summary>
public sealed class HistoryReader(IEventHistory history, IEventArchive? archive = null)
{
    public IEventHistory History => history;

    /// <summary>Which store answered the last read, for the answer's "source" (the archive's description, or "log").</summary>
    public string Source { get; private set; } = "log";

    public async IAsyncEnumerable<HistoryEntry> ReadAsync(EventSelection selection, [EnumeratorCancellation] CancellationToken ct)
    {
        if (await ArchiveCoversAsync(selection, ct))
        {
            Source = archive!.Description;
            await foreach (var entry in archive.ReadAsync(selection, ct)) yield return entry;
            yield break;
        }
        Source = "log";
        foreach (var entry in history.Read(selection))
        {
            ct.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    /// <summary>Every entry selected, oldest first.</summary>
    public async Task<List<HistoryEntry>> ReadAllAsync(EventSelection selection, CancellationToken ct)
    {
        var entries = new List<HistoryEntry>();
        await foreach (var entry in ReadAsync(selection, ct)) entries.Add(entry);
        return entries;
    }

    private async Task<bool> ArchiveCoversAsync(EventSelection selection, CancellationToken ct)
    {
        if (archive is null) return false;
        var needed = Math.Min(selection.ToSequence, history.LastSequence);
        try
        {
            return await archive.ArchivedThroughAsync(ct) >= needed;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The database is down or unreachable: the log on disk answers (it keeps what no archive holds).
            return false;
        }
    }
}
