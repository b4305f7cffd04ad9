using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Tasks;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Application.Workers;

/// <summary>
/// The worker half of a node: drives the local engine toward the desired state of the tasks assigned to this
/// node and reports what it observes. It never writes state itself; its reports go to a manager as commands.
/// It composes swarmkit's agent shape: a loop that asks the pure <see cref="TaskStep"/> what each task needs next,
/// a <see cref="TaskRunner"/> that does it against the engine, an <see cref="ExitWatcher"/> for containers that end,
/// and a <see cref="ReportPump"/> that sends what was seen.
/// </summary>
public sealed class WorkerAgent
{
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A pass over every task of the node costs O(tasks): one that took longer than this is followed by an equal rest,
    /// so that at 100,000 tasks, with the log moving every few milliseconds, passes take at most half a core (as the
    /// control loops rest). Shorter ones (a node of a few thousand tasks) run as soon as something changes: a fixed spacing between passes (50 ms, once) held back the start of a
    /// task assigned right after an earlier change (a service created, then its task assigned) for nothing.
    /// </summary>
    private static readonly TimeSpan PassRestThreshold = TimeSpan.FromMilliseconds(1);

    private readonly string _nodeId;
    private readonly IContainerRuntime _runtime;
    private readonly ClusterProjection _projection;
    private readonly ILogger _logger;
    private readonly ReportPump _reports;
    private readonly TaskRunner _runner;
    private readonly ExitWatcher _exits;
    private readonly SemaphoreSlim _wake = new(0);

    public WorkerAgent(
        string nodeId,
        IContainerRuntime runtime,
        ClusterProjection projection,
        Func<ReportTaskStatus, CancellationToken, Task> report,
        ITaskFiles taskFiles,
        ITaskFileStore fileStore,
        IClock clock,
        ILogger<WorkerAgent> logger,
        EnginePool? enginePool = null)
    {
        _nodeId = nodeId;
        _runtime = runtime;
        _projection = projection;
        _logger = logger;
        Engine = enginePool ?? new EnginePool(EnginePool.DefaultSize);
        _reports = new ReportPump(nodeId, report, clock, logger);
        _runner = new TaskRunner(nodeId, runtime, projection, Engine, _reports, taskFiles, fileStore, logger);
        _exits = new ExitWatcher(nodeId, runtime, projection, _runner, logger);
        _runner.OperationEnded += () => _wake.Release();
        _exits.Observed += () => _wake.Release();
    }

    public EnginePool Engine { get; }

    /// <summary>What the worker observes of its tasks, each state as it is seen (<see cref="ReportPump.StatusObserved"/>).</summary>
    public event Action<TaskStatusReport>? StatusObserved
    {
        add => _reports.StatusObserved += value;
        remove => _reports.StatusObserved -= value;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        Engine.NewMaximum += max => _logger.LogInformation("engine calls in flight: at most {Max} at once (pool of {Size})", max, Engine.Size);
        await AdoptAsync(ct);
        var pump = _reports.RunAsync(ct);
        var exits = _exits.RunAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var state = _projection.Current;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Reconcile(state, ct);
                var spent = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (spent > PassRestThreshold) await Task.Delay(spent, ct);
                var changed = _projection.WaitForChangeAsync(state.LastSequence, ResyncInterval, ct);
                await Task.WhenAny(changed, _wake.WaitAsync(ResyncInterval, ct));
                // Many operations ending at once each wake the loop; one pass serves them all.
                while (_wake.CurrentCount > 0 && _wake.Wait(0, CancellationToken.None)) { }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(pump, exits).Quietly();
    }

    /// <summary>
    /// After a restart, the engine still holds the containers of the tasks this node ran: running ones are adopted
    /// as they are, stopped ones are reported, and containers no task wants any more are removed. The secret and
    /// config files kept are those of the tasks still on their way or running in a container held here.
    /// </summary>
    private async Task AdoptAsync(CancellationToken ct)
    {
        while (_projection.IsCatchingUp) await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        var state = _projection.Current;
        var live = new HashSet<string>();
        foreach (var container in await _runtime.ListTaskContainersAsync(_nodeId, ct))
        {
            var task = OwnedTask(state, container.TaskId);
            var action = TaskStep.Next(task is null ? null : WorkerTask.Of(task), ObservedContainer.Listed(container));
            if (action is TaskAction.Remove)
            {
                await _runner.RemoveNowAsync(container.ContainerId, ct);
                continue;
            }
            _runner.Hold(container.TaskId, container.ContainerId);
            _runner.Execute(container.TaskId, task, action, ct);
            if (task is not null && !task.Status.State.IsTerminal() && task.DesiredState <= TaskState.Running && action is not TaskAction.Report { State: > TaskState.Running })
                live.Add(task.Id);
        }
        _runner.KeepFilesOnlyOf(live);
        _logger.LogInformation("worker {Node} adopted {Count} task containers", _nodeId, _runner.HeldCount);
    }

    /// <summary>One pass: every task of this node with no operation in flight takes its next step.</summary>
    private void Reconcile(ClusterState state, CancellationToken ct)
    {
        // A prefix of the log is not the truth: acting on it would stop containers of tasks it does not show yet.
        if (_projection.IsCatchingUp) return;
        foreach (var (taskId, _) in _runner.Containers)
        {
            if (OwnedTask(state, taskId) is null && !_runner.IsBusy(taskId))
                _runner.Execute(taskId, null, TaskStep.Next(null, _runner.ContainerOf(taskId)), ct);
        }

        foreach (var task in state.TasksOn(_nodeId))
        {
            if (_runner.IsBusy(task.Id)) continue;
            var action = TaskStep.Next(WorkerTask.Of(task, _reports.Observed(task.Id)), _runner.ContainerOf(task.Id));
            _runner.Execute(task.Id, task, action, ct);
        }
    }

    private SwarmTask? OwnedTask(ClusterState state, string taskId) =>
        state.Tasks.TryGetValue(taskId, out var task) && task.NodeId == _nodeId ? task : null;
}
