using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Services;

/// <summary>
/// One task of each global service on every node that is ready, active and meets the constraints; tasks on
/// nodes that stop qualifying are shut down (swarmkit's global orchestrator). The node is the task's "slot".
/// Replacing the tasks of an older spec, node by node, is the <see cref="RollingUpdater"/>'s.
/// </summary>
public static class GlobalOrchestrator
{
    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var events = new List<DomainEvent>();
        foreach (var service in state.Services.Values.Where(s => s.Spec.Mode.IsGlobal))
        {
            var constraints = Constraint.ParseAll(service.Spec.TaskTemplate.EffectivePlacement.Constraints);
            var tasks = state.TasksOf(service.Id).Where(t => t.IsRunnable).ToList();
            var byNode = tasks.ToLookup(t => t.NodeId ?? "");
            foreach (var node in state.Nodes.Values)
            {
                var eligible = node.CanTakeNewTasks && constraints.All(c => c.IsSatisfiedBy(node));
                var current = byNode[node.Id].OrderByDescending(t => t.CreatedAt).FirstOrDefault();
                if (current is null)
                {
                    if (eligible) events.Add(NewTask(service, node.Id, TaskState.Running, state, context));
                }
                // A paused node keeps what it runs, but gets nothing new, not even an update (Swarm's rule).
                else if (!eligible && node.Availability != NodeAvailability.Pause)
                    events.Add(new TaskDesiredStateChanged(current.Id, TaskState.Shutdown, context.Now));
                // A task that ended on a paused node is not replaced there, since nothing new may start on it; it is
                // shut down, as swarmkit's tickTasks does, and the node gets a task again once it is active. A
                // replacement would wait unplaced for good and, being of the current spec and not running, hold
                // back the service's rolling update on every other node.
                else if (current.Status.State.IsTerminal() && !eligible)
                    events.Add(new TaskDesiredStateChanged(current.Id, TaskState.Shutdown, context.Now));
                else if (current.Status.State.IsTerminal())
                {
                    if (!RestartSupervisor.IsWaitingOutDelay(current, context.Now))
                        events.AddRange(RestartSupervisor.Restart(current, service, state, context));
                }
                else if (DelayedStart.CanStart(current, state, context.Now))
                    events.Add(new TaskDesiredStateChanged(current.Id, TaskState.Running, context.Now));
            }

            // A task whose node left the swarm (`node rm`, forced or not) is shut down, as swarmkit shuts down the
            // tasks of nodes it no longer knows: kept wanted, one still waiting to be placed would be placed by the
            // scheduler on any node, beside that node's own task.
            foreach (var orphan in tasks.Where(t => t.NodeId is null || !state.Nodes.ContainsKey(t.NodeId)))
                events.Add(new TaskDesiredStateChanged(orphan.Id, TaskState.Shutdown, context.Now));
        }
        return events;
    }

    private static TaskCreated NewTask(Service service, string nodeId, TaskState desired, ClusterState state, ReconcileContext context) =>
        new(context.NewId(), service.Id, service.Spec.Name, 0, nodeId, service.TemplateForNewTask(state), service.SpecVersion, desired, context.Now);
}
