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

/// <summary>The leader's control loops. With one manager this node always leads.</summary>
public sealed class ControlLoopService(ControlLoopRunner runner, Membership membership) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        // A worker never decides anything: the loops stop for good when this node joins another swarm.
        using var managing = CancellationTokenSource.CreateLinkedTokenSource(ct, membership.BecameWorker);
        await runner.RunAsync(managing.Token);
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
                using var manager = new ManagerClient(membership.ManagerAddress!, secrets);
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
                logger.LogWarning("following manager {Manager} failed ({Error}); retrying", membership.ManagerAddress, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ContinueWith(_ => { });
            }
        }
    }
}

/// <summary>
/// The worker: waits until this node is part of a swarm, tells the managers what its engine is, then runs the
/// node's tasks. Reports go through the same command path as a user's commands.
/// </summary>
public sealed class WorkerService(
    LocalNode local,
    ClusterProjection projection,
    IContainerRuntime runtime,
    IMediator mediator,
    IClock clock,
    Heartbeats heartbeats,
    Membership membership,
    ClusterSecrets secrets,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!projection.Current.Nodes.ContainsKey(local.NodeId))
            await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromSeconds(5), ct);

        if (membership.IsWorker)
        {
            using var manager = new ManagerClient(membership.ManagerAddress!, secrets);
            var remoteWorker = new WorkerAgent(local.NodeId, runtime, projection, (report, token) => manager.ReportAsync(report, token),
                clock, loggers.CreateLogger<WorkerAgent>());
            await Task.WhenAll(remoteWorker.RunAsync(ct), BeatAsync(token => manager.HeartbeatAsync(token), ct));
            return;
        }

        var node = projection.Current.Nodes[local.NodeId];
        var description = await local.DescriptionAsync(ct);
        await mediator.Send(new RegisterNodeCommand(local.NodeId, node.Role, node.Address, description, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), ct);

        var worker = new WorkerAgent(local.NodeId, runtime, projection,
            (report, token) => mediator.Send(new ReportTaskStatusCommand(report, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), token).AsTask(),
            clock, loggers.CreateLogger<WorkerAgent>());
        await Task.WhenAll(worker.RunAsync(ct), BeatAsync(token =>
        {
            heartbeats.Beat(local.NodeId, clock.Now);
            return Task.CompletedTask;
        }, ct));
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
