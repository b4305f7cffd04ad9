using EventSwarm.Domain;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Tasks;

/// <summary>
/// Releases a task parked in Ready (restart delay, stop-first update) once its time has come and the task it
/// replaces has stopped, so a slot never runs two containers at once.
/// </summary>
public static class DelayedStart
{
    public static bool CanStart(SwarmTask task, ClusterState state, DateTimeOffset now)
    {
        if (task.DesiredState != TaskState.Ready) return false;
        if (task.NotBefore is { } due && due > now) return false;
        return !RestartSupervisor.SlotHistory(task, state).Any(other =>
            other.Id != task.Id
            && other.Status.State is >= TaskState.Assigned and <= TaskState.Running
            && other.NodeId is not null
            && state.Nodes.TryGetValue(other.NodeId, out var node)
            && node.Status != Domain.Nodes.NodeStatus.Down);
    }

    /// <summary>When the next parked task becomes due, so the loop runner can wake up for it.</summary>
    public static DateTimeOffset? NextDue(ClusterState state, DateTimeOffset now) => state.NextNotBeforeAfter(now);
}
