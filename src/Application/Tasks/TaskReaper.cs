using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Tasks;

/// <summary>
/// Removes tasks nobody needs to see any more (swarmkit's task reaper): tasks of removed slots and services once
/// they have stopped, and history beyond the swarm's TaskHistoryRetentionLimit (5 by default) per slot, counting the
/// current one — or max_attempts + 1 for a service whose restarts are counted, so that counting keeps its evidence,
/// as swarmkit does. A negative limit keeps all history.
/// </summary>
public static class TaskReaper
{

    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var events = new List<DomainEvent>();
        var removed = new HashSet<string>();

        foreach (var task in state.Tasks.Values)
        {
            if (!state.Services.ContainsKey(task.ServiceId) && task.DesiredState < TaskState.Remove)
                events.Add(new TaskDesiredStateChanged(task.Id, TaskState.Remove, context.Now));
            else if (task.DesiredState == TaskState.Remove && HasStopped(task, state) && removed.Add(task.Id))
                events.Add(new TaskRemoved(task.Id, context.Now));
        }

        var retention = (state.Swarm?.Spec ?? SwarmSpec.Default).TaskHistoryRetentionLimit;
        foreach (var service in state.Services.Values)
        {
            var policy = service.Spec.TaskTemplate.EffectiveRestartPolicy;
            var limit = policy.MaxAttempts is > 0 and < long.MaxValue ? policy.MaxAttempts + 1 : policy.MaxAttempts > 0 ? long.MaxValue : retention;
            if (limit < 0) continue;
            var groups = state.TasksOf(service.Id).Where(t => !removed.Contains(t.Id))
                .GroupBy(t => t.Slot > 0 ? t.Slot.ToString() : t.NodeId ?? "");
            foreach (var group in groups)
            {
                var excess = group.Count() - limit;
                if (excess <= 0) continue;
                foreach (var old in group.Where(t => !t.IsRunnable && HasStopped(t, state))
                             .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Take((int)excess))
                    events.Add(new TaskRemoved(old.Id, context.Now));
            }
        }
        return events;
    }

    /// <summary>Stopped, never reached a node, or sits on a node that is gone: nothing left to wait for.</summary>
    private static bool HasStopped(SwarmTask task, ClusterState state) =>
        task.Status.State.IsTerminal()
        || task.Status.State < TaskState.Assigned
        || task.NodeId is null
        || !state.Nodes.TryGetValue(task.NodeId, out var node)
        || node.Status == NodeStatus.Down;
}
