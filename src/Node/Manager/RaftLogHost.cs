using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DotNext.Net.Security;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Manager;

/// <summary>
/// The Raft log of a manager: opened by `swarm init` (a cluster of one) or by joining as a manager (empty, until
/// the leader adds it), at the Raft endpoint of the node's <see cref="SwarmAddresses"/>, and closed and dropped by
/// `swarm leave`. A node in no swarm, like a worker, keeps no log. A restarted agent opens the log it had.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class RaftLogHost(AgentOptions options, ClusterProjection projection, Membership membership, ClusterSecrets secrets,
    SwarmAddressBook addresses, ILoggerFactory loggers, DiskAlarm disk, Metrics.NodeMetrics metrics)
    : IHostedService, IReplicatedLog
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private RaftLog? _log;
    private CancellationTokenSource _replaced = new();
    private Task _diskWatch = Task.CompletedTask;
    private bool _stoodAside;

    public long CommittedIndex => _log?.CommittedIndex ?? 0;

    /// <summary>The open log's Raft term; 0 without a log.</summary>
    public long Term => _log?.Term ?? 0;

    /// <summary>The open log's last index (appended, committed or not); 0 without a log.</summary>
    public long LastIndex => _log?.LastIndex ?? 0;

    public RaftLog Log => _log ?? throw new InvalidOperationException("the log is not open yet");

    /// <summary>Cancelled when the log is closed or started again; whoever waits on the old one must look again.</summary>
    public CancellationToken Replaced => _replaced.Token;

    public bool IsLeader => _log?.IsLeader ?? false;

    public bool IsOpen => _log is not null;

    /// <summary>The open log's history, or the error a node without a log gives (a worker, a node in no swarm).</summary>
    public IEventHistory History => membership.IsWorker ? throw NotAManager() : (_log ?? throw NotInSwarm()).History;

    public async Task StartAsync(CancellationToken ct)
    {
        disk.Probe();
        _diskWatch = WatchDiskAsync(_stopping.Token);
        // A worker keeps no log: its state comes from the manager it follows.
        if (membership.IsWorker) return;
        if (secrets.IsLocked)
        {
            // Swarm's autolock: the keys that open the swarm are wrapped; the log stays closed (and the projection
            // empty, which the worker takes for "not yet": it waits for its node) until `swarm unlock`.
            loggers.CreateLogger<RaftLogHost>().LogWarning("this manager is locked (autolock): the log stays closed until `swarm unlock` is given the unlock key");
            return;
        }
        await OpenAtStartAsync(ct);
    }

    /// <summary>
    /// `swarm unlock`: the log opens as it would have at start (replayed before this returns, as at start, so the
    /// worker, which waits for its node to appear, never sees a prefix of it).
    /// </summary>
    public async Task OpenAfterUnlockAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // The log outlives the request that unlocked it (--recover-from-peers keeps catching up after it).
            if (_log is null) await OpenAtStartAsync(_stopping.Token);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OpenAtStartAsync(CancellationToken ct)
    {
        if (addresses.Current is null)
        {
            if (!Directory.Exists(LogDirectory)) return;
            await AdoptLegacyLogAsync(ct);
            return;
        }
        // --force-new-cluster forgot the membership (LogDamage): a cluster of this manager alone, even one that joined.
        _log = await RaftLog.StartAsync(Options(coldStart: options.ForceNewCluster || !membership.IsManagerThatJoined), projection, loggers, ct);
        loggers.CreateLogger<RaftLogHost>().LogInformation("log open at {Endpoint}: {Index} entries committed, {Events} events",
            addresses.Current.RaftAdvertise, _log.CommittedIndex, projection.Current.LastSequence);
        if (options.RecoverFromPeers) _ = CatchUpFromPeersAsync(_log, ct);
    }

    /// <summary>
    /// --recover-from-peers: the log started empty; until it holds what the leader has committed the projection is
    /// a prefix of the history, and the worker must not take it for the state (it would stop every task).
    /// </summary>
    private async Task CatchUpFromPeersAsync(RaftLog log, CancellationToken ct)
    {
        var logger = loggers.CreateLogger<RaftLogHost>();
        var started = DateTime.UtcNow;
        projection.IsCatchingUp = true;
        try
        {
            for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
            {
                try
                {
                    using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    bounded.CancelAfter(TimeSpan.FromSeconds(10));
                    await log.WaitForLeaderCommitAsync(bounded.Token);
                    logger.LogInformation("--recover-from-peers: caught up from the leader in {Seconds:0.0} s: {Index} entries committed, {Events} events",
                        (DateTime.UtcNow - started).TotalSeconds, log.CommittedIndex, projection.Current.LastSequence);
                    return;
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is not ObjectDisposedException)
                {
                    logger.LogWarning("--recover-from-peers: not caught up yet (attempt {Attempt}: {Error}); retrying", attempt, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), ct).Quietly();
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            projection.IsCatchingUp = false;
        }
    }

    /// <summary>
    /// A data directory from before addresses belonged to `swarm init` (the log was opened at every start, at the
    /// agent's --raft-addr, and other nodes reached it at --listen-addr): if that log holds a swarm, those
    /// addresses become the swarm's; otherwise it is dropped, as on a node in no swarm.
    /// </summary>
    private async Task AdoptLegacyLogAsync(CancellationToken ct)
    {
        var listen = options.ListenEndpoint ?? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, SwarmAddresses.DefaultPort);
        var legacy = SwarmAddresses.Build(listen, listen, null, options with
        {
            RaftEndpoint = options.RaftEndpoint ?? new System.Net.IPEndPoint(listen.Address, SwarmAddresses.RaftPort),
        });
        addresses.Save(legacy);
        _log = await RaftLog.StartAsync(Options(coldStart: !membership.IsManagerThatJoined), projection, loggers, ct);
        if (projection.Current.Swarm is not null) return;
        await CloseAsync();
        DeleteLog();
        addresses.Clear();
    }

    /// <summary>`swarm init`: a new log, a cluster of this manager alone, which leads at once.</summary>
    public Task StartNewClusterAsync(CancellationToken ct) => StartEmptyAsync(coldStart: true, ct);

    /// <summary>Joined (or promoted) as a manager: an empty log, a member that waits for the leader to add it.</summary>
    public Task StartAsJoiningManagerAsync(CancellationToken ct) => StartEmptyAsync(coldStart: false, ct);

    private async Task StartEmptyAsync(bool coldStart, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await CloseAsync();
            DeleteLog();
            _log = await RaftLog.StartAsync(Options(coldStart), projection, loggers, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Left the swarm (or demoted): the log is closed, its Raft endpoint with it, and dropped.</summary>
    public async Task CloseAndDropAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await CloseAsync();
            DeleteLog();
        }
        finally
        {
            _gate.Release();
        }
    }

    private string LogDirectory => Path.Combine(options.DataDirectory, "raft");

    private void DeleteLog()
    {
        if (Directory.Exists(LogDirectory)) Directory.Delete(LogDirectory, recursive: true);
    }

    /// <summary>Closes the log and opens it again: a leader that must stop leading comes back as a follower.</summary>
    public async Task ReopenAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        // The projection is rebuilt from the log while it reopens; the worker must not act on the partial state.
        projection.IsCatchingUp = true;
        try
        {
            await CloseAsync();
            _log = await RaftLog.StartAsync(Options(coldStart: !membership.IsManagerThatJoined), projection, loggers, ct);
        }
        finally
        {
            projection.IsCatchingUp = false;
            _gate.Release();
        }
    }

    /// <summary>
    /// `swarm init --force-new-cluster`: the log is kept but the Raft membership is forgotten, and the log opens as
    /// a cluster of this manager alone, which leads at once.
    /// </summary>
    public async Task ForceNewClusterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        projection.IsCatchingUp = true;
        try
        {
            var lastIndex = Log.LastIndex;
            await CloseAsync();
            RaftLog.ForgetMembers(options.DataDirectory, lastIndex);
            _log = await RaftLog.StartAsync(Options(coldStart: true), projection, loggers, ct);
        }
        finally
        {
            projection.IsCatchingUp = false;
            _gate.Release();
        }
    }

    public static Application.CommandRejectedException NotAManager() => new(new DomainError(ErrorKind.Unavailable,
        "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."));

    /// <summary>Docker's answer to a swarm command on a node in no swarm.</summary>
    public static Application.CommandRejectedException NotInSwarm() => new(new DomainError(ErrorKind.Unavailable, Domain.Swarm.SwarmDecider.NotInSwarm));

    public async ValueTask<Task> AppendAsync(EventBatch batch, CancellationToken ct)
    {
        var log = membership.IsWorker ? throw NotAManager() : _log ?? throw NotInSwarm();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var committed = await log.AppendAsync(batch, ct);
        foreach (var @event in batch.Events) metrics.EventsAppended.WithLabels(@event.GetType().Name).Inc();
        return Timed(committed, started);
    }

    /// <summary>Append to commit, observed for the batches that did commit (a refused or lost one has no commit time).</summary>
    private async Task Timed(Task committed, long started)
    {
        await committed;
        metrics.RaftCommitDuration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public ValueTask CatchUpAsync(CancellationToken ct) => membership.IsWorker ? ValueTask.CompletedTask : (_log ?? throw NotInSwarm()).CatchUpAsync(ct);

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _diskWatch.Quietly();
        await CloseAsync();
    }

    /// <summary>
    /// The disk alarm's probe, every second as etcd's alarm checks: raised while the data directory's filesystem
    /// is short of space or the log failed a write for want of it, cleared by itself once space is back. A log
    /// that failed a write (DotNext then refuses all until it is opened again) is reopened then: what was
    /// committed is on disk, an entry that could not be written was never acknowledged, and a follower catches
    /// up from the leader. In a swarm of several managers, a manager under the alarm stands aside (standby) so
    /// that one which can write leads; a lone manager keeps leading and refuses writes with the alarm's message.
    /// </summary>
    private async Task WatchDiskAsync(CancellationToken ct)
    {
        var logger = loggers.CreateLogger<DiskAlarm>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var wasRaised = disk.IsRaised;
                try
                {
                    await CheckDiskAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "disk alarm probe failed");
                }
                if (disk.IsRaised && !wasRaised) logger.LogError("disk alarm raised: {Message}", disk.Message);
                else if (!disk.IsRaised && wasRaised) logger.LogWarning("disk alarm cleared: space is back on the data directory's filesystem, writes resume");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CheckDiskAsync(CancellationToken ct)
    {
        if (_log?.Failure is { } failure && DiskAlarm.IsNoSpace(failure) && !disk.LogWriteFailed) disk.WriteFailed(failure);
        disk.Probe();
        if (disk.LogWriteFailed && disk.HasRoomToReopen())
        {
            if (_log?.Failure is not null)
            {
                loggers.CreateLogger<DiskAlarm>().LogWarning("space is back: reopening the log that failed a write");
                await ReopenAsync(ct);
                _stoodAside = false;
            }
            disk.LogRecovered();
        }
        if (_log is not { } log || membership.IsWorker) return;
        if (disk.IsRaised && !log.IsStandingAside && log.MemberCount > 1)
        {
            await log.StandAsideAsync(ct);
            _stoodAside = true;
        }
        else if (!disk.IsRaised && _stoodAside)
        {
            await log.StandAgainAsync(ct);
            _stoodAside = false;
        }
    }

    private async Task CloseAsync()
    {
        var replaced = _replaced;
        _replaced = new CancellationTokenSource();
        await replaced.CancelAsync();
        if (_log is not null) await _log.DisposeAsync();
        _log = null;
    }

    private RaftLogOptions Options(bool coldStart)
    {
        var at = addresses.Current ?? throw new InvalidOperationException("this node has no swarm addresses: it is in no swarm");
        return new RaftLogOptions(options.DataDirectory, at.RaftListenEndpoint, coldStart, Tls(), PublicEndpoint: at.RaftAdvertiseEndpoint, Disk: disk,
            SnapshotEvery: RaftLogOptions.SnapshotEveryFromEnvironment(), HistoryCheckpointEvery: RaftLogOptions.HistoryCheckpointEveryFromEnvironment(),
            LeaderElected: () => metrics.LeaderChanges.Inc());
    }

    /// <summary>
    /// Raft traffic is mutual TLS between managers only: each side shows its node certificate and accepts a peer
    /// whose certificate the swarm's CA signed for a manager. Certificates are looked up per connection, so the
    /// log opened before `swarm init` uses the ones init creates.
    /// </summary>
    private SslOptions Tls()
    {
        bool IsManager(X509Certificate? peer) => peer is not null && secrets.Identify(new X509Certificate2(peer)) is { IsManager: true };
        return new SslOptions
        {
            ServerOptions = new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, _) => secrets.NodeCertificate()!,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, peer, _, _) => IsManager(peer),
            },
            ClientOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => secrets.NodeCertificate()!,
                RemoteCertificateValidationCallback = (_, peer, _, _) => IsManager(peer),
            },
        };
    }
}
