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

public sealed record ObservedContainer(string Id, ContainerPhase Phase = ContainerPhase.Held, long ExitCode = 0)
{
    public static ObservedContainer Listed(TaskContainer container) =>
        new(container.ContainerId, container.Running ? ContainerPhase.Running : ContainerPhase.Stopped, container.ExitCode);

    public static ObservedContainer Exited(ContainerExit exit) => new(exit.ContainerId, ContainerPhase.Died, exit.ExitCode);
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

    public sealed record Report(TaskState State, string Message, string? Error = null, string? ContainerId = null, long? ExitCode = null) : TaskAction;

    /// <summary>An exited container ends its task Complete (exit 0) or Failed with the exit code, as Docker's executor reports it.</summary>
    public static Report Exit(string containerId, long exitCode) =>
        exitCode == 0
            ? new Report(TaskState.Complete, "finished", ContainerId: containerId, ExitCode: 0)
            : new Report(TaskState.Failed, "started", $"task: non-zero exit ({exitCode})", containerId, exitCode);
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

    /// <summary>A task being shut down reports Shutdown from its own operation, not a failure.</summary>
    private static TaskAction Died(WorkerTask task, ObservedContainer container) =>
        task.Desired >= TaskState.Shutdown ? TaskAction.None : TaskAction.Exit(container.Id, container.ExitCode);

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
        TaskState.Ready or TaskState.Starting when task.Desired == TaskState.Running => new TaskAction.Start(container!.Id),
        TaskState.Running when container is null => new TaskAction.Report(TaskState.Failed, "failed", ContainerGone),
        // Running with its container: the exit watcher reports its end. Ready while desired Ready: a delayed restart waits.
        _ => TaskAction.None,
    };
}
