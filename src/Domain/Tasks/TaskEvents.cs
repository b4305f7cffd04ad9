using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Tasks;

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
    DateTimeOffset? NotBefore = null) : DomainEvent;

/// <summary>The scheduler found no node for the task; the message explains why, like Swarm's "no suitable node (…)".</summary>
public sealed record TaskUnschedulable(string TaskId, string Message, DateTimeOffset At) : DomainEvent;

public sealed record TaskAssigned(string TaskId, string NodeId, DateTimeOffset At) : DomainEvent;

public sealed record TaskDesiredStateChanged(string TaskId, TaskState DesiredState, DateTimeOffset At) : DomainEvent;

/// <summary>What a worker saw of its task. Reports that would move the state backwards are ignored on apply.</summary>
public sealed record TaskStatusReported(string TaskId, string NodeId, TaskObservation Status) : DomainEvent;

/// <summary>The task reaper trimmed history, or a removed task finished: the task leaves the projection.</summary>
public sealed record TaskRemoved(string TaskId, DateTimeOffset At) : DomainEvent;

/// <summary>
/// The task's node went down: nobody can tell what the task is doing, so it stops counting as running and the
/// orchestrator replaces it elsewhere. If the node comes back, its worker stops the task's container.
/// </summary>
public sealed record TaskOrphaned(string TaskId, string Message, DateTimeOffset At) : DomainEvent;
