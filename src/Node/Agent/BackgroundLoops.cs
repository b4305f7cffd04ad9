using EventSwarm.Application;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Swarm;
using EventSwarm.Application.Tasks;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Security;
using Mediator;

namespace EventSwarm.Node.Agent;

/// <summary>
/// The control loops run on the leader only, for as long as it leads: nothing else writes the cluster's state.
/// A worker never decides anything, so the loops stop for good when this node joins a swarm as one.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class ControlLoopService(ControlLoopRunner runner, Membership membership, RaftLogHost raft, Heartbeats heartbeats, ILogger<ControlLoopService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var managing = CancellationTokenSource.CreateLinkedTokenSource(ct, membership.BecameWorker);
        while (!managing.IsCancellationRequested)
        {
            try
            {
                // The log may be opened again (a node joining as a manager); wait on whichever is current.
                using var current = CancellationTokenSource.CreateLinkedTokenSource(managing.Token, raft.Replaced);
                var leading = await raft.Log.WaitForLeadershipAsync(current.Token);
                using var term = CancellationTokenSource.CreateLinkedTokenSource(current.Token, leading);
                // Beats heard during an earlier term are stale: every node gets the full grace from now on.
                heartbeats.Clear();
                logger.LogInformation("leading: control loops started");
                await runner.RunAsync(term.Token);
                logger.LogInformation("no longer leading: control loops stopped");
            }
            catch (OperationCanceledException) when (!managing.IsCancellationRequested)
            {
            }
            catch (InvalidOperationException) when (!managing.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ContinueWith(_ => { });
            }
        }
    }
}

/// <summary>
/// On a worker, the projection follows the manager's: its state once, then the events after it (long polling).
/// When the manager no longer holds the events it needs, or the line breaks, it starts over from the state.
/// </summary>
public sealed class RemoteFeedService(Membership membership, ClusterSecrets secrets, ClusterProjection projection, ILogger<RemoteFeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(ct, membership.BecameWorker).Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var manager = new ManagerClient(membership, secrets);
                projection.Restore(await manager.StateAsync(ct));
                while (await manager.EventsAsync(projection.Current.LastSequence, ct) is { } events)
                    projection.ApplyRecorded(events);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var failed = membership.ManagerAddress;
                // Any manager serves workers: fail over to the next one the log knows, round the list.
                var managers = projection.Current.Nodes.Values.Where(n => n.Manager is not null).Select(n => n.Manager!.Api).Order().ToList();
                if (managers.Count > 1)
                    membership.FollowManager(managers[(managers.IndexOf(failed!) + 1) % managers.Count]);
                logger.LogWarning("following manager {Manager} failed ({Error}); now following {Next}", failed, e.Message, membership.ManagerAddress);
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ContinueWith(_ => { });
            }
        }
    }
}

/// <summary>
/// The worker: waits until this node is part of a swarm, tells the managers what its engine is, then runs the
/// node's tasks. Reports go through the same command path as a user's commands.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class WorkerService(
    LocalNode local,
    ClusterProjection projection,
    IContainerRuntime runtime,
    IMediator mediator,
    IClock clock,
    Heartbeats heartbeats,
    Membership membership,
    ClusterSecrets secrets,
    LeaderLink leader,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!projection.Current.Nodes.ContainsKey(local.NodeId))
            await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromSeconds(5), ct);

        if (membership.IsWorker)
        {
            using var manager = new ManagerClient(membership, secrets);
            var remoteWorker = new WorkerAgent(local.NodeId, runtime, projection, (report, token) => manager.ReportAsync(report, token),
                clock, loggers.CreateLogger<WorkerAgent>());
            await Task.WhenAll(remoteWorker.RunAsync(ct), BeatAsync(token => manager.HeartbeatAsync(token), ct));
            return;
        }

        var node = projection.Current.Nodes[local.NodeId];
        var description = await local.DescriptionAsync(ct);
        // A manager that has just restarted may not see a leader yet: keep telling until one listens.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await mediator.Send(new RegisterNodeCommand(local.NodeId, node.Role, node.Address, description, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), ct);
                break;
            }
            catch (CommandRejectedException e) when (attempt < 60 && e.Error.Kind == Domain.ErrorKind.Unavailable)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }

        var worker = new WorkerAgent(local.NodeId, runtime, projection,
            (report, token) => mediator.Send(new ReportTaskStatusCommand(report, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), token).AsTask(),
            clock, loggers.CreateLogger<WorkerAgent>());
        await Task.WhenAll(worker.RunAsync(ct), BeatAsync(token => leader.BeatAsync(local.NodeId, token), ct));
    }

    /// <summary>This node's heartbeat: a memory write when the leader shares the process, a call to the manager otherwise.</summary>
    private async Task BeatAsync(Func<CancellationToken, Task> beat, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await beat(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A missed beat is what the node monitor is there to notice; keep beating.
            }
            try
            {
                await Task.Delay(heartbeats.Period, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
