using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Workers;

/// <summary>
/// A task as this worker sees it: its assignment from the log, and the furthest state it has reached, counting the
/// worker's own reports before the log has caught up with them (so a task is never prepared twice).
/// </summary>
public sealed record WorkerTask(SwarmTask Assignment, TaskState State)
{
    public string Id => Assignment.Id;

    public TaskState Desired => Assignment.DesiredState;

    public static WorkerTask Of(SwarmTask task, TaskState? reported = null) =>
        new(task, reported is { } seen && seen > task.Status.State ? seen : task.Status.State);
}

/// <summary>What the worker knows of a task's container at the moment it decides.</summary>
public enum ContainerPhase
{
    /// <summary>The worker holds the container's ID; it has not looked at the engine (the reconcile loop's view).</summary>
    Held,

    /// <summary>The engine lists it running (adoption after a restart, resync after the event stream broke).</summary>
    Running,

    /// <summary>The engine lists it stopped: it exited, or was created and never started.</summary>
    Stopped,

    /// <summary>The engine has just reported that it exited: it did run.</summary>
    Died,

    /// <summary>Held, and already stopped by the worker as an orphaned task's: it is not stopped a second time.</summary>
    Discarded,
}

/// <param name="Health">
/// The engine's last verdict on the container's health check: None when it has no check or no verdict was heard;
/// Starting only after the worker waited as long as the check allows and the engine still had no verdict.
/// </param>
public sealed record ObservedContainer(string Id, ContainerPhase Phase = ContainerPhase.Held, long ExitCode = 0, ContainerHealth Health = ContainerHealth.None)
{
    public static ObservedContainer Listed(TaskContainer container) =>
        new(container.ContainerId, container.Running ? ContainerPhase.Running : ContainerPhase.Stopped, container.ExitCode, container.Health);

    /// <param name="health">What the engine last said of its health: Unhealthy when it was stopped for failing its check.</param>
    public static ObservedContainer Exited(ContainerExit exit, ContainerHealth health = ContainerHealth.None) =>
        new(exit.ContainerId, ContainerPhase.Died, exit.ExitCode, health);
}

/// <summary>The one thing to do next for a task, as swarmkit's exec.Do returns one transition at a time.</summary>
public abstract record TaskAction
{
    private TaskAction() { }

    public static readonly TaskAction None = new Nothing();

    /// <summary>Nothing to do now: the task waits as it is, or another part of the worker (the exit watcher, a shutdown) owns the next report.</summary>
    public sealed record Nothing : TaskAction;

    /// <summary>Create the container (swarmkit's Prepare), reporting Preparing then Ready, and start it if the task is still desired running.</summary>
    public sealed record Prepare : TaskAction;

    public sealed record Start(string ContainerId) : TaskAction;

    /// <summary>
    /// Stop the container if there is one (after leaving the VIP rotations when the task was running on a network),
    /// remove it when the task is desired removed, and report Shutdown.
    /// </summary>
    public sealed record Shutdown(string? ContainerId, bool LeaveRotationFirst, bool RemoveContainer) : TaskAction;

    /// <summary>Remove the container; <paramref name="TaskGone"/> when no task of this node wants it any more (the worker forgets the task too).</summary>
    public sealed record Remove(string ContainerId, bool TaskGone = false) : TaskAction;

    /// <summary>Stop then remove the container of a task the managers gave up (orphaned) and replaced elsewhere.</summary>
    public sealed record StopAndRemove(string ContainerId) : TaskAction;

    /// <summary>
    /// The container failed its health check: stop it and end the task Failed (swarmkit's controller shuts an unhealthy
    /// container down and fails its task). A task in the VIP rotations is reported failed first, which takes it out of
    /// them, and stopped a moment later, as a shutdown leaves the rotations before the container gets its signal.
    /// </summary>
    public sealed record StopUnhealthy(string ContainerId, bool LeaveRotationFirst, bool Started) : TaskAction;

    public sealed record Report(TaskState State, string Message, string? Error = null, string? ContainerId = null, long? ExitCode = null) : TaskAction;

    /// <summary>An exited container ends its task Complete (exit 0) or Failed with the exit code, as Docker's executor reports it.</summary>
    public static Report Exit(string containerId, long exitCode) =>
        exitCode == 0
            ? new Report(TaskState.Complete, "finished", ContainerId: containerId, ExitCode: 0)
            : new Report(TaskState.Failed, "started", $"task: non-zero exit ({exitCode})", containerId, exitCode);

