using System.Collections.Concurrent;
using System.Threading.Channels;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Tasks;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Application.Workers;

/// <summary>
/// The worker half of a node: drives the local engine toward the desired state of the tasks assigned to this
/// node and reports what it observes. It never writes state itself; its reports go to a manager as commands.
/// One operation at a time per task; what it has reported counts as observed until the projection catches up,
/// so a task is never prepared twice. Engine calls go through a small pool (<see cref="EnginePool"/>) and only as
/// many tasks are admitted to preparation as the pool runs at once: the others wait as they are (Assigned, as a
/// Swarm worker's queued tasks stay Assigned/Accepted), holding nothing, so a scale-up of 100,000 tasks costs
/// no descriptor per task and a `scale 0` drops the waiting ones at once, with no engine call.
/// </summary>
public sealed class WorkerAgent(
    string nodeId,
    IContainerRuntime runtime,
    ClusterProjection projection,
    Func<ReportTaskStatus, CancellationToken, Task> report,
    IClock clock,
    ILogger<WorkerAgent> logger,
    EnginePool? enginePool = null)
{
    private const int MaxReportsPerBatch = 2000;
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long observations gather before they are sent: a task's Preparing, Ready, Starting and Running (and a
    /// crash right after) then usually travel as one report of its latest state, one log entry instead of four.
    /// swarmkit does the same on both sides: the agent's status reporter keeps only each task's latest status and
    /// the dispatcher commits status updates in batches on a ~100 ms timer.
    /// </summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A pass over every task of the node costs O(tasks); at 100,000 tasks, passes are spaced by at least this.</summary>
    private static readonly TimeSpan ReconcileSpacing = TimeSpan.FromMilliseconds(50);

    private readonly EnginePool _engine = enginePool ?? new EnginePool(EnginePool.DefaultSize);
    private int _preparing;

    public EnginePool Engine => _engine;

    /// <summary>
    /// A task on a network left the VIP rotations, the routing mesh and DNS when its desired state moved on;
    /// every node needs a moment to hear that before the container stops, or connections opened meanwhile
    /// would fail (Swarm waits 2 s here; each node here rewrites its rules within tens of milliseconds).
    /// </summary>
    public static readonly TimeSpan LeaveRotationDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long a started task on a network may take to listen on its ports before it is reported running anyway.</summary>
    public static readonly TimeSpan ListenLimit = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, string> _containers = new();
    private readonly ConcurrentDictionary<string, Task> _operations = new();
    private readonly ConcurrentDictionary<string, TaskState> _reported = new();
    private readonly Channel<TaskStatusReport> _reports = Channel.CreateUnbounded<TaskStatusReport>();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly HashSet<string> _stoppedOrphans = [];

    public async Task RunAsync(CancellationToken ct)
    {
        _engine.NewMaximum += max => logger.LogInformation("engine calls in flight: at most {Max} at once (pool of {Size})", max, _engine.Size);
        await AdoptAsync(ct);
        var pump = PumpReportsAsync(ct);
        var exits = WatchExitsAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var state = projection.Current;
                var started = DateTimeOffset.UtcNow;
                Reconcile(state, ct);
                var changed = projection.WaitForChangeAsync(state.LastSequence, ResyncInterval, ct);
                await Task.WhenAny(changed, _wake.WaitAsync(ResyncInterval, ct));
                // Many operations ending at once each wake the loop; one pass serves them all.
                while (_wake.CurrentCount > 0 && _wake.Wait(0)) { }
                var spent = DateTimeOffset.UtcNow - started;
                if (spent < ReconcileSpacing) await Task.Delay(ReconcileSpacing - spent, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(pump, exits).ContinueWith(_ => { }, CancellationToken.None);
    }

    /// <summary>
    /// After a restart, the engine still holds the containers of the tasks this node ran: running ones are adopted
    /// as they are, stopped ones are reported, and containers no task wants any more are removed.
    /// </summary>
    private async Task AdoptAsync(CancellationToken ct)
    {
        while (projection.IsCatchingUp) await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        var state = projection.Current;
        foreach (var container in await runtime.ListTaskContainersAsync(nodeId, ct))
        {
            if (!state.Tasks.TryGetValue(container.TaskId, out var task) || task.NodeId != nodeId)
            {
                await _engine.RunAsync(() => runtime.RemoveAsync(container.ContainerId, ct), ct);
                continue;
            }
            _containers[task.Id] = container.ContainerId;
            if (task.DesiredState >= TaskState.Shutdown || task.Status.State.IsTerminal()) continue;
            if (container.Running)
            {
                if (task.Status.State < TaskState.Running) Report(task.Id, TaskState.Running, "started", containerId: container.ContainerId);
            }
            else if (task.Status.State >= TaskState.Starting)
                ReportExit(task.Id, container.ContainerId, container.ExitCode);
        }
        logger.LogInformation("worker {Node} adopted {Count} task containers", nodeId, _containers.Count);
    }

    private void Reconcile(ClusterState state, CancellationToken ct)
    {
        if (projection.IsCatchingUp) return;
        foreach (var (taskId, containerId) in _containers)
        {
            if ((!state.Tasks.TryGetValue(taskId, out var owner) || owner.NodeId != nodeId) && !_operations.ContainsKey(taskId))
                Run(taskId, async () =>
                {
                    await _engine.RunAsync(() => runtime.RemoveAsync(containerId, ct), ct);
                    _containers.TryRemove(taskId, out _);
                    _reported.TryRemove(taskId, out _);
                });
        }

        foreach (var task in state.Tasks.Values)
        {
            if (task.NodeId != nodeId || _operations.ContainsKey(task.Id)) continue;
            var observed = _reported.TryGetValue(task.Id, out var reported) && reported > task.Status.State ? reported : task.Status.State;
            var hasContainer = _containers.TryGetValue(task.Id, out var containerId);

            if (task.DesiredState >= TaskState.Shutdown)
            {
                if (observed is >= TaskState.Assigned and <= TaskState.Running)
                    Run(task.Id, () => ShutdownAsync(task, ct));
                else if (task.DesiredState == TaskState.Remove && hasContainer)
                    Run(task.Id, () => RemoveContainerAsync(task.Id, containerId!, ct));
                // Back from being cut off or dead: the managers gave this task up and replaced it, so its container
                // must stop or the slot would run twice, and it goes altogether since nothing will run it again.
                else if (observed == TaskState.Orphaned && hasContainer && _stoppedOrphans.Add(task.Id))
                    Run(task.Id, async () =>
                    {
                        await _engine.RunAsync(() => runtime.StopAsync(containerId!, task.Spec.Container.EffectiveStopGracePeriod, ct), ct);
                        await RemoveContainerAsync(task.Id, containerId!, ct);
                    });
                continue;
            }

            switch (observed)
            {
                case TaskState.Assigned or TaskState.Accepted or TaskState.Preparing:
                case TaskState.Starting when !hasContainer:
                    Admit(task, ct);
                    break;
                case TaskState.Ready or TaskState.Starting when task.DesiredState == TaskState.Running && hasContainer:
                    Run(task.Id, () => StartAsync(task.Id, containerId!, ct));
                    break;
                case TaskState.Ready when !hasContainer:
                    Admit(task, ct);
                    break;
                case TaskState.Running when !hasContainer:
                    Report(task.Id, TaskState.Failed, "failed", "task: the container is gone (removed while the agent was not watching)");
                    break;
            }
        }
    }

    /// <summary>
    /// Starts preparing a task only while fewer tasks are being prepared than the engine pool runs at once; the
    /// rest wait for a later pass, woken as each preparation ends.
    /// </summary>
    private void Admit(SwarmTask task, CancellationToken ct)
    {
        if (Volatile.Read(ref _preparing) >= _engine.Size) return;
        Interlocked.Increment(ref _preparing);
        if (!Run(task.Id, async () =>
            {
                try
                {
                    await PrepareAsync(task, ct);
                }
                finally
                {
                    Interlocked.Decrement(ref _preparing);
                }
            }))
            Interlocked.Decrement(ref _preparing);
    }

    private async Task PrepareAsync(SwarmTask task, CancellationToken ct)
    {
        // Scaled down or removed since it was admitted: it never reached the engine, so nothing is undone.
        if (!projection.Current.Tasks.TryGetValue(task.Id, out var current) || current.DesiredState >= TaskState.Shutdown) return;
        // A container left by an interrupted preparation (agent killed after create) is used as it is.
        if (!_containers.TryGetValue(task.Id, out var containerId))
        {
            Report(task.Id, TaskState.Preparing, "preparing");
            try
            {
                containerId = await _engine.RunAsync(() => runtime.CreateAsync(task, nodeId, Networking(task, projection.Current), ct), ct);
            }
            catch (TaskRejectedException e)
            {
                Report(task.Id, TaskState.Rejected, "rejected", e.Message);
                return;
            }
            _containers[task.Id] = containerId;
        }
        Report(task.Id, TaskState.Ready, "prepared", containerId: containerId);
        // The desired state may have moved on while the container was being created.
        if (projection.Current.Tasks.TryGetValue(task.Id, out var now) && now.DesiredState == TaskState.Running)
            await StartAsync(task.Id, containerId, ct);
    }

    private async Task StartAsync(string taskId, string containerId, CancellationToken ct)
    {
        Report(taskId, TaskState.Starting, "starting", containerId: containerId);
        try
        {
            await _engine.RunAsync(() => runtime.StartAsync(containerId, ct), ct);
            // Running puts a task on a network into the VIP rotations and the mesh on every node within ~0.1 s,
            // faster than a fresh container may start listening: wait for its ports first (bounded).
            if (projection.Current.Tasks.TryGetValue(taskId, out var task) && task.Networks.FirstOrDefault() is { } first)
            {
                var published = projection.Current.Services.TryGetValue(task.ServiceId, out var service) && !service.Spec.Endpoint.Ports.IsDefault
                    ? service.Spec.Endpoint.Ports.Where(p => p.Protocol == PortProtocol.Tcp).Select(p => p.TargetPort).ToList()
                    : [];
                if (!await runtime.WaitUntilListeningAsync(containerId, first.Address, published, ListenLimit, ct))
                    logger.LogInformation("task {Task} is not listening on its ports after {Limit} s; reporting it running anyway", taskId, ListenLimit.TotalSeconds);
            }
            Report(taskId, TaskState.Running, "started", containerId: containerId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Report(taskId, TaskState.Failed, "starting", $"task: {e.Message}", containerId);
        }
    }

    private async Task ShutdownAsync(SwarmTask task, CancellationToken ct)
    {
        if (_containers.TryGetValue(task.Id, out var containerId))
        {
            if (task.Status.State == TaskState.Running && !task.Networks.IsEmpty) await Task.Delay(LeaveRotationDelay, ct);
            await _engine.RunAsync(() => runtime.StopAsync(containerId, task.Spec.Container.EffectiveStopGracePeriod, ct), ct);
            if (task.DesiredState == TaskState.Remove) await RemoveContainerAsync(task.Id, containerId, ct);
        }
        Report(task.Id, TaskState.Shutdown, "shutdown", containerId: containerId);
    }

    /// <summary>The task's addresses with what the engine needs to know of each network, and its host-mode ports.</summary>
    private static TaskNetworking Networking(SwarmTask task, ClusterState state)
    {
        var endpoints = new List<TaskEndpoint>();
        foreach (var attachment in task.Networks)
        {
            if (!state.Networks.TryGetValue(attachment.NetworkId, out var network)) continue;
            var aliases = task.Spec.Networks.FirstOrDefault(n => n.Target == network.Id)?.Aliases ?? [];
            endpoints.Add(new TaskEndpoint(LocalNetwork.Of(network, []), attachment.Address, aliases));
        }
        // Service discovery lives on the service's own networks; ingress only carries the routing mesh, so it goes last.
        endpoints = [.. endpoints.OrderBy(e => e.Network.Ingress)];
        var hostPorts = state.Services.TryGetValue(task.ServiceId, out var service) ? service.Spec.HostPorts : [];
        return new TaskNetworking(endpoints, hostPorts);
    }

    private async Task RemoveContainerAsync(string taskId, string containerId, CancellationToken ct)
    {
        await _engine.RunAsync(() => runtime.RemoveAsync(containerId, ct), ct);
        _containers.TryRemove(taskId, out _);
    }

    private async Task WatchExitsAsync(CancellationToken ct)
    {
        var reconnecting = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Containers that stopped while the event stream was down sent events nobody heard: look at them.
                if (reconnecting) await ResyncAsync(ct);
                reconnecting = true;
                await foreach (var exit in runtime.WatchExitsAsync(ct))
                {
                    if (!projection.Current.Tasks.TryGetValue(exit.TaskId, out var task) || task.NodeId != nodeId) continue;
                    // A task being shut down reports Shutdown from its own operation, not a failure.
                    if (task.DesiredState >= TaskState.Shutdown) continue;
                    ReportExit(task.Id, exit.ContainerId, exit.ExitCode);
                    _wake.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "engine event stream broke; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        var state = projection.Current;
        var containers = (await runtime.ListTaskContainersAsync(nodeId, ct)).ToDictionary(c => c.TaskId);
        foreach (var task in state.Tasks.Values.Where(t => t.NodeId == nodeId && t.Status.State == TaskState.Running && t.DesiredState <= TaskState.Running))
        {
            if (!containers.TryGetValue(task.Id, out var container)) _containers.TryRemove(task.Id, out _);
            else if (!container.Running) ReportExit(task.Id, container.ContainerId, container.ExitCode);
        }
        _wake.Release();
    }

    private void ReportExit(string taskId, string containerId, long exitCode)
    {
        if (exitCode == 0) Report(taskId, TaskState.Complete, "finished", containerId: containerId, exitCode: 0);
        else Report(taskId, TaskState.Failed, "started", $"task: non-zero exit ({exitCode})", containerId, exitCode);
    }

    private void Report(string taskId, TaskState state, string message, string? error = null, string? containerId = null, long? exitCode = null)
    {
        _reported.AddOrUpdate(taskId, state, (_, previous) => state > previous ? state : previous);
        _reports.Writer.TryWrite(new TaskStatusReport(taskId, new TaskObservation(state, clock.Now, message, error, containerId, exitCode)));
    }

    private bool Run(string taskId, Func<Task> operation)
    {
        var started = new TaskCompletionSource();
        if (!_operations.TryAdd(taskId, started.Task)) return false;
        _ = Task.Run(async () =>
        {
            try
            {
                await operation();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "operation on task {Task} failed", taskId);
            }
            finally
            {
                _operations.TryRemove(taskId, out _);
                started.TrySetResult();
                _wake.Release();
            }
        });
        return true;
    }

    /// <summary>
    /// Sends what was observed in batches, gathered for <see cref="ReportInterval"/> and reduced to each task's
    /// latest state: a scale-up's thirty "running" reports become one log entry, not thirty, and a task that crashes
    /// right after starting costs one report, not five.
    /// </summary>
    private async Task PumpReportsAsync(CancellationToken ct)
    {
        var pending = new List<TaskStatusReport>();
        while (!ct.IsCancellationRequested)
        {
            if (pending.Count == 0)
            {
                if (!await _reports.Reader.WaitToReadAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result)) return;
                await Task.Delay(ReportInterval, ct).ContinueWith(_ => { });
            }
            while (pending.Count < MaxReportsPerBatch * 4 && _reports.Reader.TryRead(out var item)) pending.Add(item);
            var batch = Coalesce(pending).Take(MaxReportsPerBatch).ToList();
            try
            {
                await report(new ReportTaskStatus(nodeId, batch), ct);
                var sent = batch.Select(r => r.TaskId).ToHashSet();
                pending = Coalesce(pending).Where(r => !sent.Contains(r.TaskId)).ToList();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "reporting {Count} task states failed; retrying", batch.Count);
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ContinueWith(_ => { });
            }
        }
    }

    /// <summary>One report per task, the furthest state it reached (the later one of equal states), in the order tasks first appear.</summary>
    public static IReadOnlyList<TaskStatusReport> Coalesce(IReadOnlyList<TaskStatusReport> reports)
    {
        var latest = new Dictionary<string, int>();
        var order = new List<string>();
        for (var i = 0; i < reports.Count; i++)
        {
            var id = reports[i].TaskId;
            if (!latest.TryGetValue(id, out var kept)) order.Add(id);
            else if (reports[i].Status.State < reports[kept].Status.State) continue;
            latest[id] = i;
        }
        return [.. order.Select(id => reports[latest[id]])];
    }
}
