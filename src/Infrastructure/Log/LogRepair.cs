using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace EventSwarm.Infrastructure.Log;

/// <summary>What a look at the write-ahead log before it opens found.</summary>
public enum LogCondition
{
    /// <summary>Every entry verifies (or there is no log).</summary>
    Intact,

    /// <summary>The entries from <see cref="LogCheck.FirstBad"/> to the last fail and none after the first failure
    /// verifies: what a power cut leaves (writes that never reached the disk). Cut back, the node starts.</summary>
    TornTail,

    /// <summary>An entry fails but a later one verifies: the disk damaged history, not a write in flight.</summary>
    Damaged,
}

/// <param name="FirstBad">The first entry that does not verify (0 when intact).</param>
/// <param name="LastVerified">The last entry that verifies after <see cref="FirstBad"/> (damage only).</param>
/// <param name="File">The file that holds the first bad entry: its metadata slot when that is gone, else its data.</param>
public sealed record LogCheck(LogCondition Condition, string WalDirectory, long SnapshotIndex, long CommitIndex, long LastIndex,
    long FirstBad = 0, long LastVerified = 0, string? File = null)
{
    /// <summary>The last entry of the verified prefix: what a cut keeps.</summary>
    public long LastGood => Condition == LogCondition.Intact ? LastIndex : FirstBad - 1;
}

/// <summary>
/// Checks the Raft write-ahead log before DotNext opens it, and cuts a torn tail back to the last entry that
/// verifies. DotNext verifies every entry after the snapshot when the log opens and throws on the first hash that
/// does not match (<c>MetadataReader.CompleteAndVerifyHash</c>): the agent aborted with a stack trace and no word
/// of which entry, or whether the damage was a torn tail or history. etcd's answer is the model: <c>wal.Repair</c>
/// truncates the last WAL file at the last record that decodes when the file ends mid-record (a torn write) and
/// keeps the original as <c>*.broken</c>; a CRC mismatch anywhere else refuses to start. Here a tail is every
/// entry from the first failure to the end failing (a torn write, or the last entry's bytes gone bad: either way
/// nothing after it depends on it), and damage is a failure with verifying entries after it.
/// </summary>
/// <remarks>
/// The layout read here is DotNext.Net.Cluster 6.12.0's <c>WriteAheadLog</c> (pinned; a unit test writes a real
/// log with it and checks this reading): <c>wal/checkpoint</c> = u32 version 1, i64 commit index, i64 last index
/// (version 0: one i64, both); <c>wal/metadata/N</c> = 4 KiB pages of 64-byte slots, slot i at i×64: term i64,
/// length i64, offset u64, flags u32, id u32 (32 bytes; DotNext's timestamp is off by default), then the entry's
/// hash; <c>wal/data/N</c> = chunks of <see cref="ChunkSize"/> holding the payloads at their offsets. The hash is
/// XxHash64 over the payload then the 32 metadata bytes. A page file shorter than its page reads as zeros, as
/// DotNext's memory mapping extends it.
/// </remarks>
public static class LogRepair
{
    /// <summary>RaftLog's WAL chunk size: the data pages' size, which their addressing depends on.</summary>
    public const int ChunkSize = 4 * 1024 * 1024;

    private const int MetadataPageSize = 4096;
    private const int SlotSize = 64;
    private const int MetadataSize = 32;
    private const int HashSize = 8;
    private const long MaxEntryLength = 1L << 30;

    /// <summary>The write-ahead log under a node's Raft directory (data/raft).</summary>
    public static string WalDirectory(string raftDirectory) => Path.Combine(raftDirectory, "wal");

    /// <summary>The index of the newest snapshot (DotNext's SimpleStateMachine names them INDEX-TERM): entries up to it are not checked.</summary>
    public static long SnapshotIndex(string raftDirectory)
    {
        var snapshots = new DirectoryInfo(Path.Combine(raftDirectory, "snapshots"));
        if (!snapshots.Exists) return 0;
        return snapshots.EnumerateFiles("*-*")
            .Select(f => f.Name.Split('-') is [var index, _] && long.TryParse(index, CultureInfo.InvariantCulture, out var i) ? i : 0)
            .DefaultIfEmpty(0).Max();
    }