    /// <summary>
    /// The end of a container stopped for failing its health check, in Docker's words: its executor's exit error
    /// with the health error as cause, "task: non-zero exit (137): dockerexec: unhealthy container". Docker reports a
    /// container that exits 0 on its stop signal Complete; here it is Failed all the same, since it failed its check.
    /// </summary>
    public static Report Unhealthy(string containerId, long? exitCode, bool started) =>
        new(TaskState.Failed, started ? "started" : "starting",
            exitCode is { } code and not 0 ? $"task: non-zero exit ({code}): {TaskStep.ErrContainerUnhealthy}" : $"task: {TaskStep.ErrContainerUnhealthy}",
            containerId, exitCode);
}

/// <summary>
/// The worker's state machine, pure: the task as the worker sees it and what it knows of its container give the next
/// action, the way swarmkit's agent/exec.Do moves a task one state at a time (Assigned → Preparing → Ready → Starting →
/// Running → Complete/Failed, or Shutdown when the desired state moves on). Everything that touches the engine, the
/// clock or the manager happens elsewhere (<see cref="TaskRunner"/>, <see cref="ExitWatcher"/>, <see cref="ReportPump"/>).
/// </summary>
public static class TaskStep
{
    public const string ContainerGone = "task: the container is gone (removed while the agent was not watching)";

    /// <summary>Docker's executor's error for a container whose health check failed (moby daemon/cluster/executor/container/errors.go).</summary>
    public const string ErrContainerUnhealthy = "dockerexec: unhealthy container";

    /// <summary>
    /// How long the worker waits for the engine's first verdict on a started container's health check before it
    /// counts the check as failed. The engine says unhealthy after Retries consecutive failures once the start
    /// period is over, each probe Interval apart and taking at most Timeout; a verdict that has not come by then
    /// (plus a margin) will not come. Zero fields take Docker's defaults (30 s, 30 s, 0 s, 3). Swarm waits without
    /// a bound; a bound keeps a task from staying Starting for ever if the verdict's event was lost.
    /// </summary>
    public static TimeSpan HealthVerdictLimit(Healthcheck check)
    {
        static TimeSpan Or(Duration value, TimeSpan fallback) => value.Nanoseconds > 0 ? value.ToTimeSpan() : fallback;
        var interval = Or(check.Interval, TimeSpan.FromSeconds(30));
        var timeout = Or(check.Timeout, TimeSpan.FromSeconds(30));
        var retries = check.Retries > 0 ? check.Retries : 3;
        return Or(check.StartPeriod, TimeSpan.Zero) + (retries + 1) * (interval + timeout) + HealthVerdictMargin;
    }

    private static readonly TimeSpan HealthVerdictMargin = TimeSpan.FromSeconds(5);

    /// <param name="task">The task, or null when no task of this node owns the container (gone, or moved to another node).</param>
    /// <param name="container">The task's container, or null when the worker has none for it.</param>
    public static TaskAction Next(WorkerTask? task, ObservedContainer? container)
    {
        if (task is null)
            // The engine's exit event of a container nobody wants is not news; the loop removes such containers.
            return container is { Phase: not ContainerPhase.Died } ? new TaskAction.Remove(container.Id, TaskGone: true) : TaskAction.None;

        return container?.Phase switch
        {
            ContainerPhase.Died => Died(task, container),
            ContainerPhase.Running or ContainerPhase.Stopped => Listed(task, container),
            _ => task.Desired >= TaskState.Shutdown ? Stopping(task, container) : Advancing(task, container),
        };
    }

    /// <summary>
    /// A task being shut down reports Shutdown from its own operation, not a failure. A container stopped for being
    /// unhealthy ends its task with the health error as the exit's cause, also once the task was reported failed
    /// (it left the rotations first) and the orchestrator replaced it meanwhile.
    /// </summary>
    private static TaskAction Died(WorkerTask task, ObservedContainer container)
    {
        if (container.Health == ContainerHealth.Unhealthy && (task.Desired <= TaskState.Running || task.State == TaskState.Failed))
            return TaskAction.Unhealthy(container.Id, container.ExitCode, started: task.State >= TaskState.Running);
        return task.Desired >= TaskState.Shutdown ? TaskAction.None : TaskAction.Exit(container.Id, container.ExitCode);
    }

