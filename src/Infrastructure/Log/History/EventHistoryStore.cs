using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace EventSwarm.Infrastructure.Log.History;

/// <summary>
/// The cluster's whole history on this manager's disk, beside the Raft log (raft/history/): every committed event,
/// appended as the state machine applies it, and kept when DotNext drops the log behind a snapshot. Three parts
/// (docs/history.md has the byte layout):
/// <list type="bullet">
/// <item><c>events.log</c>: one record per applied batch (its events, metadata and subjects, as JSON in the log's
/// own serialization, so secret data is as sealed here as in the log), each with its length and checksum.</item>
/// <item><c>events.idx</c>: a fixed-size entry per record (first sequence, offset, batch time, running maximum of
/// the batch times), searched by bisection; rebuilt from the data when it is behind.</item>
/// <item><c>events.sdx</c>: which records concern which service, task and node (<see cref="HistorySubjectIndex"/>),
/// so that one object's events are read without decoding the rest.</item>
/// <item><c>checkpoints/</c>: the state every <c>checkpointEvery</c> events (and where the history starts after a
/// gap), gzipped JSON, written off the apply path (states captured at each boundary and queued, so they are never
/// further apart than that); a past state is the nearest checkpoint plus the events after it.</item>
/// </list>
/// One writer (the state machine's apply loop) and any number of readers: readers see a record once it is fully
/// written (the tip moves after the write), never a half-written one.
/// </summary>
public sealed class EventHistoryStore : IEventHistory, IDisposable
{
    public const string DataFileName = "events.log";
    public const string IndexFileName = "events.idx";
    public const string CheckpointDirectoryName = "checkpoints";
    public const long DefaultCheckpointEvery = 5_000;

    public const int FileHeaderSize = 8;
    public const int RecordHeaderSize = 28;
    public const int IndexEntrySize = 40;
    private const int MaxRecordLength = 256 * 1024 * 1024;
    private const int CachedStates = 16;
    // Checkpoints queued behind the one being written: beyond this the apply path waits for the writer (each is one
    // state already computed, so the wait is one write), rather than holding ever more states in memory.
    private const int MaxQueuedCheckpoints = 4;
    private static ReadOnlySpan<byte> Magic => "ESHIST01"u8;

    private readonly string _directory;
    private readonly FileStream _data;
    private readonly FileStream _index;
    private readonly long _checkpointEvery;
    private readonly ILogger _logger;
    private readonly HistoryCheckpoints _checkpoints;
    private readonly StateCache _cache = new(CachedStates);
    private readonly object _signalGate = new();
    private TaskCompletionSource _appended = NewSignal();
    private volatile Tip _tip;
    private readonly HistorySubjectIndex _subjects;
    private Task _checkpointing = Task.CompletedTask;
    private int _queuedCheckpoints;
    private long _lastCheckpoint;
    private bool _disposed;

    private EventHistoryStore(string directory, FileStream data, FileStream index, HistorySubjectIndex subjects, Tip tip, long checkpointEvery, ILogger logger)
    {
        _subjects = subjects;
        _directory = directory;
        _data = data;
        _index = index;
        _tip = tip;
        _checkpointEvery = checkpointEvery;
        _logger = logger;
        _checkpoints = new HistoryCheckpoints(Path.Combine(directory, CheckpointDirectoryName), logger);
    }

    /// <summary>The history's directory: raft/history under the data directory, so `swarm leave` drops it with the log.</summary>
    public static string DirectoryOf(string raftDirectory) => Path.Combine(raftDirectory, "history");

    public string Directory => _directory;

