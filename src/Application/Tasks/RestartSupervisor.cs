using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Tasks;

/// <summary>
/// Replaces a task that ended or whose node can no longer run it, by Swarm's restart policy: the old task is
/// shut down and a new one takes the same slot (or node, for global services), started after the restart delay.
/// </summary>
public static class RestartSupervisor
{
    /// <summary>Whether the slot's current task needs the supervisor: it has finished, or its node went away.</summary>
    public static bool NeedsRestart(SwarmTask task, ClusterState state) =>
        task.Status.State.IsTerminal() || NodeIsInvalid(task, state);

    /// <summary>
    /// A task that failed while its own restart delay was still running (a missing image fails at preparation,
    /// before the delay is over) is replaced only when that delay ends: one attempt per delay, never a hot loop.
    /// </summary>
    public static bool IsWaitingOutDelay(SwarmTask task, DateTimeOffset now) =>
        task.NotBefore is { } due && due > now && task.Status.State.IsTerminal();

    public static IEnumerable<DomainEvent> Restart(SwarmTask task, Service service, ClusterState state, ReconcileContext context)
    {
        var policy = service.Spec.TaskTemplate.EffectiveRestartPolicy;
        var nodeInvalid = NodeIsInvalid(task, state);

        // A task that ended on its own stays as it is when the policy forbids a restart: it keeps its slot, so the
        // orchestrator does not fill the slot behind the policy's back (service ls shows 0/1, as in Swarm).
        if (!nodeInvalid && !MayRestart(task, service, policy, state, context.Now)) yield break;

        // A task that ended quickly (a crash loop) stays until its back-off is over; a node lost is not a crash.
        var backoff = nodeInvalid ? TimeSpan.Zero : RestartBackoff.Of(task, service, SlotHistory(task, state));
        if (backoff > TimeSpan.Zero && task.Status.Timestamp + backoff > context.Now) yield break;

        yield return new TaskDesiredStateChanged(task.Id, TaskState.Shutdown, context.Now);

        // Swarm skips the delay only for tasks moved off a drained node; a node that went down waits like a failure.
        // A back-off already waited covers the policy's delay (it is the longer of the two).
        var drained = task.NodeId is not null && state.Nodes.TryGetValue(task.NodeId, out var node) && node.Availability == NodeAvailability.Drain;
        var delay = drained || backoff > TimeSpan.Zero ? TimeSpan.Zero : policy.EffectiveDelay;
        var notBefore = delay > TimeSpan.Zero ? context.Now + delay : (DateTimeOffset?)null;

        yield return new TaskCreated(
            context.NewId(), service.Id, service.Spec.Name, task.Slot,
            service.Spec.Mode.IsGlobal ? task.NodeId : null,
            service.TemplateForNewTask(state), service.SpecVersion,
            notBefore is null ? TaskState.Running : TaskState.Ready,
            context.Now, notBefore);
    }

    private static bool MayRestart(SwarmTask task, Service service, RestartPolicy policy, ClusterState state, DateTimeOffset now)
    {
        switch (policy.Condition)
        {
            case RestartCondition.None:
            case RestartCondition.OnFailure when task.Status.State == TaskState.Complete:
                return false;
        }
        if (policy.MaxAttempts <= 0) return true;

        // Restarts are counted from the slot's history, so the count survives a leader change (Swarm keeps it in
        // memory and is "slightly off" after an election). Only tasks of the current spec count.
        // A restart is a task that replaced another one of the same spec, so the slot's first task does not count.
        var restarts = SlotHistory(task, state)
            .Where(t => t.SpecVersion == service.SpecVersion)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Skip(1)
            .Count(t => policy.EffectiveWindow <= TimeSpan.Zero || t.CreatedAt >= now - policy.EffectiveWindow);
        return restarts < policy.MaxAttempts;
    }

    /// <summary>The tasks of the task's slot (or, for a global task, of its service on its node), in ID order.</summary>
    public static IEnumerable<SwarmTask> SlotHistory(SwarmTask task, ClusterState state) =>
        task.Slot > 0 ? state.TasksInSlot(task.ServiceId, task.Slot)
        : task.NodeId is { } nodeId ? state.TasksOn(nodeId).Where(t => t.ServiceId == task.ServiceId)
        : state.TasksOf(task.ServiceId).Where(t => t.NodeId is null);

    private static bool NodeIsInvalid(SwarmTask task, ClusterState state) =>
        task.NodeId is not null && (!state.Nodes.TryGetValue(task.NodeId, out var node) || node.IsInvalidForTasks);
}
