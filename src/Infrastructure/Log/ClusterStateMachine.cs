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
    private long _bytesSinceSnapshot;
    private long _lastSnapshotBytes;

    /// <summary>Whether the entry applied at an index is the batch a writer appended there (recent entries only).</summary>
    public bool Applied(long index, string batchId) => _applied.TryGetValue(index, out var applied) && applied == batchId;

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsConfiguration || !entry.TryGetPayload(out var payload) || payload.IsEmpty)
            return ValueTask.FromResult(false);
        var bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        var batch = EventJson.DeserializeBatch(bytes.Span);
        // Appended (written to the OS, not yet synced) before the entry counts as applied: readers see it at once.
        // The entry's own bytes go to the history: nothing serialized twice, secret data as sealed as in the log.
        history.Append(projection.Apply(batch), bytes);
        _applied[entry.Index] = batch.BatchId;
        _applied.TryRemove(entry.Index - AppliedKept, out _);
        // Snapshots are rare on purpose: DotNext drops the log behind a snapshot at once, and a follower that lags
        // past it needs the whole state sent over.
        _sinceSnapshot++;
        _bytesSinceSnapshot += bytes.Length;
        if (!SnapshotDue(_sinceSnapshot, _bytesSinceSnapshot, snapshotEvery, Volatile.Read(ref _lastSnapshotBytes))) return ValueTask.FromResult(false);
        _sinceSnapshot = 0;
        _bytesSinceSnapshot = 0;
        return ValueTask.FromResult(true);
    }

    /// <summary>Snapshots above this size are also spaced by the log's bytes (<see cref="SnapshotDue"/>).</summary>
    public const long LargeSnapshotBytes = 16L << 20;

    /// <summary>
    /// Every <paramref name="every"/> entries; but a large snapshot (a million tasks: hundreds of MB, seconds to
    /// write) only once the log since the last one holds at least as many bytes as it did, so that snapshotting costs
    /// at most as much as the log it compacts. Small states, and the tests that snapshot every few entries, are
    /// spaced by entries alone, as before.
    /// </summary>
    public static bool SnapshotDue(long entries, long bytes, long every, long lastSnapshotBytes) =>
        entries >= every && (lastSnapshotBytes <= LargeSnapshotBytes || bytes >= lastSnapshotBytes);

    protected override async ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        // The snapshot lets DotNext drop the log behind it: the history of those entries must be on disk first.
        history.Sync();
        // Streamed through a pipe: a state of a million tasks serialized whole would hold its hundreds of MB twice.
        var state = projection.Current;
        var pipe = new System.IO.Pipelines.Pipe();
        var written = 0L;
        var serializing = Task.Run(async () =>
        {
            try
            {
                await using (var output = new CountingStream(pipe.Writer.AsStream(leaveOpen: true), n => written += n))
                    await JsonSerializer.SerializeAsync(output, state, EventJson.Options, token);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                // The reader must see the failure: a snapshot cut short and taken for whole would lose the tail.
                await pipe.Writer.CompleteAsync(e);
                throw;
            }
        }, token);
        try
        {
            await writer.CopyFromAsync(pipe.Reader, null, token);
        }
        finally
        {
            // A failed copy releases the serializer, which would otherwise wait on a full pipe for good.
            await pipe.Reader.CompleteAsync();
        }
        await serializing;
        Volatile.Write(ref _lastSnapshotBytes, written);
    }

    /// <summary>Counts what the serializer writes, to space the next snapshot by this one's size.</summary>
    private sealed class CountingStream(Stream inner, Action<long> counted) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            counted(count);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            counted(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        await using var stream = snapshotFile.OpenRead();
        var state = await JsonSerializer.DeserializeAsync<ClusterState>(stream, EventJson.Options, token)
            ?? throw new InvalidDataException($"snapshot {snapshotFile.FullName} is empty");
        projection.Restore(state);
    }
}
