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
/// </summary>
public static class GlobalOrchestrator
{
    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var events = new List<DomainEvent>();
        foreach (var service in state.Services.Values.Where(s => s.Spec.Mode.IsGlobal))
        {
            var constraints = Constraint.ParseAll(service.Spec.TaskTemplate.Placement.Constraints);
            var tasks = state.TasksOf(service.Id).Where(t => t.IsRunnable).ToList();
            foreach (var node in state.Nodes.Values)
            {
                var eligible = node.CanTakeNewTasks && constraints.All(c => c.IsSatisfiedBy(node));
                var current = tasks.Where(t => t.NodeId == node.Id).OrderByDescending(t => t.CreatedAt).FirstOrDefault();
                if (current is null)
                {
                    if (eligible)
                        events.Add(new TaskCreated(context.NewId(), service.Id, service.Spec.Name, 0, node.Id,
                            service.Spec.TaskTemplate, service.SpecVersion, TaskState.Running, context.Now));
                }
                else if (!eligible && node.Availability != NodeAvailability.Pause)
                    events.Add(new TaskDesiredStateChanged(current.Id, TaskState.Shutdown, context.Now));
                else if (current.Status.State.IsTerminal() && !RestartSupervisor.IsWaitingOutDelay(current, context.Now))
                    events.AddRange(RestartSupervisor.Restart(current, service, state, context));
                else if (current.Status.State.IsTerminal())
                    continue;
                else if (DelayedStart.CanStart(current, state, context.Now))
                    events.Add(new TaskDesiredStateChanged(current.Id, TaskState.Running, context.Now));
                else if (current.SpecVersion != service.SpecVersion && current.Status.State == TaskState.Running)
                {
                    events.Add(new TaskDesiredStateChanged(current.Id, TaskState.Shutdown, context.Now));
                    events.Add(new TaskCreated(context.NewId(), service.Id, service.Spec.Name, 0, node.Id,
                        service.Spec.TaskTemplate, service.SpecVersion, TaskState.Ready, context.Now));
                }
            }
        }
        return events;
    }
}
