using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log.History;

namespace EventSwarm.Infrastructure.Log;

/// <summary>
/// Applies committed log entries (one event batch each) to the projection and appends them to the history, and
/// snapshots the projection so a restart replays only the entries after the last snapshot instead of the whole
/// log. DotNext drops the entries behind a snapshot: the history keeps them.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class ClusterStateMachine(DirectoryInfo location, ClusterProjection projection, long snapshotEvery, EventHistoryStore history) : SimpleStateMachine(location)
{
    private const int AppliedKept = 4096;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> _applied = new();
    private long _sinceSnapshot;

    /// <summary>Whether the entry applied at an index is the batch a writer appended there (recent entries only).</summary>
    public bool Applied(long index, string batchId) => _applied.TryGetValue(index, out var applied) && applied == batchId;

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsConfiguration || !entry.TryGetPayload(out var payload) || payload.IsEmpty)
            return ValueTask.FromResult(false);
        var batch = payload.IsSingleSegment
            ? EventJson.DeserializeBatch(payload.FirstSpan)
            : EventJson.DeserializeBatch(payload.ToArray());
        // Appended (written to the OS, not yet synced) before the entry counts as applied: readers see it at once.
        history.Append(projection.Apply(batch));
        _applied[entry.Index] = batch.BatchId;
        _applied.TryRemove(entry.Index - AppliedKept, out _);
        // Snapshots are rare on purpose: DotNext drops the log behind a snapshot at once, and a follower that lags
        // past it needs the whole state sent over.
        return ValueTask.FromResult(++_sinceSnapshot % snapshotEvery == 0);
    }

    protected override async ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        // The snapshot lets DotNext drop the log behind it: the history of those entries must be on disk first.
        history.Sync();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(projection.Current, EventJson.Options);
        await writer.WriteAsync(bytes, null, token);
    }

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        await using var stream = snapshotFile.OpenRead();
        var state = await JsonSerializer.DeserializeAsync<ClusterState>(stream, EventJson.Options, token)
            ?? throw new InvalidDataException($"snapshot {snapshotFile.FullName} is empty");
        projection.Restore(state);
    }
}
