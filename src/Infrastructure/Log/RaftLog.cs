using System.Diagnostics.CodeAnalysis;
using System.Net;
using DotNext.Buffers;
using DotNext.Net;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using DotNext.Net.Security;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log.History;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Log;

/// <param name="ColdStart">True for the first manager of a swarm (it leads alone at once); false for a manager
/// joining one, which waits with an empty log until the leader adds it.</param>
/// <param name="Tls">Mutual TLS between managers; null only where no other manager can connect.</param>
/// <param name="PublicEndpoint">The member's address for the others when it listens on another (0.0.0.0:4377).</param>
/// <param name="Disk">The data directory's space alarm: appends are refused while it is raised.</param>
/// <param name="LeaderElected">Told each time a leader is elected (the node's metrics count leader changes); set
/// before the cluster starts, so a lone manager's own election at start counts too.</param>
public sealed record RaftLogOptions(string DataDirectory, IPEndPoint Endpoint, bool ColdStart = true, SslOptions? Tls = null,
    long SnapshotEvery = 10_000, TimeSpan? CommitTimeout = null, IPEndPoint? PublicEndpoint = null, DiskAlarm? Disk = null,
    long HistoryCheckpointEvery = EventHistoryStore.DefaultCheckpointEvery, Action? LeaderElected = null)
{
    /// <summary>$EVENTSWARM_SNAPSHOT_EVERY: entries between snapshots (tests make it small so that snapshots compact the log).</summary>
    public static long SnapshotEveryFromEnvironment(long fallback = 10_000) =>
        long.TryParse(Environment.GetEnvironmentVariable("EVENTSWARM_SNAPSHOT_EVERY"), out var every) && every > 0 ? every : fallback;

    /// <summary>$EVENTSWARM_HISTORY_CHECKPOINT_EVERY: events between the history's checkpoints of the state.</summary>
    public static long HistoryCheckpointEveryFromEnvironment(long fallback = EventHistoryStore.DefaultCheckpointEvery) =>
        long.TryParse(Environment.GetEnvironmentVariable("EVENTSWARM_HISTORY_CHECKPOINT_EVERY"), out var every) && every > 0 ? every : fallback;
}

public sealed record RaftMember(EndPoint Endpoint, bool IsLeader, bool IsReachable);

