namespace EventSwarm.Domain.Services;

/// <summary>Swarm's UpdateStatus states, in the order the API lists them.</summary>
public enum UpdateState { Updating, Paused, Completed, RollbackStarted, RollbackPaused, RollbackCompleted }

/// <summary>
/// Where a service's rolling update stands, as swarmkit's updater records it (manager/orchestrator/update/updater.go):
/// null until an update replaces tasks, reset by every new spec, moved by the updater loop, never by a client.
/// </summary>
public sealed record UpdateStatus(UpdateState State, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string Message)
{
    public const string InProgress = "update in progress";
    public const string UpdateCompleted = "update completed";
    public const string RollbackCompleted = "rollback completed";
    public const string ManualRollback = "manually requested rollback";

    public bool IsRollback => State is UpdateState.RollbackStarted or UpdateState.RollbackPaused or UpdateState.RollbackCompleted;

    public bool IsPaused => State is UpdateState.Paused or UpdateState.RollbackPaused;

    public bool IsActive => State is UpdateState.Updating or UpdateState.RollbackStarted;

    /// <summary>swarmkit's messages for a failure that stops an update: "update paused due to failure or early termination of task X".</summary>
    public static string PausedBy(string taskId, bool rollingBack) =>
        $"{(rollingBack ? "rollback" : "update")} paused due to failure or early termination of task {taskId}";

    public static string RolledBackBy(string taskId) => $"update rolled back due to failure or early termination of task {taskId}";

    /// <summary>swarmkit's rollbackUpdate when there is nothing to go back to; the update stops there.</summary>
    public const string NoPreviousSpec = "cannot roll back service because no previous spec is available";
}

/// <summary>
/// One version of a service's spec, as the log recorded it: Swarm keeps one PreviousSpec, the log keeps them all.
/// <paramref name="Number"/> counts the service's versions from 1; <paramref name="SpecVersion"/> is the task
/// generation its tasks carry (a rollback goes back to an older one, so its tasks still running stay).
/// </summary>
public sealed record ServiceVersion(int Number, long SpecVersion, ServiceSpec Spec, DateTimeOffset At, string Who, string Command, long Sequence);