    /// <summary>Reads the checkpoint and verifies every entry after the snapshot, as DotNext will when the log opens.</summary>
    public static LogCheck Check(string raftDirectory)
    {
        var wal = WalDirectory(raftDirectory);
        var snapshot = SnapshotIndex(raftDirectory);
        var (commit, last) = ReadCheckpoint(wal);
        commit = Math.Max(commit, snapshot);
        last = Math.Max(last, commit);
        using var pages = new PageReader(wal);
        var first = snapshot + 1;
        var verified = new List<bool>();
        for (var index = first; index <= last; index++) verified.Add(pages.Verifies(index));
        var (condition, firstBad, lastVerified) = Classify(first, verified);
        return new LogCheck(condition, wal, snapshot, commit, last, firstBad, lastVerified,
            condition == LogCondition.Intact ? null : pages.FileOf(firstBad));
    }

    /// <summary>
    /// Sorts the verification results of the entries from <paramref name="firstIndex"/> on: none failing is intact,
    /// a failing run to the end is a torn tail, a failure followed by an entry that verifies is damage.
    /// </summary>
    public static (LogCondition Condition, long FirstBad, long LastVerified) Classify(long firstIndex, IReadOnlyList<bool> verified)
    {
        var firstBad = -1;
        var lastVerified = -1;
        for (var i = 0; i < verified.Count; i++)
        {
            if (!verified[i] && firstBad < 0) firstBad = i;
            if (verified[i]) lastVerified = i;
        }
        if (firstBad < 0) return (LogCondition.Intact, 0, 0);
        return lastVerified > firstBad
            ? (LogCondition.Damaged, firstIndex + firstBad, firstIndex + lastVerified)
            : (LogCondition.TornTail, firstIndex + firstBad, 0);
    }

    /// <summary>
    /// Cuts the log back to <paramref name="lastGood"/>: the checkpoint says the log ends there, so DotNext opens it
    /// with that entry last and appends after it (over the cut entries). As etcd keeps <c>*.broken</c>, what is cut
    /// is kept first: the checkpoint and every page from the first cut entry on are copied to
    /// <c>wal.cut-TIMESTAMP</c> next to the log. Returns that directory.
    /// </summary>
    public static string CutBack(LogCheck check, long lastGood)
    {
        var wal = check.WalDirectory;
        var kept = Path.Combine(Path.GetDirectoryName(wal)!, $"wal.cut-{DateTime.UtcNow:yyyyMMddTHHmmssZ}");
        Directory.CreateDirectory(kept);
        File.Copy(Path.Combine(wal, "checkpoint"), Path.Combine(kept, "checkpoint"), overwrite: true);
        using (var pages = new PageReader(wal))
            foreach (var (folder, page) in pages.PagesFrom(lastGood + 1))
            {
                var from = Path.Combine(wal, folder, page.ToString(CultureInfo.InvariantCulture));
                if (!File.Exists(from)) continue;
                Directory.CreateDirectory(Path.Combine(kept, folder));
                File.Copy(from, Path.Combine(kept, folder, Path.GetFileName(from)), overwrite: true);
            }
        WriteCheckpoint(wal, Math.Min(check.CommitIndex, lastGood), lastGood);
        return kept;
    }

    /// <summary>Where an entry's payload lies in the data chunks (byte address over all chunks, and length), from its metadata slot.</summary>
    public static (long Address, long Length) Locate(string walDirectory, long index)
    {
        using var pages = new PageReader(walDirectory);
        return pages.Locate(index);
    }

    /// <summary>Moves the whole Raft directory aside (kept as evidence, never deleted) and returns where it went.</summary>
    public static string MoveAside(string raftDirectory)
    {
        var aside = $"{raftDirectory}.damaged-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
        Directory.Move(raftDirectory, aside);
        return aside;
    }

