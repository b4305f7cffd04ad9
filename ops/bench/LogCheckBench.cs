using System.Diagnostics;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using EventSwarm.Infrastructure.Log;

/// <summary>
/// What the check of the Raft log at start costs (issue 10): a write-ahead log written by DotNext with RaftLog's
/// options, verified entry by entry as the agent does before opening it, then a torn tail cut back. Usage:
/// <c>bench logcheck [ENTRIES] [BYTES_PER_ENTRY]</c> (default 10,000 × 2,000: a log at its snapshot interval).
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public static class LogCheckBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var entries = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        var size = args.Length > 1 ? int.Parse(args[1]) : 2_000;
        var raft = Directory.CreateTempSubdirectory("eventswarm-logcheck-").FullName;
        try
        {
            var machine = new NullStateMachine(Directory.CreateDirectory(Path.Combine(raft, "snapshots")));
            await machine.RestoreAsync();
            await using (var wal = new WriteAheadLog(new WriteAheadLog.Options
            {
                Location = LogRepair.WalDirectory(raft),
                ChunkSize = LogRepair.ChunkSize,
                HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash64,
            }, machine))
            {
                await wal.InitializeAsync();
                var payload = new byte[size];
                Random.Shared.NextBytes(payload);
                for (var i = 0; i < entries; i++) await wal.AppendAsync(new BinaryLogEntry { Content = payload, Term = 1 });
                await wal.CommitAsync(entries);
                await wal.FlushAsync();
            }
            var mib = (double)entries * size / (1 << 20);
            for (var round = 1; round <= 3; round++)
            {
                var clock = Stopwatch.StartNew();
                var check = LogRepair.Check(raft);
                Console.WriteLine($"logcheck: {entries} entries × {size} B ({mib:0.0} MiB): verified in {clock.Elapsed.TotalMilliseconds:0} ms ({check.Condition}, round {round})");
            }
            var cut = Stopwatch.StartNew();
            LogRepair.CutBack(LogRepair.Check(raft), entries - 1);
            Console.WriteLine($"logcheck: check + cut of a torn last entry: {cut.Elapsed.TotalMilliseconds:0} ms");
            return 0;
        }
        finally
        {
            Directory.Delete(raft, recursive: true);
        }
    }

    private sealed class NullStateMachine(DirectoryInfo location) : SimpleStateMachine(location)
    {
        protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token) => ValueTask.FromResult(false);
        protected override ValueTask PersistAsync(DotNext.IO.IAsyncBinaryWriter writer, CancellationToken token) => ValueTask.CompletedTask;
        protected override ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token) => ValueTask.CompletedTask;
    }
}
