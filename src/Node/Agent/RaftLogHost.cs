using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.Node.Agent;

/// <summary>Opens the Raft log when the host starts (replaying it into the projection) and closes it on stop.</summary>
[Experimental("DOTNEXT001")]
public sealed class RaftLogHost(AgentOptions options, ClusterProjection projection, Membership membership, ILoggerFactory loggers) : IHostedService, IReplicatedLog
{
    private RaftLog? _log;

    public long CommittedIndex => _log?.CommittedIndex ?? 0;

    public async Task StartAsync(CancellationToken ct)
    {
        _log = await RaftLog.StartAsync(new RaftLogOptions(options.DataDirectory, options.RaftEndpoint), projection, loggers, ct);
        loggers.CreateLogger<RaftLogHost>().LogInformation("log open: {Index} entries committed, {Events} events", _log.CommittedIndex, projection.Current.LastSequence);
    }

    public ValueTask AppendAsync(EventBatch batch, CancellationToken ct) =>
        membership.IsWorker
            ? throw new Application.CommandRejectedException(new DomainError(ErrorKind.Unavailable,
                "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."))
            : (_log ?? throw new InvalidOperationException("the log is not open yet")).AppendAsync(batch, ct);

    public async Task StopAsync(CancellationToken ct)
    {
        if (_log is not null) await _log.DisposeAsync();
    }
}
