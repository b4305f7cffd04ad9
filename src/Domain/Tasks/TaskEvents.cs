using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Tasks;

/// <summary>The facts about tasks, and how each changes the cluster's state.</summary>
public abstract record TaskEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, TaskEvent @event, long sequence) => @event switch
    {
        TaskCreated e => state.WithTaskChange(state.Tasks.GetValueOrDefault(e.TaskId),
            new SwarmTask(e.TaskId, e.ServiceId, e.ServiceName, e.Slot, e.NodeId, e.Spec,
                e.SpecVersion, e.DesiredState, new TaskObservation(TaskState.New, e.At, "created"), e.At, e.At, sequence, e.NotBefore)),
        TaskUnschedulable e => state.WithTask(e.TaskId, t => t with
        {
            Status = t.Status with { State = TaskState.Pending, Message = e.Message, Timestamp = e.At },
            UpdatedAt = e.At,
            Version = sequence,
        }),
        TaskAssigned e => state.WithTask(e.TaskId, t => t with
        {
            NodeId = e.NodeId,
            Status = new TaskObservation(TaskState.Assigned, e.At, "assigned"),
            UpdatedAt = e.At,
            Version = sequence,
        }),
        TaskDesiredStateChanged e => state.WithTask(e.TaskId, t => t with { DesiredState = e.DesiredState, UpdatedAt = e.At, Version = sequence }),
        TaskStatusReported e => state.WithTask(e.TaskId, t =>
            // Observed state is a clock that only moves forward (Swarm's rule); a late or repeated report is dropped.
            e.Status.State < t.Status.State || t.NodeId != e.NodeId
                ? t
                : t with
                {
                    Status = e.Status,
                    UpdatedAt = e.Status.Timestamp,
                    Version = sequence,
                    RunningSince = t.RunningSince ?? (e.Status.State == TaskState.Running ? e.Status.Timestamp : null),
                }),
        TaskOrphaned e => state.WithTask(e.TaskId, t => t.Status.State.IsTerminal()
            ? t
            : t with { Status = t.Status with { State = TaskState.Orphaned, Message = e.Message, Timestamp = e.At }, UpdatedAt = e.At, Version = sequence }),
        TaskRemoved e => state.Tasks.TryGetValue(e.TaskId, out var removed) ? state.WithTaskChange(removed, null) : state,
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <summary>
/// A new task in a slot (or on a node, for global services, where NodeId is set at once). A task created by a
/// delayed restart starts with desired state Ready and <paramref name="NotBefore"/>; it is released to Running
/// when that time has come.
/// </summary>
public sealed record TaskCreated(
    string TaskId,
    string ServiceId,
    string ServiceName,
    long Slot,
    string? NodeId,
    TaskTemplate Spec,
    long SpecVersion,
    TaskState DesiredState,
    DateTimeOffset At,
    DateTimeOffset? NotBefore = null) : TaskEvent;

/// <summary>The scheduler found no node for the task; the message explains why, like Swarm's "no suitable node (…)".</summary>
public sealed record TaskUnschedulable(string TaskId, string Message, DateTimeOffset At) : TaskEvent;

/// <summary>
/// The scheduler placed the task on a node. <paramref name="Placement"/> says why (the candidates, the filters that
/// removed nodes, the winning score); it is null in logs written before the scheduler recorded its reasons.
/// </summary>
public sealed record TaskAssigned(string TaskId, string NodeId, DateTimeOffset At, Scheduling.PlacementReason? Placement = null) : TaskEvent;

public sealed record TaskDesiredStateChanged(string TaskId, TaskState DesiredState, DateTimeOffset At) : TaskEvent;

/// <summary>What a worker saw of its task. Reports that would move the state backwards are ignored on apply.</summary>
public sealed record TaskStatusReported(string TaskId, string NodeId, TaskObservation Status) : TaskEvent;

/// <summary>The task reaper trimmed history, or a removed task finished: the task leaves the projection.</summary>
public sealed record TaskRemoved(string TaskId, DateTimeOffset At) : TaskEvent;

/// <summary>
/// The task's node went down: nobody can tell what the task is doing, so it stops counting as running and the
/// orchestrator replaces it elsewhere. If the node comes back, its worker stops the task's container.
/// </summary>
public sealed record TaskOrphaned(string TaskId, string Message, DateTimeOffset At) : TaskEvent;