    /// <summary>
    /// Opens (or creates) the history in <paramref name="directory"/>. A torn tail (a record cut by a crash) is cut
    /// back to the last whole record, and index entries missing for records on disk are rebuilt from the data.
    /// </summary>
    public static EventHistoryStore Open(string directory, long checkpointEvery = DefaultCheckpointEvery, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        System.IO.Directory.CreateDirectory(directory);
        var data = new FileStream(Path.Combine(directory, DataFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        FileStream? index = null;
        HistorySubjectIndex? subjects = null;
        try
        {
            index = new FileStream(Path.Combine(directory, IndexFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            var tip = Repair(directory, data, index, logger);
            subjects = HistorySubjectIndex.Open(directory, tip.Records, record => SubjectsFrom(data.SafeFileHandle, index.SafeFileHandle, tip, record), logger);
            var store = new EventHistoryStore(directory, data, index, subjects, tip, Math.Max(1, checkpointEvery), logger);
            store._checkpoints.Load(tip.LastSequence);
            store._lastCheckpoint = store._checkpoints.Floor(tip.LastSequence) ?? 0;
            return store;
        }
        catch
        {
            data.Dispose();
            index?.Dispose();
            subjects?.Dispose();
            throw;
        }
    }

    public long FirstSequence => _tip.FirstSequence;

    public long LastSequence => _tip.LastSequence;

    public DateTimeOffset? FirstAt => _tip.Records == 0 ? null : new DateTimeOffset(_tip.FirstAtTicks, TimeSpan.Zero);

    /// <summary>Sequences of the checkpoints written (oldest first): for tests and the bench.</summary>
    public IReadOnlyList<long> Checkpoints => _checkpoints.All();

    /// <summary>Bytes on disk: data, index, subject index and checkpoints.</summary>
    public (long Data, long Index, long Subjects, long Checkpoints) SizeOnDisk() => (_tip.DataLength, _tip.Records * IndexEntrySize, _subjects.Bytes, _checkpoints.Bytes());

    /// <summary>
    /// Appends a batch the projection applied. Events already held (the log replaying entries after its snapshot at
    /// a restart) are skipped; a batch that does not follow the last event held (a snapshot installed from the
    /// leader, or a history that starts after the log's snapshot) starts a new run, with the state before it
    /// written as a checkpoint so that past states after the gap are still known. Never throws: a write that fails
    /// (a full disk) is logged and leaves a gap, as the log itself refuses writes then.
    /// </summary>
    /// <param name="logPayload">The log entry's own bytes (the batch as <see cref="EventJson"/> wrote it), stored as
    /// they are: not serialized a second time on the apply path, and secret data exactly as sealed in the log.</param>
    public void Append(AppliedBatch applied, ReadOnlyMemory<byte> logPayload = default)
    {
        var entries = applied.Entries;
        var tip = _tip;
        var skip = 0;
        while (skip < entries.Count && entries[skip].Sequence <= tip.LastSequence) skip++;
        // A replay after a restart: held already, unless the log lost the entry (a torn WAL tail cut back on a lone
        // manager) and another batch took its index since. The history then follows the log.
        if (skip > 0 && !logPayload.IsEmpty && !HoldsBatch(tip, entries[0].Sequence, logPayload.Span))
        {
            tip = TruncateFrom(tip, entries[0].Sequence);
            skip = 0;
        }
        if (skip == entries.Count) return;
        var first = entries[skip].Sequence;
        try
        {
            if (first != tip.LastSequence + 1 && (tip.LastSequence != 0 || first != 1))
            {
                if (tip.LastSequence != 0)
                    _logger.LogWarning("history: events {From} to {To} were never applied here (a snapshot of the state was installed from the leader); the history keeps the gap and goes on from {First}",
                        tip.LastSequence + 1, first - 1, first);
                else
                    _logger.LogInformation("history: starts at event {First}: the state before it came from a snapshot", first);
                // The state right before the run: only a batch applied whole from the state before it knows it.
                if (skip == 0 && applied.Before.LastSequence == first - 1)
                    _checkpoints.Write(applied.Before);
            }
            var record = Encode(entries, skip, skip == 0 ? logPayload : default, tip.MaxAtTicks, out var entry, tip.DataLength);
            RandomAccess.Write(_data.SafeFileHandle, record, tip.DataLength);
            var indexBytes = new byte[IndexEntrySize];
            entry.WriteTo(indexBytes);
            RandomAccess.Write(_index.SafeFileHandle, indexBytes, tip.Records * IndexEntrySize);
            _subjects.Append(tip.Records, entries.Skip(skip).Select(e => e.Subject));
            _tip = tip with
            {
                Records = tip.Records + 1,
                DataLength = tip.DataLength + record.Length,
                FirstSequence = tip.Records == 0 ? first : tip.FirstSequence,
                FirstAtTicks = tip.Records == 0 ? entry.AtTicks : tip.FirstAtTicks,
                LastSequence = entry.LastSequence,
                MaxAtTicks = entry.MaxAtTicks,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(e, "history: events {From} to {To} could not be written; the history will have a gap there", first, entries[^1].Sequence);
            return;
        }
        Signal();
        if (applied.After.LastSequence == _tip.LastSequence) MaybeCheckpoint(applied.After);
    }

    /// <summary>Whether the record starting at <paramref name="sequence"/> holds exactly this log entry's bytes.</summary>
    private bool HoldsBatch(Tip tip, long sequence, ReadOnlySpan<byte> logPayload)
    {
        var i = LastWithFirstSequenceAtOrBefore(tip, sequence);
        if (i < 0) return true;
        var entry = ReadIndex(i);
        if (entry.FirstSequence != sequence) return true;
        var cursor = new RecordCursor(_data.SafeFileHandle, entry.Offset, tip.DataLength);
        if (!cursor.Next(out _, out var payload)) return true;
        var length = BinaryPrimitives.ReadInt32LittleEndian(payload.Span);
        return payload.Span.Slice(4, length).SequenceEqual(logPayload);
    }

    /// <summary>Drops the records from the one holding <paramref name="sequence"/> on, with the checkpoints after them.</summary>
    private Tip TruncateFrom(Tip tip, long sequence)
    {
        var i = Math.Max(0, LastWithFirstSequenceAtOrBefore(tip, sequence));
        var cut = ReadIndex(i);
        _logger.LogWarning("history: event {Sequence} differs from the log's entry (the log lost entries it had applied); the history is cut back to event {Last} and follows the log",
            sequence, cut.FirstSequence - 1);
        _data.SetLength(cut.Offset);
        _index.SetLength(i * IndexEntrySize);
        _subjects.TruncateFrom(i);
        _checkpoints.DropAfter(cut.FirstSequence - 1);
        _cache.Clear();
        _lastCheckpoint = _checkpoints.Floor(cut.FirstSequence - 1) ?? 0;
        var previous = i > 0 ? ReadIndex(i - 1) : (IndexEntry?)null;
        _tip = previous is { } p
            ? tip with { Records = i, DataLength = cut.Offset, LastSequence = p.LastSequence, MaxAtTicks = p.MaxAtTicks }
            : new Tip(0, FileHeaderSize, 0, 0, 0);
        return _tip;
    }

    /// <summary>
    /// Forces what was appended to the disk. Called before DotNext persists a snapshot, after which it drops the log
    /// entries behind it: the history must never be behind a snapshot.
    /// </summary>
    public void Sync()
    {
        _data.Flush(flushToDisk: true);
        _index.Flush(flushToDisk: true);
        _subjects.Flush();
    }

    /// <summary>Waits for the checkpoints queued, if any (tests, the bench, closing).</summary>
    public Task CheckpointsWrittenAsync() => _checkpointing;

    /// <summary>
    /// The state at each boundary (every <c>checkpointEvery</c> events) is queued for the writer: ClusterState is
    /// immutable, so holding the reference is holding that state, serialized on the thread pool while the log applies
    /// on. A writer that fell behind by <see cref="MaxQueuedCheckpoints"/> makes the apply path wait for it: the
    /// checkpoints are never further apart than the spacing (plus the rest of the batch that crossed it).
    /// </summary>
    private void MaybeCheckpoint(ClusterState after)
    {
        if (after.LastSequence - _lastCheckpoint < CheckpointSpacing(_checkpointEvery, after)) return;
        _lastCheckpoint = after.LastSequence;
        if (Volatile.Read(ref _queuedCheckpoints) >= MaxQueuedCheckpoints)
        {
            _logger.LogDebug("history: the checkpoint writer is {Queued} behind; waiting for it", MaxQueuedCheckpoints);
            _checkpointing.Wait();
        }
        Interlocked.Increment(ref _queuedCheckpoints);
        _checkpointing = _checkpointing.ContinueWith(_ =>
        {
            try
            {
                _checkpoints.Write(after);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "history: the checkpoint at event {Sequence} could not be written (past states replay from an older one)", after.LastSequence);
            }
            finally
            {
                Interlocked.Decrement(ref _queuedCheckpoints);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>
    /// Events between checkpoints: the configured spacing, or for a large state its number of objects when that is more.
    /// A checkpoint costs the whole state (a million tasks: seconds of CPU and tens of MB); spaced by the state's
    /// size, writing checkpoints costs at most about as much as applying the events between them, so a converging
    /// C1M cluster (issue 16) writes a few instead of one per 5,000 events. A past state then replays at most that
    /// many events after its checkpoint, which on such a state costs less than reading the checkpoint.
    /// </summary>
    public static long CheckpointSpacing(long configured, ClusterState state)
    {
        var objects = (long)state.Tasks.Count + state.Services.Count + state.Nodes.Count;
        return objects < LargeStateObjects ? configured : Math.Max(configured, objects);
    }

    /// <summary>States with fewer objects keep the configured spacing: their checkpoints are cheap.</summary>
    public const long LargeStateObjects = 50_000;

    public IEnumerable<HistoryEntry> Read(EventSelection selection)
    {
        var tip = _tip;
        if (tip.Records == 0) return [];
        var from = Math.Max(selection.FromSequence, tip.FirstSequence);
        var to = Math.Min(selection.ToSequence, tip.LastSequence);
        if (selection.Since is { } since)
        {
            // Times are the running maximum of the batches' times: a clock stepped back never reorders history.
            var i = LastAtOrBefore(tip, since.UtcTicks - 1) + 1;
            if (i >= tip.Records) return [];
            from = Math.Max(from, ReadIndex(i).FirstSequence);
        }
        if (selection.Until is { } until) to = Math.Min(to, SequenceAt(tip, until));
        if (from > to) return [];
        return Enumerate(tip, from, to, selection);
    }

    private IEnumerable<HistoryEntry> Enumerate(Tip tip, long from, long to, EventSelection selection)
    {
        var start = Math.Max(0, LastWithFirstSequenceAtOrBefore(tip, from));
        if (SubjectKeyOf(selection) is { } key) return EnumerateIndexed(tip, start, from, to, key, selection);
        return EnumerateAll(tip, start, from, to, selection);
    }

    /// <summary>The key a selection by object looks up in the subject index (the narrowest of its filters); null if none.</summary>
    private static ulong? SubjectKeyOf(EventSelection selection) =>
        selection.TaskId is { } task ? HistorySubjectIndex.TaskKey(task)
        : selection.ServiceId is { } service ? HistorySubjectIndex.ServiceKey(service)
        : selection.NodeId is { } node ? HistorySubjectIndex.NodeKey(node)
        : null;

    private IEnumerable<HistoryEntry> EnumerateAll(Tip tip, long start, long from, long to, EventSelection selection)
    {
        var cursor = new RecordCursor(_data.SafeFileHandle, ReadIndex(start).Offset, tip.DataLength);
        while (cursor.Next(out var header, out var payload))
        {
            if (header.FirstSequence > to) yield break;
            if (header.FirstSequence + header.Count - 1 < from) continue;
            foreach (var entry in Select(header.FirstSequence, DecodePayload(payload.Span), from, to, selection)) yield return entry;
        }
    }

    /// <summary>Only the records the subject index names (a hash collision reads a record more, filtered out here).</summary>
    private IEnumerable<HistoryEntry> EnumerateIndexed(Tip tip, long start, long from, long to, ulong key, EventSelection selection)
    {
        var end = LastWithFirstSequenceAtOrBefore(tip, to) + 1;
        foreach (var i in _subjects.Records(key, start, end))
        {
            var entry = ReadIndex(i);
            var bytes = new byte[RecordHeaderSize + entry.Length];
            if (RandomAccess.Read(_data.SafeFileHandle, bytes, entry.Offset) != bytes.Length)
                throw new InvalidDataException($"history record at offset {entry.Offset} is cut short");
            foreach (var selected in Select(entry.FirstSequence, DecodePayload(bytes.AsSpan(RecordHeaderSize)), from, to, selection)) yield return selected;
        }
    }

    private static IEnumerable<HistoryEntry> Select(long firstSequence, HistoryRecord record, long from, long to, EventSelection selection)
    {
        for (var k = 0; k < record.Events.Count; k++)
        {
            var sequence = firstSequence + k;
            if (sequence < from) continue;
            if (sequence > to) yield break;
            var subject = record.Subjects[k];
            if (selection.ServiceId is { } service && subject.ServiceId != service) continue;
            if (selection.TaskId is { } task && (subject.Kind != SubjectKind.Task || subject.Id != task)) continue;
            if (selection.NodeId is { } node && subject.NodeId != node) continue;
            yield return new HistoryEntry(new RecordedEvent(sequence, record.Metadata, record.Events[k]), subject);
        }
    }

    /// <summary>The subjects of the records from <paramref name="record"/> on (rebuilding the subject index at open).</summary>
    private static IEnumerable<(long, IReadOnlyList<EventSubject>)> SubjectsFrom(SafeFileHandle data, SafeFileHandle index, Tip tip, long record)
    {
        if (record >= tip.Records) yield break;
        var cursor = new RecordCursor(data, ReadIndex(index, record).Offset, tip.DataLength);
        for (var i = record; i < tip.Records && cursor.Next(out _, out var payload); i++)
            yield return (i, DecodeSubjects(payload.Span));
    }

    public long SequenceAt(DateTimeOffset at) => SequenceAt(_tip, at);

    private long SequenceAt(Tip tip, DateTimeOffset at)
    {
        var i = LastAtOrBefore(tip, at.UtcTicks);
        return i < 0 ? 0 : ReadIndex(i).LastSequence;
    }

    public ClusterState StateAt(long sequence)
    {
        var tip = _tip;
        if (tip.Records == 0) throw new BadRequestException("the history is empty: no event has been committed yet");
        if (sequence > tip.LastSequence)
            throw new BadRequestException($"index {sequence} is after the last event held ({tip.LastSequence})");
        if (sequence < tip.FirstSequence - 1 || (sequence == tip.FirstSequence - 1 && sequence > 0 && _checkpoints.Floor(sequence) != sequence))
            throw new BadRequestException($"index {sequence} is before the first event held here ({tip.FirstSequence})");

        // The nearest known state at or before the index: a state computed recently, a checkpoint, or the start.
        var (baseSequence, state) = _cache.Floor(sequence) ?? (0, null);
        if (state is null && tip.FirstSequence == 1) (baseSequence, state) = (0, ClusterState.Initial);
        var checkpoint = _checkpoints.Floor(sequence);
        while (checkpoint is { } c && (state is null || c > baseSequence))
        {
            if (_checkpoints.TryLoad(c) is { } loaded)
            {
                (baseSequence, state) = (c, loaded);
                _cache.Put(c, loaded);
                break;
            }
            // Unreadable (cut by a power loss): dropped; the one before serves.
            checkpoint = c == 0 ? null : _checkpoints.Floor(c - 1);
        }
        if (state is null) throw Gap(tip.FirstSequence, sequence);
        if (baseSequence == sequence) return state;

        var expected = baseSequence + 1;
        foreach (var entry in Enumerate(tip, expected, sequence, new EventSelection()))
        {
            if (entry.Sequence != expected) throw Gap(expected, entry.Sequence - 1);
            state = state.Apply(entry.Recorded);
            expected++;
        }
        if (expected != sequence + 1) throw Gap(expected, sequence);
        _cache.Put(sequence, state);
        return state;
    }

    private static BadRequestException Gap(long from, long to) => new(
        $"the history held on this manager lacks events {from} to {to}: it installed a snapshot of the state from the leader there instead of the events; ask another manager, or the archive");

    public async Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct)
    {
        Task signal;
        lock (_signalGate)
        {
            if (_tip.LastSequence > afterSequence || _disposed) return;
            signal = _appended.Task;
        }
        try
        {
            await signal.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Signal()
    {
        lock (_signalGate)
        {
            var previous = _appended;
            _appended = NewSignal();
            previous.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        lock (_signalGate)
        {
            if (_disposed) return;
            _disposed = true;
            _appended.TrySetResult();
        }
        try
        {
            _checkpointing.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }
        try
        {
            Sync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _logger.LogWarning(e, "history: could not flush on close");
        }
        _data.Dispose();
        _index.Dispose();
        _subjects.Dispose();
    }

    // ---- records -------------------------------------------------------------------------------------------

    /// <summary>What a record holds: the events of one batch (or its tail, when the rest was held already).</summary>
    internal sealed record HistoryRecord(EventMetadata Metadata, IReadOnlyList<DomainEvent> Events, IReadOnlyList<EventSubject> Subjects);

    internal readonly record struct RecordHeader(int Length, uint Checksum, long FirstSequence, int Count, long AtTicks)
    {
        public static RecordHeader Parse(ReadOnlySpan<byte> bytes) => new(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[20..]));

        public bool IsPlausible => Length is > 0 and <= MaxRecordLength && Count > 0 && FirstSequence > 0;
    }

    internal readonly record struct IndexEntry(long FirstSequence, long Offset, long AtTicks, long MaxAtTicks, int Count, int Length)
    {
        public long LastSequence => FirstSequence + Count - 1;

        public long End => Offset + RecordHeaderSize + Length;

        public void WriteTo(Span<byte> bytes)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, FirstSequence);
            BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], Offset);
            BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], AtTicks);
            BinaryPrimitives.WriteInt64LittleEndian(bytes[24..], MaxAtTicks);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[32..], Count);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[36..], Length);
        }

        public static IndexEntry Parse(ReadOnlySpan<byte> bytes) => new(
            BinaryPrimitives.ReadInt64LittleEndian(bytes),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[36..]));
    }

