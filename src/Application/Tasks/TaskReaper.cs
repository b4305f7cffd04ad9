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

        // Only the tasks of services that are gone and those to be removed can be reaped here; the state's indexes
        // give both, in ID order, as a scan of every task would have met them.
        var candidates = new SortedSet<string>(state.Tasks.KeyComparer);
        foreach (var (serviceId, ids) in state.TaskIndex.ByService)
            if (!state.Services.ContainsKey(serviceId)) candidates.UnionWith(ids);
        foreach (var task in state.RetiredTasks)
            if (task.DesiredState == TaskState.Remove) candidates.Add(task.Id);

        foreach (var task in candidates.Select(id => state.Tasks[id]))
        {
            if (!state.Services.ContainsKey(task.ServiceId) && task.DesiredState < TaskState.Remove)
                events.Add(new TaskDesiredStateChanged(task.Id, TaskState.Remove, context.Now));
            else if (task.DesiredState == TaskState.Remove && HasStopped(task, state) && removed.Add(task.Id))
                events.Add(new TaskRemoved(task.Id, context.Now));
        }

        // Only a slot holding a task no longer wanted has anything to trim, so the slots come from those tasks; each
        // service's slots are taken in the order of their first task, as grouping the service's tasks took them.
        var retired = state.RetiredTasks.Where(t => !removed.Contains(t.Id)).ToLookup(t => t.ServiceId);
        var retention = (state.Swarm?.Spec ?? SwarmSpec.Default).TaskHistoryRetentionLimit;
        foreach (var service in state.Services.Values)
        {
            if (!retired.Contains(service.Id)) continue;
            var policy = service.Spec.TaskTemplate.EffectiveRestartPolicy;
            var limit = policy.MaxAttempts is > 0 and < long.MaxValue ? policy.MaxAttempts + 1 : policy.MaxAttempts > 0 ? long.MaxValue : retention;
            if (limit < 0) continue;
            var groups = retired[service.Id]
                .DistinctBy(t => t.Slot > 0 ? t.Slot.ToString() : t.NodeId ?? "")
                .Select(t => RestartBackoff.SlotGroup(t, state).Where(other => !removed.Contains(other.Id)).ToList())
                .OrderBy(g => g[0].Id, state.Tasks.KeyComparer);
            foreach (var group in groups)
            {
                var excess = group.Count - limit;
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
