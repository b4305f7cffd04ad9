using EventSwarm.Application;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Swarm;
using EventSwarm.Application.Tasks;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Nodes;
using Mediator;

namespace EventSwarm.Node.Agent;

/// <summary>The leader's control loops. With one manager this node always leads.</summary>
public sealed class ControlLoopService(ControlLoopRunner runner) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken ct) => runner.RunAsync(ct);
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
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!projection.Current.Nodes.ContainsKey(local.NodeId))
            await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromSeconds(5), ct);

        var node = projection.Current.Nodes[local.NodeId];
        var description = await local.DescriptionAsync(ct);
        await mediator.Send(new RegisterNodeCommand(local.NodeId, node.Role, node.Address, description, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), ct);

        var worker = new WorkerAgent(local.NodeId, runtime, projection,
            (report, token) => mediator.Send(new ReportTaskStatusCommand(report, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), token).AsTask(),
            clock, loggers.CreateLogger<WorkerAgent>());
        await Task.WhenAll(worker.RunAsync(ct), BeatAsync(ct));
    }

    /// <summary>This node's heartbeat. Its worker and its leader share the process, so the beat is a memory write.</summary>
    private async Task BeatAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                heartbeats.Beat(local.NodeId, clock.Now);
                await Task.Delay(heartbeats.Period, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
