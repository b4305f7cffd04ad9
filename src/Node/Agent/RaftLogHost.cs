using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DotNext.Net.Security;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;

namespace EventSwarm.Node.Agent;

/// <summary>
/// Opens the Raft log when the host starts (replaying it into the projection) and closes it on stop. A node that
/// joins a swarm as a manager starts its log again, empty, as a member that waits for the leader to add it.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class RaftLogHost(AgentOptions options, ClusterProjection projection, Membership membership, ClusterSecrets secrets, ILoggerFactory loggers)
    : IHostedService, IReplicatedLog
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RaftLog? _log;
    private CancellationTokenSource _replaced = new();

    public long CommittedIndex => _log?.CommittedIndex ?? 0;

    public RaftLog Log => _log ?? throw new InvalidOperationException("the log is not open yet");

    /// <summary>Cancelled when the log is closed or started again; whoever waits on the old one must look again.</summary>
    public CancellationToken Replaced => _replaced.Token;

    public bool IsLeader => _log?.IsLeader ?? false;

    public bool IsOpen => _log is not null;

    public async Task StartAsync(CancellationToken ct)
    {
        // A worker keeps no log: its state comes from the manager it follows.
        if (membership.IsWorker) return;
        _log = await RaftLog.StartAsync(Options(coldStart: !membership.IsManagerThatJoined), projection, loggers, ct);
        loggers.CreateLogger<RaftLogHost>().LogInformation("log open at {Endpoint}: {Index} entries committed, {Events} events",
            options.RaftEndpoint, _log.CommittedIndex, projection.Current.LastSequence);
    }

    /// <summary>Drops the log this node kept while alone and opens an empty one that a leader will fill.</summary>
    public Task StartAsJoiningManagerAsync(CancellationToken ct) => StartEmptyAsync(coldStart: false, ct);

    /// <summary>Left the swarm: the log is dropped and a new, empty one opens, as on a node that never joined.</summary>
    public Task StartAfreshAsync(CancellationToken ct) => StartEmptyAsync(coldStart: true, ct);

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

    private void DeleteLog()
    {
        var directory = Path.Combine(options.DataDirectory, "raft");
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
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

    /// <summary>Demoted: this node's copy of the log is closed and dropped; it follows a manager from now on.</summary>
    public async Task CloseAsWorkerAsync()
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

    public static Application.CommandRejectedException NotAManager() => new(new DomainError(ErrorKind.Unavailable,
        "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."));

    public ValueTask<Task> AppendAsync(EventBatch batch, CancellationToken ct) =>
        membership.IsWorker ? throw NotAManager() : Log.AppendAsync(batch, ct);

    public ValueTask CatchUpAsync(CancellationToken ct) => membership.IsWorker ? ValueTask.CompletedTask : Log.CatchUpAsync(ct);

    public Task StopAsync(CancellationToken ct) => CloseAsync();

    private async Task CloseAsync()
    {
        var replaced = _replaced;
        _replaced = new CancellationTokenSource();
        await replaced.CancelAsync();
        if (_log is not null) await _log.DisposeAsync();
        _log = null;
    }

    private RaftLogOptions Options(bool coldStart) => new(options.DataDirectory, options.RaftEndpoint, coldStart, Tls());

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