/// <summary>
/// The event log replicated by Raft (DotNext), with its write-ahead log on local disk. A single manager is a
/// one-member cluster that leads at once; more managers join through Raft membership changes.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class RaftLog : IReplicatedLog, IAsyncDisposable
{
    /// <summary>The message Swarm gives when too few managers are up to elect a leader.</summary>
    public const string NoLeader = "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

    /// <summary>The Raft membership, kept apart from the write-ahead log (under the data directory's raft/).</summary>
    public const string MembersFileName = "members.bin";

    /// <summary>After a forced new cluster: the last log index whose membership changes no longer count.</summary>
    private const string MembersFloorFileName = "members.floor";

    public long LastIndex => _wal.LastEntryIndex;

    /// <summary>Every event committed, kept on disk beside the log (which snapshots compact): raft/history.</summary>
    public IEventHistory History => _history;

    /// <summary>
    /// Forgets the Raft membership (`swarm init --force-new-cluster`), the log being closed: the next start is a
    /// cluster of this member alone. The membership changes already in the log are replayed on start and would
    /// bring the lost members back, so the ones up to <paramref name="lastIndex"/> are ignored from now on.
    /// </summary>
    public static void ForgetMembers(string dataDirectory, long lastIndex)
    {
        var root = Path.Combine(dataDirectory, "raft");
        File.WriteAllText(Path.Combine(root, MembersFloorFileName), lastIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Delete(Path.Combine(root, MembersFileName));
    }

    private readonly RaftCluster _cluster;
    private readonly WriteAheadLog _wal;
    private readonly ClusterStateMachine _stateMachine;
    private readonly EventHistoryStore _history;
    private readonly TimeSpan _commitTimeout;
    private readonly DiskAlarm? _disk;
    private CancellationToken _caughtUpFor = new(canceled: true);

    private RaftLog(RaftCluster cluster, WriteAheadLog wal, ClusterStateMachine stateMachine, EventHistoryStore history, TimeSpan commitTimeout, DiskAlarm? disk)
    {
        _cluster = cluster;
        _wal = wal;
        _stateMachine = stateMachine;
        _history = history;
        _commitTimeout = commitTimeout;
        _disk = disk;
    }

    /// <summary>
    /// Why the write-ahead log stopped taking writes (DotNext keeps its flusher's failure and refuses every append
    /// and commit from then on, until the log is opened again), or null while it works.
    /// </summary>
    public Exception? Failure
    {
        get
        {
            // Index 0 is always applied: the call only reports the kept failure, at once.
            var probe = _wal.WaitForApplyAsync(0L, CancellationToken.None);
            if (!probe.IsCompleted) return null;
            try
            {
                probe.GetAwaiter().GetResult();
                return null;
            }
            catch (ObjectDisposedException)
            {
                // Closed (reopened, left): not a failure of this log.
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }
    }

    public int MemberCount => _cluster.Members.Count;

    public bool IsStandingAside => _cluster.Standby;

    /// <summary>
    /// A manager whose disk is full must not lead: standby mode gives the leadership up (a leader turns follower at
    /// once) and stands for no election, while it still takes the entries it can.
    /// </summary>
    public async Task StandAsideAsync(CancellationToken ct)
    {
        if (!_cluster.Standby) await _cluster.EnableStandbyModeAsync(ct);
    }

    /// <summary>Space is back: it may stand for election again.</summary>
    public async Task StandAgainAsync(CancellationToken ct)
    {
        if (_cluster.Standby) await _cluster.RevertToNormalModeAsync(ct);
    }

    public long CommittedIndex => _wal.LastCommittedEntryIndex;

    /// <summary>The Raft term this member is in.</summary>
    public long Term => _cluster.Term;

    public EndPoint LocalEndpoint => _cluster.LocalMemberAddress;

    public bool IsLeader => !_cluster.LeadershipToken.IsCancellationRequested;

    public EndPoint? LeaderEndpoint => _cluster.Leader?.EndPoint;

    public IReadOnlyList<RaftMember> Members =>
        _cluster.Members.Select(m => new RaftMember(m.EndPoint, m.IsLeader, !m.IsRemote || m.Status != ClusterMemberStatus.Unavailable)).ToList();

    public static async Task<RaftLog> StartAsync(RaftLogOptions options, ClusterProjection projection, ILoggerFactory loggers, CancellationToken ct)
    {
        var root = Directory.CreateDirectory(Path.Combine(options.DataDirectory, "raft"));
        // A restart in place (joining as a manager) starts from nothing: the projection is rebuilt from the log.
        projection.Restore(ClusterState.Initial);
        // The history opens first: the log replays into it (what it holds already is skipped).
        var history = EventHistoryStore.Open(EventHistoryStore.DirectoryOf(root.FullName), options.HistoryCheckpointEvery, loggers.CreateLogger<EventHistoryStore>());
        try
        {
            return await StartAsync(options, projection, loggers, root, history, ct);
        }
        catch
        {
            history.Dispose();
            throw;
        }
    }

    private static async Task<RaftLog> StartAsync(RaftLogOptions options, ClusterProjection projection, ILoggerFactory loggers, DirectoryInfo root,
        EventHistoryStore history, CancellationToken ct)
    {
        var stateMachine = new ClusterStateMachine(root.CreateSubdirectory("snapshots"), projection, options.SnapshotEvery, history);
        // The snapshot must be loaded before the WAL opens, or the WAL replays from entry 1 onto an empty state.
        await stateMachine.RestoreAsync(ct);
        var wal = new WriteAheadLog(new WriteAheadLog.Options
        {
            Location = Path.Combine(root.FullName, "wal"),
            ChunkSize = LogRepair.ChunkSize,
            HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash64,
            // Not the default memory-mapped chunks: a chunk is mapped over a sparse file, so the first write to a
            // page the filesystem has no block for faults, and a full filesystem answers the fault with SIGBUS
            // (the agent died, exit -7, at the first write that did not fit). Private memory is written to the
            // chunk files with pwrite, where a full filesystem is an IOException (ENOSPC) the node survives. A
            // commit waits for that write, so an entry that could not be written is never acknowledged.
            MemoryManagement = WriteAheadLog.MemoryManagementStrategy.PrivateMemory,
        }, stateMachine);
        var configuration = new RaftCluster.TcpConfiguration(options.Endpoint)
        {
            PublicEndPoint = options.PublicEndpoint ?? options.Endpoint,
            ColdStart = options.ColdStart,
            // Members are kept in a file of their own: a restarted manager must come back into the cluster it
            // left, not cold-start a cluster of one.
            ConfigurationStorage = new MembersStorage(Path.Combine(root.FullName, MembersFileName), Path.Combine(root.FullName, MembersFloorFileName)),
            // Swarm's raft uses a 10 s election tick; 1–2 s keeps failover short and was stable in the prototype.
            LowerElectionTimeout = 1000,
            UpperElectionTimeout = 2000,
            RequestTimeout = TimeSpan.FromMilliseconds(990),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            SslOptions = options.Tls,
            LoggerFactory = loggers,
        };
        var cluster = new RaftCluster(configuration) { AuditTrail = wal };
        if (options.LeaderElected is { } elected)
            cluster.LeaderChanged += (_, leader) =>
            {
                // DotNext also raises it with no leader (an election under way); only an elected leader is a change.
                if (leader is not null) elected();
            };
        await cluster.StartAsync(ct);
        // A lone manager leads at once. With others, start-up never waits for an election: the node serves reads
        // (and refuses writes clearly) until a leader is found.
        if (cluster.Members.Count == 1 && options.ColdStart)
            await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct);
        // Entries committed before a crash are applied during start-up; wait for them so reads see them.
        await wal.WaitForApplyAsync(wal.LastCommittedEntryIndex, ct);
        return new RaftLog(cluster, wal, stateMachine, history, options.CommitTimeout ?? TimeSpan.FromSeconds(8), options.Disk);
    }

    public async ValueTask<Task> AppendAsync(EventBatch batch, CancellationToken ct)
    {
        // The term is read before the leadership is checked, as DotNext's own ReplicateAsync does.
        var term = _cluster.Term;
        var leadership = _cluster.LeadershipToken;
        if (leadership.IsCancellationRequested) throw LostLeadership();
        // Refused before anything is written, as etcd refuses a proposal under its NOSPACE alarm.
        _disk?.EnsureRoomForWrite();
        var payload = EventJson.Serialize(batch);
        // Appended here, in the caller's order; replication and the wait for the commit overlap with later appends.
        long index;
        try
        {
            index = await _wal.AppendAsync(new BinaryLogEntry { Content = payload, Term = term }, ct);
        }
        catch (Exception e) when (_disk is not null && DiskAlarm.IsNoSpace(e))
        {
            _disk.WriteFailed(e);
            throw _disk.Refused();
        }
        return CommitAsync(index, batch.BatchId, leadership, ct);
    }

    private async Task CommitAsync(long index, string batchId, CancellationToken leadership, CancellationToken ct)
    {
        _ = _cluster.ForceReplicationAsync(CancellationToken.None).AsTask().ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct, leadership);
        bounded.CancelAfter(_commitTimeout);
        try
        {
            await _wal.WaitForApplyAsync(index, bounded.Token);
        }
        catch (Exception e) when (_disk is not null && DiskAlarm.IsNoSpace(e))
        {
            // The entry could not be written: it is not committed, and is gone when the log is reopened.
            _disk.WriteFailed(e);
            throw _disk.Refused();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            if (leadership.IsCancellationRequested) throw LostLeadership();
            // The outcome is unknown (the entry may still commit), but a caller must not wait forever.
            throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable,
                $"the change was not committed within {_commitTimeout.TotalSeconds:0} s: a majority of the managers is not reachable. {NoLeader}"));
        }
        // A new leader may have put another entry at this index: only ours counts as committed.
        if (!_stateMachine.Applied(index, batchId)) throw LostLeadership();
    }

    private static CommandRejectedException LostLeadership() =>
        new(new DomainError(ErrorKind.Unavailable, $"{NoLeader} This manager lost the leadership before the change was committed; retry."));

    /// <summary>
    /// Before a new leader decides anything, every entry a previous leader committed must be applied here, or it
    /// would decide on a state that misses them.
    /// </summary>
    public async ValueTask CatchUpAsync(CancellationToken ct)
    {
        var leadership = _cluster.LeadershipToken;
        if (leadership == _caughtUpFor) return;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(_commitTimeout);
        try
        {
            await _cluster.ApplyReadBarrierAsync(bounded.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or NotLeaderException or QuorumUnreachableException && !ct.IsCancellationRequested)
        {
            throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable, NoLeader));
        }
        _caughtUpFor = leadership;
    }

    /// <summary>Waits until this member has applied everything the leader had committed when asked (a read barrier).</summary>
    public async Task WaitForLeaderCommitAsync(CancellationToken ct) => await _cluster.ApplyReadBarrierAsync(ct);

    /// <summary>Waits until this manager has applied the log up to an index (a write the leader committed for it).</summary>
    public async Task WaitForAppliedAsync(long index, CancellationToken ct) => await _wal.WaitForApplyAsync(index, ct);

    /// <summary>Tells followers the new commit index now rather than at the next heartbeat.</summary>
    public void PushCommitIndex() => _ = _cluster.ForceReplicationAsync(CancellationToken.None).AsTask().Quietly();

    /// <summary>A token cancelled when this manager stops leading; waits until it leads.</summary>
    public async ValueTask<CancellationToken> WaitForLeadershipAsync(CancellationToken ct) => await _cluster.WaitForLeadershipAsync(ct);

    public async Task AddMemberAsync(EndPoint member, CancellationToken ct)
    {
        if (!await _cluster.AddMemberAsync(member, ct))
            throw new InvalidOperationException($"the manager at {member} did not catch up with the log in time");
    }

    public async Task RemoveMemberAsync(EndPoint member, CancellationToken ct) => await _cluster.RemoveMemberAsync(member, ct);

    /// <summary>This member will never stand for election again (it is being demoted); only a follower can.</summary>
    public async Task<bool> StandByAsync(CancellationToken ct) => _cluster.Standby || await _cluster.EnableStandbyModeAsync(ct);


    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAsync(CancellationToken.None);
        _cluster.Dispose();
        await _wal.DisposeAsync();
        await _stateMachine.DisposeAsync();
        _history.Dispose();
    }

    /// <summary>The members file, minus the membership changes a forced new cluster left behind.</summary>
    private sealed class MembersStorage(string path, string floorPath) : IClusterConfigurationStorage<EndPoint>
    {
        private readonly MembersFile _file = new(path);
        private readonly long _floor = File.Exists(floorPath) ? long.Parse(File.ReadAllText(floorPath), System.Globalization.CultureInfo.InvariantCulture) : 0;

        public ValueTask<bool> SaveConfigurationAsync<TConfiguration>(TConfiguration configuration, long configurationVersion, CancellationToken token = default)
            where TConfiguration : DotNext.IO.IDataTransferObject =>
            // Version 0 is a cold start's own configuration; versions are log indexes otherwise.
            configurationVersion > 0 && configurationVersion <= _floor
                ? ValueTask.FromResult(false)
                : ((IClusterConfigurationStorage)_file).SaveConfigurationAsync(configuration, configurationVersion, token);

        ValueTask<(DotNext.IO.IDataTransferObject Configuration, long Version)> IClusterConfigurationStorage.LoadConfigurationAsync(CancellationToken token) =>
            ((IClusterConfigurationStorage)_file).LoadConfigurationAsync(token);

        public ValueTask<IClusterConfiguration<EndPoint>> LoadConfigurationAsync(CancellationToken token = default) =>
            ((IClusterConfigurationStorage<EndPoint>)_file).LoadConfigurationAsync(token);

        public event Func<IClusterConfiguration<EndPoint>, CancellationToken, ValueTask> ConfigurationChanged
        {
            add => _file.ConfigurationChanged += value;
            remove => _file.ConfigurationChanged -= value;
        }

        public void Dispose() => _file.Dispose();
    }

    private sealed class MembersFile(string path) : PersistentClusterConfigurationStorage<EndPoint>(path)
    {
        protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer) => writer.WriteEndPoint(address);

        protected override EndPoint Decode(ref DotNext.Buffers.SequenceReader reader) => reader.ReadEndPoint();
    }
}
