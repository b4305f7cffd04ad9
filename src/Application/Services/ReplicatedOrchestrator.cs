using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Services;

/// <summary>
/// Keeps each replicated service at its replica count, slot by slot (swarmkit's replicated orchestrator):
/// fills missing slots, removes surplus ones, hands finished tasks to the restart supervisor and releases delayed
/// starts. Replacing the tasks of an older spec is the <see cref="RollingUpdater"/>'s.
/// </summary>
public static class ReplicatedOrchestrator
{
    /// <summary>
    /// At most this many slots are filled (or emptied) per service per pass. Docker accepts any uint64 as a replica
    /// count, so a pass that built every missing task at once ran out of memory at 2^31 replicas; in bounded steps
    /// the service fills progressively (the next pass follows at once while there is work), memory stays flat and
    /// the writer is never held for long, so the API keeps answering. swarmkit's orchestrator likewise works
    /// through a service in store batches rather than one transaction per service.
    /// </summary>
    public const int MaxTasksPerPass = 1000;

    /// <summary>All services together: a pass stops taking more services once it has decided this many events.</summary>
    public const int MaxEventsPerPass = 2_000;

    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var events = new List<DomainEvent>();
        var onInvalidNodes = ServicesOnInvalidNodes(state);
        foreach (var service in state.Services.Values.Where(s => !s.Spec.Mode.IsGlobal))
        {
            // A thousand services created at once would otherwise make one pass of a million tasks: one log entry
            // too large to commit in time (issue 16). The services left wait for the next pass, which follows at once.
            if (events.Count >= MaxEventsPerPass) break;
            if (!IsSettled(service, state, onInvalidNodes))
                events.AddRange(ReconcileService(service, state, context));
        }
        return events;
    }

    /// <summary>
    /// A service at rest (issue 16): one runnable task per slot for every replica, none ended or parked, none on a
    /// node that can no longer run it. Its pass would decide nothing, so it is not read task by task: at a million
    /// tasks the orchestrator looks only at the services where something happened.
    /// </summary>
    private static bool IsSettled(Service service, ClusterState state, HashSet<string> onInvalidNodes)
    {
        var tally = state.TallyOf(service.Id);
        var replicas = service.Spec.Mode.Replicas;
        return tally.Unsettled == 0 && tally.Runnable == tally.RunnableSlots && tally.RunnableSlots == replicas
            && !onInvalidNodes.Contains(service.Id);
    }

    /// <summary>The services with an active task on a node that is down, drained or gone (its tasks need a restart).</summary>
    private static HashSet<string> ServicesOnInvalidNodes(ClusterState state)
    {
        var services = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (nodeId, load) in state.TaskIndex.Load)
            if (!state.Nodes.TryGetValue(nodeId, out var node) || node.IsInvalidForTasks)
                services.UnionWith(load.Services.Keys);
        return services;
    }

    private static IEnumerable<DomainEvent> ReconcileService(Service service, ClusterState state, ReconcileContext context)
    {
        var tasks = state.TasksOf(service.Id).ToList();
        // A slot is runnable while one of its tasks is still wanted; its newest such task is the slot's current one.
        var runnable = tasks.Where(t => t.IsRunnable)
            .GroupBy(t => t.Slot)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id).First());

        var events = new List<DomainEvent>();
        var replicas = service.Spec.Mode.Replicas;

        if (runnable.Count > replicas)
        {
            var bySlot = tasks.ToLookup(t => t.Slot);
            foreach (var slot in SlotsToRemove(runnable.Values, Math.Min(runnable.Count - replicas, MaxTasksPerPass), state))
            {
                foreach (var task in bySlot[slot].Where(t => t.DesiredState != TaskState.Remove))
                    events.Add(new TaskDesiredStateChanged(task.Id, TaskState.Remove, context.Now));
                runnable.Remove(slot);
            }
        }

        foreach (var task in runnable.Values.OrderBy(t => t.Slot))
        {
            if (RestartSupervisor.NeedsRestart(task, state))
            {
                if (!RestartSupervisor.IsWaitingOutDelay(task, context.Now))
                    events.AddRange(RestartSupervisor.Restart(task, service, state, context));
            }
            else if (DelayedStart.CanStart(task, state, context.Now))
                events.Add(new TaskDesiredStateChanged(task.Id, TaskState.Running, context.Now));
        }

        if (runnable.Count < replicas)
        {
            long slot = 0;
            for (var missing = Math.Min(replicas - runnable.Count, MaxTasksPerPass); missing > 0; missing--)
            {
                do slot++; while (runnable.ContainsKey(slot));
                events.Add(NewTask(service, slot, TaskState.Running, state, context));
            }
        }
        return events;
    }

    /// <summary>
    /// Swarm's scale-down choice: take slots from the nodes that run the most tasks of the service first, and
    /// among those, tasks that are not running yet; the highest slot numbers go first so the rest stay compact.
    /// </summary>
    private static IEnumerable<long> SlotsToRemove(IEnumerable<SwarmTask> current, long count, ClusterState state)
    {
        var perNode = current.Where(t => t.NodeId is not null).GroupBy(t => t.NodeId!).ToDictionary(g => g.Key, g => g.Count());
        return current
            .OrderByDescending(t => t.NodeId is null ? int.MaxValue : perNode[t.NodeId])
            .ThenBy(t => t.Status.State == TaskState.Running ? 1 : 0)
            .ThenByDescending(t => t.Slot)
            .Take((int)count)
            .Select(t => t.Slot)
            .ToList();
    }

    internal static TaskCreated NewTask(Service service, long slot, TaskState desired, ClusterState state, ReconcileContext context) =>
        new(context.NewId(), service.Id, service.Spec.Name, slot, null, service.TemplateForNewTask(state), service.SpecVersion, desired, context.Now);
}
