using System.Diagnostics.CodeAnalysis;
using System.Net;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Log;

public sealed record RaftLogOptions(string DataDirectory, IPEndPoint Endpoint, long SnapshotEvery = 10_000);

/// <summary>
/// The event log replicated by Raft (DotNext), with its write-ahead log on local disk. A single manager is a
/// one-member cluster that leads at once; more managers join through membership changes (issue-sized work).
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class RaftLog : IReplicatedLog, IAsyncDisposable
{
    private readonly RaftCluster _cluster;
    private readonly WriteAheadLog _wal;
    private readonly ClusterStateMachine _stateMachine;

    private RaftLog(RaftCluster cluster, WriteAheadLog wal, ClusterStateMachine stateMachine)
    {
        _cluster = cluster;
        _wal = wal;
        _stateMachine = stateMachine;
    }

    public long CommittedIndex => _wal.LastCommittedEntryIndex;

    public static async Task<RaftLog> StartAsync(RaftLogOptions options, ClusterProjection projection, ILoggerFactory loggers, CancellationToken ct)
    {
        var root = Directory.CreateDirectory(Path.Combine(options.DataDirectory, "raft"));
        var stateMachine = new ClusterStateMachine(root.CreateSubdirectory("snapshots"), projection, options.SnapshotEvery);
        // The snapshot must be loaded before the WAL opens, or the WAL replays from entry 1 onto an empty state.
        await stateMachine.RestoreAsync(ct);
        var wal = new WriteAheadLog(new WriteAheadLog.Options
        {
            Location = Path.Combine(root.FullName, "wal"),
            ChunkSize = 4 * 1024 * 1024,
            HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash64,
        }, stateMachine);
        var configuration = new RaftCluster.TcpConfiguration(options.Endpoint)
        {
            ColdStart = true,
            // null selects the in-memory storage; since DotNext 6.2 membership itself lives in the WAL.
            ConfigurationStorage = null!,
            LowerElectionTimeout = 1000,
            UpperElectionTimeout = 2000,
            RequestTimeout = TimeSpan.FromMilliseconds(990),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            LoggerFactory = loggers,
        };
        var cluster = new RaftCluster(configuration) { AuditTrail = wal };
        await cluster.StartAsync(ct);
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct);
        // Entries committed before a crash are applied during start-up; wait for them so reads see them.
        await wal.WaitForApplyAsync(wal.LastCommittedEntryIndex, ct);
        return new RaftLog(cluster, wal, stateMachine);
    }

    public async ValueTask AppendAsync(EventBatch batch, CancellationToken ct)
    {
        var payload = EventJson.Serialize(batch);
        await _cluster.ReplicateAsync(new ReadOnlyMemory<byte>(payload), null, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAsync(CancellationToken.None);
        _cluster.Dispose();
        await _wal.DisposeAsync();
        await _stateMachine.DisposeAsync();
    }
}
