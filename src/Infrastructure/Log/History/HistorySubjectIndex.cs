using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using EventSwarm.Domain.History;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Log.History;

/// <summary>
/// <c>events.sdx</c>: which records concern which service, task and node, so that `audit --service` and `explain
/// task` read the few records of one object instead of decoding the whole history. Append-only, 16-byte entries in
/// record order: the 64-bit hash of a subject key ("s:" service id, "t:" task id, "n:" node id), the record number
/// (u32) and a check (u32) over both, one entry per distinct key of a record. A hash names a key with a collision
/// now and then: readers filter the records found by the real subjects, so a collision costs a record read, never a
/// wrong answer. It is derived data: cut back or rebuilt from the records at open when it is behind, torn or missing.
/// </summary>
public sealed class HistorySubjectIndex : IDisposable
{
    public const string FileName = "events.sdx";
    public const int EntrySize = 16;
    private const int ScanBuffer = 256 * 1024;

    private readonly FileStream _file;
    private long _entries;

    private HistorySubjectIndex(FileStream file, long entries)
    {
        _file = file;
        _entries = entries;
    }

    public long Bytes => Volatile.Read(ref _entries) * EntrySize;

    public static ulong ServiceKey(string id) => Key('s', id);

    public static ulong TaskKey(string id) => Key('t', id);

    public static ulong NodeKey(string id) => Key('n', id);

    private static ulong Key(char kind, string id)
    {
        var bytes = new byte[2 + Encoding.UTF8.GetByteCount(id)];
        bytes[0] = (byte)kind;
        bytes[1] = (byte)':';
        Encoding.UTF8.GetBytes(id, bytes.AsSpan(2));
        return XxHash64.HashToUInt64(bytes);
    }

    /// <summary>The distinct keys of a record's subjects: what a selection by service, task or node looks up.</summary>
    public static IReadOnlyCollection<ulong> KeysOf(IEnumerable<EventSubject> subjects)
    {
        var keys = new HashSet<ulong>();
        foreach (var subject in subjects)
        {
            if (subject.ServiceId is { } service) keys.Add(ServiceKey(service));
            if (subject.Kind == SubjectKind.Task) keys.Add(TaskKey(subject.Id));
            if (subject.NodeId is { } node) keys.Add(NodeKey(node));
        }
        return keys;
    }

    /// <summary>
    /// Opens the index of a history holding <paramref name="records"/> records: entries that are torn, or of records
    /// no longer held, are cut; the entries of the last record indexed (perhaps written in part) and of the records
    /// after it are written again from <paramref name="subjectsFrom"/>.
    /// </summary>
    internal static HistorySubjectIndex Open(string directory, long records, Func<long, IEnumerable<(long Record, IReadOnlyList<EventSubject> Subjects)>> subjectsFrom, ILogger logger)
    {
        var file = new FileStream(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var entries = file.Length / EntrySize;
            var whole = entries;
            Span<byte> bytes = stackalloc byte[EntrySize];
            long? lastRecord = null;
            while (entries > 0)
            {
                RandomAccess.Read(file.SafeFileHandle, bytes, (entries - 1) * EntrySize);
                if (Parse(bytes) is { } entry && entry.Record < records)
                {
                    lastRecord = entry.Record;
                    break;
                }
                entries--;
            }
            // The last record's entries may be written in part: they are all written again.
            var from = lastRecord ?? 0;
            while (entries > 0)
            {
                RandomAccess.Read(file.SafeFileHandle, bytes, (entries - 1) * EntrySize);
                if (Parse(bytes)?.Record != from) break;
                entries--;
            }
            file.SetLength(entries * EntrySize);
            var index = new HistorySubjectIndex(file, entries);
            var rebuilt = 0L;
            if (from < records)
            {
                foreach (var (record, subjects) in subjectsFrom(from))
                {
                    index.Append(record, subjects);
                    rebuilt++;
                }
            }
            if (whole != entries || rebuilt > 1 || (rebuilt == 1 && lastRecord is null))
                logger.LogInformation("history: subject index repaired ({Dropped} entries cut, {Rebuilt} records indexed again from the data)", whole - entries, rebuilt);
            file.Flush(flushToDisk: true);
            return index;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes the entries of record <paramref name="record"/> (after its record and index entry).</summary>
    public void Append(long record, IEnumerable<EventSubject> subjects)
    {
        var keys = KeysOf(subjects);
        if (keys.Count == 0) return;
        var bytes = new byte[keys.Count * EntrySize];
        var i = 0;
        foreach (var key in keys) Write(bytes.AsSpan(i++ * EntrySize, EntrySize), key, record);
        RandomAccess.Write(_file.SafeFileHandle, bytes, _entries * EntrySize);
        Volatile.Write(ref _entries, _entries + keys.Count);
    }

    /// <summary>Drops the entries of the records from <paramref name="record"/> on (the history was cut back there).</summary>
    public void TruncateFrom(long record)
    {
        var entries = FirstEntryAtOrAfter(record, Volatile.Read(ref _entries));
        _file.SetLength(entries * EntrySize);
        Volatile.Write(ref _entries, entries);
    }

    public void Flush() => _file.Flush(flushToDisk: true);

    /// <summary>The records in [<paramref name="fromRecord"/>, <paramref name="toRecord"/>) with an entry for <paramref name="key"/>, in order.</summary>
    public IEnumerable<long> Records(ulong key, long fromRecord, long toRecord)
    {
        var entries = Volatile.Read(ref _entries);
        var at = FirstEntryAtOrAfter(fromRecord, entries);
        var buffer = new byte[ScanBuffer];
        while (at < entries)
        {
            var count = (int)Math.Min(ScanBuffer / EntrySize, entries - at);
            var read = ReadFully(buffer.AsSpan(0, count * EntrySize), at * EntrySize);
            count = read / EntrySize;
            if (count == 0) yield break;
            for (var i = 0; i < count; i++)
            {
                var bytes = buffer.AsSpan(i * EntrySize, EntrySize);
                var record = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
                if (record >= toRecord) yield break;
                if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) == key) yield return record;
            }
            at += count;
        }
    }

    private int ReadFully(Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(_file.SafeFileHandle, buffer[total..], offset + total);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    /// <summary>The first entry whose record is at or after <paramref name="record"/> (entries are in record order).</summary>
    private long FirstEntryAtOrAfter(long record, long entries)
    {
        Span<byte> bytes = stackalloc byte[EntrySize];
        long lo = 0, hi = entries;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            RandomAccess.Read(_file.SafeFileHandle, bytes, mid * EntrySize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]) < record) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>One entry's bytes (tests write entries that collide).</summary>
    public static byte[] Entry(ulong key, long record)
    {
        var bytes = new byte[EntrySize];
        Write(bytes, key, record);
        return bytes;
    }

    private static void Write(Span<byte> bytes, ulong key, long record)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, key);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], checked((uint)record));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], Check(bytes[..12]));
    }

    private static (ulong Key, long Record)? Parse(ReadOnlySpan<byte> bytes) =>
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]) == Check(bytes[..12])
            ? (BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]))
            : null;

    // Seeded, so that a tail a crash left zero-filled does not pass for entries (its check is not zero).
    private static uint Check(ReadOnlySpan<byte> bytes) => (uint)XxHash64.HashToUInt64(bytes, 0x5d_6f_75_72);

    public void Dispose() => _file.Dispose();
}