    /// <summary>How many Raft members the members file lists (DotNext's format: i64 version, i32 count, addresses).</summary>
    public static int MemberCount(string membersFile)
    {
        if (!File.Exists(membersFile)) return 0;
        var bytes = File.ReadAllBytes(membersFile);
        return bytes.Length >= 12 ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8, 4)) : 0;
    }

    private static (long Commit, long Last) ReadCheckpoint(string wal)
    {
        var path = Path.Combine(wal, "checkpoint");
        if (!File.Exists(path)) return (0, 0);
        var bytes = File.ReadAllBytes(path);
        return bytes.Length switch
        {
            0 => (0, 0),
            8 => (BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes)),
            >= 20 when BinaryPrimitives.ReadUInt32LittleEndian(bytes) == 1 =>
                (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(4)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12))),
            >= 12 when BinaryPrimitives.ReadUInt32LittleEndian(bytes) == 0 =>
                (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(4)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(4))),
            _ => throw new InvalidDataException($"the Raft log's checkpoint {path} has a layout this version does not know ({bytes.Length} bytes)"),
        };
    }

    private static void WriteCheckpoint(string wal, long commit, long last)
    {
        var bytes = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 1);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(4), commit);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), last);
        using var file = File.OpenHandle(Path.Combine(wal, "checkpoint"), FileMode.OpenOrCreate, FileAccess.Write, options: FileOptions.WriteThrough);
        RandomAccess.Write(file, bytes, 0);
        RandomAccess.SetLength(file, bytes.Length);
    }

    /// <summary>Reads metadata slots and payloads from the page files, a missing or short page reading as zeros.</summary>
    private sealed class PageReader(string wal) : IDisposable
    {
        private readonly Dictionary<string, SafeFileHandle?> _open = [];
        private readonly XxHash64 _hash = new();
        private readonly byte[] _buffer = new byte[64 * 1024];

        public bool Verifies(long index)
        {
            Span<byte> slot = stackalloc byte[MetadataSize + HashSize];
            Read("metadata", MetadataPageSize, index * SlotSize, slot);
            var length = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(slot[16..]);
            if (length < 0 || length > MaxEntryLength || offset > long.MaxValue / 2) return false;
            for (long done = 0; done < length;)
            {
                var part = (int)Math.Min(_buffer.Length, length - done);
                Read("data", ChunkSize, (long)offset + done, _buffer.AsSpan(0, part));
                _hash.Append(_buffer.AsSpan(0, part));
                done += part;
            }
            _hash.Append(slot[..MetadataSize]);
            Span<byte> actual = stackalloc byte[HashSize];
            _hash.GetHashAndReset(actual);
            return actual.SequenceEqual(slot[MetadataSize..]);
        }

        public (long Address, long Length) Locate(long index)
        {
            Span<byte> slot = stackalloc byte[MetadataSize + HashSize];
            Read("metadata", MetadataPageSize, index * SlotSize, slot);
            return ((long)BinaryPrimitives.ReadUInt64LittleEndian(slot[16..]), BinaryPrimitives.ReadInt64LittleEndian(slot[8..]));
        }

        /// <summary>The metadata page when the entry's slot is empty (its record is gone), else the data chunk its payload starts in.</summary>
        public string FileOf(long index)
        {
            Span<byte> slot = stackalloc byte[MetadataSize + HashSize];
            Read("metadata", MetadataPageSize, index * SlotSize, slot);
            var length = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(slot[16..]);
            var metadataPage = Path.Combine(wal, "metadata", (index * SlotSize / MetadataPageSize).ToString(CultureInfo.InvariantCulture));
            if (slot.IndexOfAnyExcept((byte)0) < 0 || length < 0 || length > MaxEntryLength || offset > long.MaxValue / 2) return metadataPage;
            return Path.Combine(wal, "data", ((long)offset / ChunkSize).ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>The metadata pages from the entry's slot on and the data chunks from its payload on (or all of them).</summary>
        public IEnumerable<(string Folder, long Page)> PagesFrom(long index)
        {
            var firstMetadata = index * SlotSize / MetadataPageSize;
            Span<byte> slot = stackalloc byte[MetadataSize + HashSize];
            Read("metadata", MetadataPageSize, index * SlotSize, slot);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(slot[16..]);
            var firstData = slot.IndexOfAnyExcept((byte)0) >= 0 && offset < long.MaxValue / 2 ? (long)offset / ChunkSize : 0;
            var found = new List<(string, long)>();
            foreach (var (folder, from) in new[] { ("metadata", firstMetadata), ("data", firstData) })
            {
                var dir = new DirectoryInfo(Path.Combine(wal, folder));
                if (!dir.Exists) continue;
                found.AddRange(dir.EnumerateFiles()
                    .Select(f => long.TryParse(f.Name, CultureInfo.InvariantCulture, out var page) ? page : -1)
                    .Where(page => page >= from)
                    .Select(page => (folder, page)));
            }
            return found;
        }

        private void Read(string folder, int pageSize, long address, Span<byte> into)
        {
            while (!into.IsEmpty)
            {
                var page = address / pageSize;
                var within = (int)(address % pageSize);
                var part = Math.Min(into.Length, pageSize - within);
                var target = into[..part];
                var read = 0;
                if (Handle(folder, page) is { } handle)
                    while (read < part && RandomAccess.Read(handle, target[read..], within + read) is var n and > 0) read += n;
                target[read..].Clear();
                into = into[part..];
                address += part;
            }
        }

        private SafeFileHandle? Handle(string folder, long page)
        {
            var path = Path.Combine(wal, folder, page.ToString(CultureInfo.InvariantCulture));
            if (!_open.TryGetValue(path, out var handle))
                _open[path] = handle = File.Exists(path) ? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) : null;
            return handle;
        }

        public void Dispose()
        {
            foreach (var handle in _open.Values) handle?.Dispose();
        }
    }
}