    /// <summary>Stops an unhealthy container; only a task the cluster saw running on a network is in the rotations to leave.</summary>
    private static TaskAction.StopUnhealthy StopUnhealthy(WorkerTask task, ObservedContainer container) =>
        new(container.Id, LeaveRotationFirst: task.Assignment.Status.State == TaskState.Running && !task.Assignment.Networks.IsEmpty,
            Started: task.State >= TaskState.Running);

    /// <summary>
    /// The engine's word on a container the worker did not see start or stop (after a restart of the worker, or while
    /// the event stream was down): a running one is adopted as it is, a stopped one that had started ends its task.
    /// Tasks on their way out are left to the loop, which holds the container from now on.
    /// </summary>
    private static TaskAction Listed(WorkerTask task, ObservedContainer container)
    {
        if (task.Desired >= TaskState.Shutdown || task.State.IsTerminal()) return TaskAction.None;
        return container.Phase switch
        {
            ContainerPhase.Running when container.Health == ContainerHealth.Unhealthy => StopUnhealthy(task, container),
            // Its check has not passed yet: the task is not running (Swarm's rule); the loop starts it again, which
            // leaves a running container as it is and waits for the engine's verdict.
            ContainerPhase.Running when task.State < TaskState.Running && container.Health == ContainerHealth.Starting => TaskAction.None,
            ContainerPhase.Running when task.State < TaskState.Running => new TaskAction.Report(TaskState.Running, "started", ContainerId: container.Id),
            // A stopped container of a task that never reached Starting was created and not yet started: the loop starts it.
            ContainerPhase.Stopped when task.State >= TaskState.Starting => TaskAction.Exit(container.Id, container.ExitCode),
            _ => TaskAction.None,
        };
    }

    private static TaskAction Stopping(WorkerTask task, ObservedContainer? container)
    {
        if (task.State is >= TaskState.Assigned and <= TaskState.Running)
            return new TaskAction.Shutdown(
                container?.Id,
                // Judged on what the log says: only a task the cluster saw running is in the rotations.
                LeaveRotationFirst: task.Assignment.Status.State == TaskState.Running && !task.Assignment.Networks.IsEmpty,
                RemoveContainer: task.Desired == TaskState.Remove);
        if (task.Desired == TaskState.Remove && container is not null) return new TaskAction.Remove(container.Id);
        // Back from being cut off or dead: the managers gave this task up and replaced it, so its container must stop or
        // the slot would run twice, and it goes altogether since nothing will run it again. Once only: a container the
        // worker already stopped (Discarded) is not stopped again if its removal failed.
        if (task.State == TaskState.Orphaned && container is { Phase: ContainerPhase.Held })
            return new TaskAction.StopAndRemove(container.Id);
        return TaskAction.None;
    }

    private static TaskAction Advancing(WorkerTask task, ObservedContainer? container) => task.State switch
    {
        TaskState.Assigned or TaskState.Accepted or TaskState.Preparing => new TaskAction.Prepare(),
        // Reported Ready or Starting but the worker holds no container for it (lost across a restart): prepare again.
        TaskState.Ready or TaskState.Starting when container is null => new TaskAction.Prepare(),
        // A task with a health check is running once the engine says healthy, not when its process starts (swarmkit's
        // controller Start waits for health_status: healthy); unhealthy, or no verdict within what the check allows, fails it.
        TaskState.Starting or TaskState.Running when container is { Health: ContainerHealth.Unhealthy } => StopUnhealthy(task, container),
        TaskState.Starting when container is { Health: ContainerHealth.Starting } => StopUnhealthy(task, container),
        TaskState.Starting when container is { Health: ContainerHealth.Healthy } && task.Desired == TaskState.Running =>
            new TaskAction.Report(TaskState.Running, "started", ContainerId: container.Id),
        TaskState.Ready or TaskState.Starting when task.Desired == TaskState.Running => new TaskAction.Start(container!.Id),
        TaskState.Running when container is null => new TaskAction.Report(TaskState.Failed, "failed", ContainerGone),
        // Running with its container: the exit watcher reports its end. Ready while desired Ready: a delayed restart waits.
        _ => TaskAction.None,
    };
}