    /// <summary>
    /// A record: header, then the payload = i32 length of the batch's JSON, the batch's JSON (the log entry's bytes
    /// when given), the subjects as a JSON array (one per event).
    /// </summary>
    private static byte[] Encode(IReadOnlyList<HistoryEntry> entries, int skip, ReadOnlyMemory<byte> logPayload, long previousMaxAt, out IndexEntry entry, long offset)
    {
        var held = skip == 0 ? entries : [.. entries.Skip(skip)];
        var metadata = held[0].Recorded.Metadata;
        var batch = logPayload.IsEmpty
            ? EventJson.Serialize(new EventBatch($"history-{held[0].Sequence}", metadata, [.. held.Select(e => e.Recorded.Event)]))
            : logPayload.Span;
        var subjects = JsonSerializer.SerializeToUtf8Bytes(held.Select(e => e.Subject).ToArray(), EventJson.Options);
        var length = 4 + batch.Length + subjects.Length;
        var at = metadata.At.UtcTicks;
        var record = new byte[RecordHeaderSize + length];
        BinaryPrimitives.WriteInt32LittleEndian(record, length);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), held[0].Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(16), held.Count);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(20), at);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(RecordHeaderSize), batch.Length);
        batch.CopyTo(record.AsSpan(RecordHeaderSize + 4));
        subjects.CopyTo(record, RecordHeaderSize + 4 + batch.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Checksum(record));
        entry = new IndexEntry(held[0].Sequence, offset, at, Math.Max(previousMaxAt, at), held.Count, length);
        return record;
    }

    /// <summary>The low half of XxHash64 (the log's own hash) over the header after the checksum and the payload.</summary>
    private static uint Checksum(ReadOnlySpan<byte> record) => (uint)XxHash64.HashToUInt64(record[8..]);

    private static EventSubject[] DecodeSubjects(ReadOnlySpan<byte> payload)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(payload);
        return JsonSerializer.Deserialize<EventSubject[]>(payload[(4 + length)..], EventJson.Options)
            ?? throw new InvalidDataException("history record without subjects");
    }

    internal static HistoryRecord DecodePayload(ReadOnlySpan<byte> payload)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var batch = EventJson.DeserializeBatch(payload.Slice(4, length));
        var subjects = JsonSerializer.Deserialize<EventSubject[]>(payload[(4 + length)..], EventJson.Options)
            ?? throw new InvalidDataException("history record without subjects");
        if (subjects.Length != batch.Events.Count) throw new InvalidDataException($"history record with {batch.Events.Count} events and {subjects.Length} subjects");
        return new HistoryRecord(batch.Metadata, batch.Events, subjects);
    }

    // ---- index ---------------------------------------------------------------------------------------------

    private IndexEntry ReadIndex(long i) => ReadIndex(_index.SafeFileHandle, i);

    private static IndexEntry ReadIndex(SafeFileHandle handle, long i)
    {
        Span<byte> bytes = stackalloc byte[IndexEntrySize];
        var read = RandomAccess.Read(handle, bytes, i * IndexEntrySize);
        if (read != IndexEntrySize) throw new InvalidDataException($"history index entry {i} is cut short");
        return IndexEntry.Parse(bytes);
    }

    /// <summary>The last record whose first sequence is at or before <paramref name="sequence"/>; -1 if none.</summary>
    private long LastWithFirstSequenceAtOrBefore(Tip tip, long sequence) => Bisect(tip.Records, i => ReadIndex(i).FirstSequence <= sequence);

    /// <summary>The last record whose running maximum of batch times is at or before <paramref name="ticks"/>; -1 if none.</summary>
    private long LastAtOrBefore(Tip tip, long ticks) => Bisect(tip.Records, i => ReadIndex(i).MaxAtTicks <= ticks);

    /// <summary>The last i in [0, count) for which a monotone (true…true false…false) predicate holds; -1 if none.</summary>
    private static long Bisect(long count, Func<long, bool> holds)
    {
        long lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (holds(mid)) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    // ---- opening and repair --------------------------------------------------------------------------------

    internal sealed record Tip(long Records, long DataLength, long FirstSequence, long LastSequence, long FirstAtTicks, long MaxAtTicks = long.MinValue);

    private static Tip Repair(string directory, FileStream data, FileStream index, ILogger logger)
    {
        if (data.Length < FileHeaderSize)
        {
            // New, or a crash before its header was whole: nothing was ever in it.
            data.SetLength(0);
            RandomAccess.Write(data.SafeFileHandle, Magic, 0);
            index.SetLength(0);
        }
        else
        {
            Span<byte> magic = stackalloc byte[FileHeaderSize];
            RandomAccess.Read(data.SafeFileHandle, magic, 0);
            if (!magic.SequenceEqual(Magic))
                throw new InvalidDataException($"{Path.Combine(directory, DataFileName)} is not an EventSwarm history file (or one of another version)");
        }
        var dataLength = data.Length;
        var records = index.Length / IndexEntrySize;
        // Index entries are written after their record: an entry whose record is not whole on disk goes.
        var droppedEntries = 0L;
        while (records > 0 && !IsWholeRecord(data.SafeFileHandle, dataLength, ReadIndex(index.SafeFileHandle, records - 1)))
        {
            records--;
            droppedEntries++;
        }
        if (index.Length != records * IndexEntrySize) index.SetLength(records * IndexEntrySize);

        // Records after the last indexed one: indexed now, up to the first that is not whole (a torn tail).
        var last = records > 0 ? ReadIndex(index.SafeFileHandle, records - 1) : (IndexEntry?)null;
        var offset = last?.End ?? FileHeaderSize;
        var rebuilt = 0;
        var cursor = new RecordCursor(data.SafeFileHandle, offset, dataLength);
        while (cursor.Next(out var header, out var payload, verify: true))
        {
            if (last is { } previous && header.FirstSequence <= previous.LastSequence) break;
            var entry = new IndexEntry(header.FirstSequence, offset, header.AtTicks, Math.Max(last?.MaxAtTicks ?? long.MinValue, header.AtTicks), header.Count, header.Length);
            var bytes = new byte[IndexEntrySize];
            entry.WriteTo(bytes);
            RandomAccess.Write(index.SafeFileHandle, bytes, records * IndexEntrySize);
            records++;
            rebuilt++;
            last = entry;
            offset = entry.End;
            _ = payload;
        }
        if (offset < dataLength)
        {
            logger.LogWarning("history: cut a torn tail of {Bytes} bytes at offset {Offset} of {File} (a record a crash left unfinished; the log replays it)",
                dataLength - offset, offset, DataFileName);
            data.SetLength(offset);
        }
        if (droppedEntries > 0 || rebuilt > 0)
            logger.LogInformation("history: index repaired ({Dropped} entries dropped, {Rebuilt} rebuilt from the data)", droppedEntries, rebuilt);
        data.Flush(flushToDisk: true);
        index.Flush(flushToDisk: true);
        if (records == 0) return new Tip(0, FileHeaderSize, 0, 0, 0);
        var first = ReadIndex(index.SafeFileHandle, 0);
        return new Tip(records, offset, first.FirstSequence, last!.Value.LastSequence, first.AtTicks, last.Value.MaxAtTicks);
    }

    private static bool IsWholeRecord(SafeFileHandle data, long dataLength, IndexEntry entry)
    {
        if (entry.Offset < FileHeaderSize || entry.Length <= 0 || entry.End > dataLength) return false;
        var cursor = new RecordCursor(data, entry.Offset, dataLength);
        return cursor.Next(out var header, out _, verify: true)
            && header.FirstSequence == entry.FirstSequence && header.Count == entry.Count && header.Length == entry.Length;
    }

    /// <summary>Reads records one after the other through a buffer (one read per 64 KiB, not two per record).</summary>
    private sealed class RecordCursor(SafeFileHandle handle, long offset, long end)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private long _bufferStart;
        private int _bufferLength;
        private long _offset = offset;

        public bool Next(out RecordHeader header, out ReadOnlyMemory<byte> payload, bool verify = false)
        {
            header = default;
            payload = default;
            if (_offset + RecordHeaderSize > end) return false;
            var head = Window(_offset, RecordHeaderSize);
            header = RecordHeader.Parse(head.Span);
            if (!header.IsPlausible || _offset + RecordHeaderSize + header.Length > end) return false;
            var whole = Window(_offset, RecordHeaderSize + header.Length);
            if (verify && Checksum(whole.Span) != header.Checksum) return false;
            payload = whole[RecordHeaderSize..];
            _offset += RecordHeaderSize + header.Length;
            return true;
        }

        private ReadOnlyMemory<byte> Window(long at, int length)
        {
            if (at < _bufferStart || at + length > _bufferStart + _bufferLength)
            {
                if (length > _buffer.Length) _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
                _bufferStart = at;
                _bufferLength = 0;
                var want = (int)Math.Min(_buffer.Length, end - at);
                while (_bufferLength < want)
                {
                    var read = RandomAccess.Read(handle, _buffer.AsSpan(_bufferLength, want - _bufferLength), at + _bufferLength);
                    if (read == 0) break;
                    _bufferLength += read;
                }
                if (_bufferLength < length) throw new InvalidDataException($"history record at offset {at} is cut short");
            }
            return _buffer.AsMemory((int)(at - _bufferStart), length);
        }
    }

    /// <summary>The last states computed or loaded, by sequence: time travel tends to look at the same instants again.</summary>
    private sealed class StateCache(int capacity)
    {
        private readonly LinkedList<(long Sequence, ClusterState State)> _entries = new();

        public (long Sequence, ClusterState? State)? Floor(long sequence)
        {
            lock (_entries)
            {
                LinkedListNode<(long, ClusterState)>? best = null;
                for (var node = _entries.First; node is not null; node = node.Next)
                    if (node.Value.Item1 <= sequence && (best is null || node.Value.Item1 > best.Value.Item1)) best = node;
                if (best is null) return null;
                _entries.Remove(best);
                _entries.AddFirst(best);
                return best.Value;
            }
        }

        public void Clear()
        {
            lock (_entries) _entries.Clear();
        }

        public void Put(long sequence, ClusterState state)
        {
            lock (_entries)
            {
                for (var node = _entries.First; node is not null; node = node.Next)
                    if (node.Value.Sequence == sequence) return;
                _entries.AddFirst((sequence, state));
                if (_entries.Count > capacity) _entries.RemoveLast();
            }
        }
    }
}
