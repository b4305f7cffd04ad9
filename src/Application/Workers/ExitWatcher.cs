using EventSwarm.Application.Log;
using EventSwarm.Domain.Tasks;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Application.Workers;

/// <summary>
/// Follows the engine's event stream and turns each exit of a task's container into the task's end (swarmkit's
/// controller Wait, here one stream for every task instead of one call per task), and hands the health checks'
/// verdicts to the <see cref="TaskRunner"/> (a start waits for the first; an unhealthy running task is failed by the
/// loop). When the stream breaks, the containers that stopped or changed verdict meanwhile sent events nobody
/// heard: on reconnecting it looks at them once.
/// </summary>
public sealed class ExitWatcher(
    string nodeId,
    IContainerRuntime runtime,
    ClusterProjection projection,
    TaskRunner runner,
    ILogger logger)
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>Raised when an exit was reported, so that the loop looks again at once.</summary>
    public event Action? Observed;

    public async Task RunAsync(CancellationToken ct)
    {
        var reconnecting = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (reconnecting) await ResyncAsync(ct);
                reconnecting = true;
                await foreach (var engineEvent in runtime.WatchAsync(ct))
                {
                    runner.Observe(engineEvent);
                    if (engineEvent is not ContainerExit exit)
                    {
                        Observed?.Invoke();
                        continue;
                    }
                    var task = projection.Current.Tasks.TryGetValue(exit.TaskId, out var owned) && owned.NodeId == nodeId ? WorkerTask.Of(owned) : null;
                    var health = runner.HealthOf(exit.TaskId, exit.ContainerId);
                    if (TaskStep.Next(task, ObservedContainer.Exited(exit, health)) is not TaskAction.Report report) continue;
                    runner.Report(exit.TaskId, report);
                    Observed?.Invoke();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "engine event stream broke; reconnecting");
                await Task.Delay(ReconnectDelay, ct);
            }
        }
    }

    /// <summary>
    /// Looks at the containers of the tasks the log has running here: one the engine no longer has is let go (the
    /// loop then reports the task failed), one that stopped ends its task.
    /// </summary>
    private async Task ResyncAsync(CancellationToken ct)
    {
        var state = projection.Current;
        var containers = (await runtime.ListTaskContainersAsync(nodeId, ct)).ToDictionary(c => c.TaskId);
        foreach (var container in containers.Values.Where(c => c.Running && c.Health is ContainerHealth.Healthy or ContainerHealth.Unhealthy))
            runner.Observe(new ContainerHealthChanged(container.ContainerId, container.TaskId, container.Health == ContainerHealth.Healthy));
        foreach (var task in state.Tasks.Values.Where(t => t.NodeId == nodeId && t.Status.State == TaskState.Running && t.DesiredState <= TaskState.Running))
        {
            if (!containers.TryGetValue(task.Id, out var container)) runner.Release(task.Id);
            else if (TaskStep.Next(WorkerTask.Of(task), ObservedContainer.Listed(container)) is TaskAction.Report report) runner.Report(task.Id, report);
        }
        Observed?.Invoke();
    }
}
