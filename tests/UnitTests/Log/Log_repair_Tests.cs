using System.Diagnostics.CodeAnalysis;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.UnitTests.Log;

/// <summary>
/// The check before the log opens reads DotNext's write-ahead log itself, so these tests write a real one with
/// DotNext (the options RaftLog uses) and reopen it with DotNext after a cut: a DotNext upgrade that moves the
/// layout fails here, not on an operator's machine.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class Log_repair_Tests : IDisposable
{
    private readonly string _raft = Directory.CreateTempSubdirectory("eventswarm-logrepair-").FullName;

    private string Wal => LogRepair.WalDirectory(_raft);

    public void Dispose() => Directory.Delete(_raft, recursive: true);

    [Theory]
    [InlineData(new[] { true, true, true }, LogCondition.Intact, 0L)]
    [InlineData(new[] { true, true, false }, LogCondition.TornTail, 12L)]
    [InlineData(new[] { true, false, false }, LogCondition.TornTail, 11L)]
    [InlineData(new[] { false, false, false }, LogCondition.TornTail, 10L)]
    [InlineData(new[] { true, false, true }, LogCondition.Damaged, 11L)]
    [InlineData(new[] { false, true, false }, LogCondition.Damaged, 10L)]
    public void A_failing_run_to_the_end_is_a_torn_tail_and_a_failure_before_a_verified_entry_is_damage(bool[] verified, LogCondition expected, long firstBad)
    {
        var (condition, bad, _) = LogRepair.Classify(10, verified);
        Assert.Equal((expected, firstBad), (condition, bad));
    }

    [Fact]
    public async Task A_log_written_by_DotNext_verifies_entry_by_entry()
    {
        await WriteAsync(entries: 20);
        var check = LogRepair.Check(_raft);
        Assert.Equal((LogCondition.Intact, 20L, 20L), (check.Condition, check.CommitIndex, check.LastIndex));
    }

    [Fact]
    public async Task A_flipped_byte_in_an_old_entry_is_damage_named_by_entry_and_chunk()
    {
        await WriteAsync(entries: 20);
        Flip(7);
        var check = LogRepair.Check(_raft);
        Assert.Equal((LogCondition.Damaged, 7L, 20L), (check.Condition, check.FirstBad, check.LastVerified));
        Assert.Equal(Path.Combine(Wal, "data", "0"), check.File);
    }

    [Fact]
    public async Task A_torn_tail_cut_back_opens_in_DotNext_and_takes_appends_again()
    {
        await WriteAsync(entries: 20);
        Flip(19);
        Flip(20);
        var check = LogRepair.Check(_raft);
        Assert.Equal((LogCondition.TornTail, 19L, 18L), (check.Condition, check.FirstBad, check.LastGood));

        var kept = LogRepair.CutBack(check, check.LastGood);
        Assert.True(File.Exists(Path.Combine(kept, "checkpoint")) && File.Exists(Path.Combine(kept, "data", "0")), "what is cut is kept");

        // DotNext's own integrity check at open passes, the log ends at the cut and appends go after it.
        await using (var wal = await OpenAsync())
        {
            Assert.Equal(18L, wal.LastEntryIndex);
            var index = await wal.AppendAsync(new BinaryLogEntry { Content = new byte[300], Term = 1 });
            await wal.CommitAsync(index);
            await wal.FlushAsync();
            Assert.Equal(19L, index);
        }
        Assert.Equal((LogCondition.Intact, 19L), (LogRepair.Check(_raft).Condition, LogRepair.Check(_raft).LastIndex));
    }

    [Fact]
    public async Task A_metadata_page_truncated_to_zero_reads_as_missing_records()
    {
        await WriteAsync(entries: 70); // 64 slots per 4 KiB page: entries 64.. are on page 1
        File.WriteAllBytes(Path.Combine(Wal, "metadata", "1"), []);
        var check = LogRepair.Check(_raft);
        Assert.Equal((LogCondition.TornTail, 64L), (check.Condition, check.FirstBad));
        Assert.Equal(Path.Combine(Wal, "metadata", "1"), check.File);
    }

    private void Flip(long index) => RealWal.Flip(_raft, index);

    private Task WriteAsync(int entries) => RealWal.WriteAsync(_raft, entries);

    private Task<WriteAheadLog> OpenAsync() => RealWal.OpenAsync(_raft);
}

/// <summary>A write-ahead log written by DotNext itself, with RaftLog's options, under a Raft directory.</summary>
[Experimental("DOTNEXT001")]
internal static class RealWal
{
    public static void Flip(string raft, long index)
    {
        var wal = LogRepair.WalDirectory(raft);
        var (address, length) = LogRepair.Locate(wal, index);
        using var file = File.Open(Path.Combine(wal, "data", (address / LogRepair.ChunkSize).ToString()), FileMode.Open);
        file.Position = address % LogRepair.ChunkSize + length / 2;
        var b = file.ReadByte();
        file.Position--;
        file.WriteByte((byte)(b ^ 0xFF));
    }

    public static async Task WriteAsync(string raft, int entries)
    {
        await using var wal = await OpenAsync(raft);
        for (var i = 1; i <= entries; i++)
            await wal.AppendAsync(new BinaryLogEntry { Content = Enumerable.Range(0, 100 + i * 37).Select(b => (byte)(b * i)).ToArray(), Term = 1 });
        await wal.CommitAsync(entries);
        await wal.FlushAsync();
    }

    public static async Task<WriteAheadLog> OpenAsync(string raft)
    {
        var machine = new NullStateMachine(Directory.CreateDirectory(Path.Combine(raft, "snapshots")));
        await machine.RestoreAsync();
        var wal = new WriteAheadLog(new WriteAheadLog.Options
        {
            Location = LogRepair.WalDirectory(raft),
            ChunkSize = LogRepair.ChunkSize,
            HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash64,
        }, machine);
        await wal.InitializeAsync();
        return wal;
    }

    private sealed class NullStateMachine(DirectoryInfo location) : SimpleStateMachine(location)
    {
        protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token) => ValueTask.FromResult(false);

        protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token) => ValueTask.CompletedTask;

        protected override ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token) => ValueTask.CompletedTask;
    }
}
