using System.Collections.Concurrent;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Tasks;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Application.Workers;

/// <summary>
/// Carries out the actions <see cref="TaskStep"/> decides against the engine (swarmkit's per-task manager and its
/// exec.Controller): one operation at a time per task, every engine call through the <see cref="EnginePool"/>, and
/// only as many tasks admitted to preparation as the pool runs at once. The others wait as they are (Assigned, as a
/// Swarm worker's queued tasks stay Assigned/Accepted), holding nothing, so a scale-up of 100,000 tasks costs no
/// descriptor per task and a `scale 0` drops the waiting ones at once, with no engine call. It holds the container
/// of each task it knows, and the files of its tasks' secrets and configs from preparation until the task ends.
/// </summary>
public sealed class TaskRunner(
    string nodeId,
    IContainerRuntime runtime,
    ClusterProjection projection,
    EnginePool engine,
    ReportPump reports,
    ITaskFiles taskFiles,
    ITaskFileStore fileStore,
    ILogger logger)
{
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
    private readonly ConcurrentDictionary<string, bool> _discarded = new();

    /// <summary>The engine's last verdict on each held container's health check, by task ID (only Healthy or Unhealthy).</summary>
    private readonly ConcurrentDictionary<string, (string ContainerId, ContainerHealth Health)> _health = new();

    /// <summary>The starts waiting for the engine's first verdict on a container's check, by container ID; null when it stopped first.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ContainerHealth?>> _verdicts = new();
    private int _preparing;

    /// <summary>Raised as each operation ends, so that the loop looks again at once.</summary>
    public event Action? OperationEnded;

    /// <summary>The containers held, by task ID.</summary>
    public IEnumerable<KeyValuePair<string, string>> Containers => _containers;

    public int HeldCount => _containers.Count;

    public bool IsBusy(string taskId) => _operations.ContainsKey(taskId);

    /// <summary>The task's container as the loop knows it, or null when the worker holds none.</summary>
    public ObservedContainer? ContainerOf(string taskId) =>
        _containers.TryGetValue(taskId, out var id)
            ? _discarded.ContainsKey(taskId)
                ? new ObservedContainer(id, ContainerPhase.Discarded)
                : new ObservedContainer(id, Health: HealthOf(taskId, id))
            : null;

    /// <summary>The engine's last verdict on the container's health check, None when it gave none (or it has no check).</summary>
    public ContainerHealth HealthOf(string taskId, string containerId) =>
        _health.TryGetValue(taskId, out var seen) && seen.ContainerId == containerId ? seen.Health : ContainerHealth.None;

    /// <summary>
    /// What the engine reported of a container: a health verdict is kept for the loop to act on (a running task that
    /// turns unhealthy is failed) and ends the wait of a start for it, as does the container's exit.
    /// </summary>
    public void Observe(ContainerEvent engineEvent)
    {
        switch (engineEvent)
        {
            case ContainerHealthChanged changed:
                var health = changed.Healthy ? ContainerHealth.Healthy : ContainerHealth.Unhealthy;
                if (_containers.TryGetValue(changed.TaskId, out var held) && held == changed.ContainerId)
                    _health[changed.TaskId] = (changed.ContainerId, health);
                if (_verdicts.TryGetValue(changed.ContainerId, out var waiting)) waiting.TrySetResult(health);
                break;
            case ContainerExit exit when _verdicts.TryGetValue(exit.ContainerId, out var stopped):
                stopped.TrySetResult(null);
                break;
        }
    }

    public void Hold(string taskId, string containerId) => _containers[taskId] = containerId;

    /// <summary>The engine no longer has the container (seen after the event stream broke): the loop will report the task's end.</summary>
    public void Release(string taskId)
    {
        _containers.TryRemove(taskId, out _);
        _health.TryRemove(taskId, out _);
    }

    /// <summary>Removes a container no task wants, now (adoption after a restart, before the loop runs).</summary>
    public Task RemoveNowAsync(string containerId, CancellationToken ct) => engine.RunAsync(() => runtime.RemoveAsync(containerId, ct), ct);

    /// <summary>Carries out one action for a task: reports at once, engine work as the task's one operation in flight.</summary>
    /// <param name="task">The task, or null for the container of a task this node no longer runs.</param>
    public void Execute(string taskId, SwarmTask? task, TaskAction action, CancellationToken ct)
    {
        switch (action)
        {
            case TaskAction.Report report:
                Report(taskId, report);
                break;
            case TaskAction.Prepare when task is not null:
                Admit(task, ct);
                break;
            case TaskAction.Start start:
                Run(taskId, () => StartAsync(taskId, start.ContainerId, ct));
                break;
            case TaskAction.Shutdown shutdown when task is not null:
                Run(taskId, () => ShutdownAsync(task, shutdown, ct));
                break;
            case TaskAction.StopUnhealthy unhealthy when task is not null:
                Run(taskId, () => StopUnhealthyAsync(task, unhealthy, ct));
                break;
            case TaskAction.Remove remove:
                Run(taskId, async () =>
                {
                    await RemoveContainerAsync(taskId, remove.ContainerId, ct);
                    if (remove.TaskGone)
                    {
                        reports.Forget(taskId);
                        _discarded.TryRemove(taskId, out _);
                    }
                });
                break;
            case TaskAction.StopAndRemove discard when task is not null:
                _discarded[taskId] = true;
                Run(taskId, async () =>
                {
                    await engine.RunAsync(() => runtime.StopAsync(discard.ContainerId, task.Spec.Container.EffectiveStopGracePeriod, ct), ct);
                    await RemoveContainerAsync(taskId, discard.ContainerId, ct);
                });
                break;
        }
    }

    /// <summary>
    /// Reports what was seen of a task; a task that ended takes its secrets off the node at once (Docker unmounts a
    /// container's secrets when it stops), not only when its container goes.
    /// </summary>
    public void Report(string taskId, TaskAction.Report report)
    {
        reports.Report(taskId, report);
        if (report.State.IsTerminal()) RemoveFiles(taskId);
    }

    /// <summary>At start: the files of tasks that no longer run here (the agent was killed as they ended) go.</summary>
    public void KeepFilesOnlyOf(IReadOnlySet<string> taskIds)
    {
        try
        {
            fileStore.RemoveAllBut(taskIds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.LogWarning("could not remove the secret and config files of tasks that no longer run here: {Error}", e.Message);
        }
    }

    /// <summary>
    /// Starts preparing a task only while fewer tasks are being prepared than the engine pool runs at once; the
    /// rest wait for a later pass, woken as each preparation ends.
    /// </summary>
    private void Admit(SwarmTask task, CancellationToken ct)
    {
        if (Volatile.Read(ref _preparing) >= engine.Size) return;
        Interlocked.Increment(ref _preparing);
        var admitted = 1;
        // The slot is given back once the container is started: a wait for its health check's verdict (minutes with
        // Docker's defaults) holds no engine call and must not keep other tasks from being prepared.
        void Leave()
        {
            if (Interlocked.Exchange(ref admitted, 0) == 1) Interlocked.Decrement(ref _preparing);
        }
        if (!Run(task.Id, async () =>
            {
                try
                {
                    await PrepareAsync(task, Leave, ct);
                }
                finally
                {
                    Leave();
                }
            }))
            Leave();
    }

    private async Task PrepareAsync(SwarmTask task, Action started, CancellationToken ct)
    {
        // Scaled down or removed since it was admitted: it never reached the engine, so nothing is undone.
        if (!projection.Current.Tasks.TryGetValue(task.Id, out var current) || current.DesiredState >= TaskState.Shutdown) return;
        // A container left by an interrupted preparation (agent killed after create) is used as it is.
        if (!_containers.TryGetValue(task.Id, out var containerId))
        {
            reports.Report(task.Id, TaskState.Preparing, "preparing");
            try
            {
                var files = await FilesAsync(task, ct);
                containerId = await engine.RunAsync(() => runtime.CreateAsync(task, nodeId, Networking(task, projection.Current), files, ct), ct);
            }
            catch (TaskRejectedException e)
            {
                Report(task.Id, new TaskAction.Report(TaskState.Rejected, "rejected", e.Message));
                return;
            }
            _containers[task.Id] = containerId;
        }
        reports.Report(task.Id, TaskState.Ready, "prepared", containerId: containerId);
        // The desired state may have moved on while the container was being created.
        if (projection.Current.Tasks.TryGetValue(task.Id, out var now) && now.DesiredState == TaskState.Running)
            await StartAsync(task.Id, containerId, ct, started);
    }

    /// <summary>
    /// Starts the container and reports the task Running once it can take traffic: with a health check, once the
    /// engine says healthy (swarmkit's controller Start); without one, once it listens on its ports (bounded).
    /// </summary>
    private async Task StartAsync(string taskId, string containerId, CancellationToken ct, Action? started = null)
    {
        reports.Report(taskId, TaskState.Starting, "starting", containerId: containerId);
        // Listened for before the start, so that a verdict the engine gives at once is not missed.
        var verdict = new TaskCompletionSource<ContainerHealth?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _verdicts[containerId] = verdict;
        try
        {
            // Starting a container that already runs (adopted after a restart, its check not yet passed) changes nothing.
            await engine.RunAsync(() => runtime.StartAsync(containerId, ct), ct);
            started?.Invoke();
            var check = await engine.RunAsync(() => runtime.HealthCheckAsync(containerId, ct), ct);
            if (check is null)
            {
                await WaitUntilListeningAsync(taskId, containerId, ct);
                reports.Report(taskId, TaskState.Running, "started", containerId: containerId);
                return;
            }
            var health = check.Status is ContainerHealth.Healthy or ContainerHealth.Unhealthy
                ? check.Status
                : await HealthVerdictAsync(taskId, containerId, verdict.Task, TaskStep.HealthVerdictLimit(check.Check), ct);
            // Stopped first (its exit ends the task) or no longer desired running (the loop shuts it down): nothing to report.
            if (health is not { } seen || !projection.Current.Tasks.TryGetValue(taskId, out var task) || task.DesiredState != TaskState.Running) return;
            _health[taskId] = (containerId, seen);
            switch (TaskStep.Next(WorkerTask.Of(task, TaskState.Starting), new ObservedContainer(containerId, Health: seen)))
            {
                case TaskAction.Report report:
                    Report(taskId, report);
                    break;
                case TaskAction.StopUnhealthy unhealthy:
                    if (seen == ContainerHealth.Starting)
                        logger.LogInformation("task {Task}: no verdict on its health check within {Limit} s; failing it as unhealthy", taskId,
                            TaskStep.HealthVerdictLimit(check.Check).TotalSeconds);
                    await StopUnhealthyAsync(task, unhealthy, ct);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Report(taskId, new TaskAction.Report(TaskState.Failed, "starting", $"task: {e.Message}", containerId));
        }
        finally
        {
            _verdicts.TryRemove(new KeyValuePair<string, TaskCompletionSource<ContainerHealth?>>(containerId, verdict));
        }
    }

    /// <summary>
    /// Running puts a task on a network into the VIP rotations and the mesh on every node within ~0.1 s, faster than
    /// a fresh container may start listening: without a health check, its ports are the sign it can take traffic.
    /// </summary>
    private async Task WaitUntilListeningAsync(string taskId, string containerId, CancellationToken ct)
    {
        if (!projection.Current.Tasks.TryGetValue(taskId, out var task) || task.Networks.FirstOrDefault() is not { } first) return;
        var published = projection.Current.Services.TryGetValue(task.ServiceId, out var service) && !service.Spec.Endpoint.Ports.IsDefault
            ? service.Spec.Endpoint.Ports.Where(p => p.Protocol == PortProtocol.Tcp).Select(p => p.TargetPort).ToList()
            : [];
        if (!await runtime.WaitUntilListeningAsync(containerId, first.Address, published, ListenLimit, ct))
            logger.LogInformation("task {Task} is not listening on its ports after {Limit} s; reporting it running anyway", taskId, ListenLimit.TotalSeconds);
    }

    /// <summary>How often a start waiting for a health verdict looks whether its task is still desired running.</summary>
    private static readonly TimeSpan DesiredStateCheck = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The engine's first verdict on the container's check: from its event stream, else (the stream may have broken
    /// meanwhile) from an inspect once the limit passed, Starting if it still has none. Null when the container
    /// stopped first or the task is no longer desired running (a scale-down does not wait for a verdict).
    /// </summary>
    private async Task<ContainerHealth?> HealthVerdictAsync(string taskId, string containerId, Task<ContainerHealth?> verdict, TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var wait = deadline - DateTimeOffset.UtcNow;
            await Task.WhenAny(verdict, Task.Delay(wait < DesiredStateCheck ? wait : DesiredStateCheck, ct));
            ct.ThrowIfCancellationRequested();
            if (verdict.IsCompleted) return await verdict;
            if (!projection.Current.Tasks.TryGetValue(taskId, out var task) || task.DesiredState != TaskState.Running) return null;
        }
        return (await engine.RunAsync(() => runtime.HealthCheckAsync(containerId, ct), ct))?.Status ?? ContainerHealth.Unhealthy;
    }

    /// <summary>
    /// Fails a task whose container failed its health check and stops the container (swarmkit's controller shuts an
    /// unhealthy container down). A task in the rotations is reported failed first, which takes it out of them on
    /// every node, and stopped after the same pause as a shutdown; the report after the stop carries the exit code.
    /// </summary>
    private async Task StopUnhealthyAsync(SwarmTask task, TaskAction.StopUnhealthy unhealthy, CancellationToken ct)
    {
        var containerId = unhealthy.ContainerId;
        // Remembered so that the exit event the stop causes ends the task with the same error (adoption knew no verdict).
        _health[task.Id] = (containerId, ContainerHealth.Unhealthy);
        if (unhealthy.LeaveRotationFirst)
        {
            reports.Report(task.Id, TaskAction.Unhealthy(containerId, exitCode: null, unhealthy.Started));
            await Task.Delay(LeaveRotationDelay, ct);
        }
        await engine.RunAsync(() => runtime.StopAsync(containerId, task.Spec.Container.EffectiveStopGracePeriod, ct), ct);
        var exitCode = (await engine.RunAsync(() => runtime.InspectAsync(containerId, ct), ct))?.ExitCode;
        Report(task.Id, TaskAction.Unhealthy(containerId, exitCode, unhealthy.Started));
    }

    /// <summary>
    /// The task's secrets and configs, asked for when it is prepared (Swarm's dispatcher sends a node a secret only
    /// with a task that uses it) and written where the container mounts them. Not having them rejects the task, as
    /// any failure of Swarm's Prepare does; the orchestrator replaces it.
    /// </summary>
    private async Task<IReadOnlyList<FileMount>> FilesAsync(SwarmTask task, CancellationToken ct)
    {
        // Most tasks read none: they are not worth a call to the manager (a round trip on a worker) at every start.
        var container = task.Spec.Container;
        if (container.Secrets.IsDefaultOrEmpty && container.Configs.IsDefaultOrEmpty) return [];
        var taskId = task.Id;
        IReadOnlyList<TaskFile> files;
        try
        {
            files = await taskFiles.ForTaskAsync(taskId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Only a message written for the task's error is shown; any other exception says what failed, not what it read.
            var reason = e is TaskFilesUnavailableException ? e.Message : $"the answer could not be used ({e.GetType().Name})";
            logger.LogWarning("task {Task}: could not get its secrets and configs: {Reason}", taskId, reason);
            throw new TaskRejectedException($"unable to get the task's secrets and configs: {reason}");
        }
        if (files.Count == 0) return [];
        try
        {
            return fileStore.Write(taskId, files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            RemoveFiles(taskId);
            throw new TaskRejectedException($"unable to write the task's secrets and configs on the node: {e.Message}");
        }
    }

    private void RemoveFiles(string taskId)
    {
        try
        {
            fileStore.Remove(taskId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.LogWarning("task {Task}: could not remove its secret and config files: {Error}", taskId, e.Message);
        }
    }

    private async Task ShutdownAsync(SwarmTask task, TaskAction.Shutdown shutdown, CancellationToken ct)
    {
        if (shutdown.ContainerId is { } containerId)
        {
            if (shutdown.LeaveRotationFirst) await Task.Delay(LeaveRotationDelay, ct);
            await engine.RunAsync(() => runtime.StopAsync(containerId, task.Spec.Container.EffectiveStopGracePeriod, ct), ct);
            if (shutdown.RemoveContainer) await RemoveContainerAsync(task.Id, containerId, ct);
        }
        Report(task.Id, new TaskAction.Report(TaskState.Shutdown, "shutdown", ContainerId: shutdown.ContainerId));
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
        await engine.RunAsync(() => runtime.RemoveAsync(containerId, ct), ct);
        _containers.TryRemove(taskId, out _);
        _health.TryRemove(taskId, out _);
        RemoveFiles(taskId);
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
                OperationEnded?.Invoke();
            }
        });
        return true;
    }
}
