using System.Collections.Immutable;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.UnitTests.Scheduling;

/// <summary>
/// The scheduler as it was before issue 16, kept word for word as the reference the task-group scheduler must agree
/// with: every waiting task in turn filters every node and sorts those that pass (O(waiting × nodes log nodes)), and
/// the loads are counted by scanning every task. Correct by inspection, too slow at scale.
/// </summary>
public static class PerTaskScheduler
{
    private sealed record Filter(PlacementFilter Kind, string Explanation, Func<Node, NodeLoad, SwarmTask, IReadOnlyList<Constraint>, bool> Accepts);

    /// <summary>Swarm's filter order; a node is counted against the first filter it fails when explaining.</summary>
    private static readonly Filter[] Pipeline =
    [
        new(PlacementFilter.Availability, "{0} not available for new tasks", (node, _, _, _) => node.CanTakeNewTasks),
        new(PlacementFilter.Resources, "insufficient resources on {0}", (node, load, task, _) => load.Fits(node, task.Spec.EffectiveReservations)),
        new(PlacementFilter.Constraints, "scheduling constraints not satisfied on {0}", (node, _, _, constraints) => constraints.All(c => c.IsSatisfiedBy(node))),
    ];

    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var waiting = state.Tasks.Values
            // A task without its network addresses waits for the allocator, as in Swarm (NEW until allocated).
            .Where(t => t.IsRunnable && t.Status.State <= TaskState.Pending && EventSwarm.Application.Networking.NetworkAllocator.IsAllocated(t, state))
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.ServiceId).ThenBy(t => t.Slot).ThenBy(t => t.Id)
            .ToList();
        if (waiting.Count == 0) return [];

        var loads = state.Nodes.Keys.ToDictionary(id => id, _ => new NodeLoad());
        foreach (var task in state.Tasks.Values.Where(t => t.IsActive && t.NodeId is not null && t.Status.State >= TaskState.Assigned))
            if (loads.TryGetValue(task.NodeId!, out var load)) load.Add(task);

        var events = new List<DomainEvent>();
        foreach (var task in waiting)
        {
            var constraints = Constraint.ParseAll(task.Spec.EffectivePlacement.Constraints);
            // Global tasks come with their node; the scheduler only checks that it still fits.
            var candidates = task.NodeId is not null && state.Nodes.TryGetValue(task.NodeId, out var preset)
                ? [preset]
                : state.Nodes.Values.ToList();
            var fitting = candidates.Where(n => Pipeline.All(f => f.Accepts(n, loads[n.Id], task, constraints))).ToList();
            if (fitting.Count == 0)
            {
                var message = Explain(candidates, loads, task, constraints);
                if (task.Status.State != TaskState.Pending || task.Status.Message != message)
                    events.Add(new TaskUnschedulable(task.Id, message, context.Now));
                continue;
            }
            var ranked = fitting
                .OrderBy(n => loads[n.Id].TasksOf(task.ServiceId))
                .ThenBy(n => loads[n.Id].Total)
                .ThenBy(n => n.Id, StringComparer.Ordinal)
                .Take(2)
                .Select(n => new NodeScore(n.Id, loads[n.Id].TasksOf(task.ServiceId), loads[n.Id].Total))
                .ToList();
            var chosen = ranked[0];
            var reason = new PlacementReason(candidates.Count, Removed(candidates, fitting.Count, loads, task, constraints), chosen, ranked.ElementAtOrDefault(1));
            loads[chosen.NodeId].Add(task);
            events.Add(new TaskAssigned(task.Id, chosen.NodeId, context.Now, reason));
        }
        return events;
    }

    /// <summary>
    /// The nodes the filters removed, for the placement's reason: a count per filter (per constraint for the
    /// constraints filter) and the first few node IDs, never a line per node.
    /// </summary>
    private static ImmutableArray<FilteredNodes> Removed(IReadOnlyList<Node> candidates, int fitting, Dictionary<string, NodeLoad> loads, SwarmTask task,
        IReadOnlyList<Constraint> constraints)
    {
        if (fitting == candidates.Count) return [];
        // Keyed by filter, then by the index of the constraint failed (-1 for the other filters): task order, not text order.
        var groups = new SortedDictionary<(PlacementFilter Filter, int Constraint), (int Count, List<string> Nodes)>();
        // Candidates come in node ID order (the state's nodes are sorted), so the examples are the lowest IDs.
        foreach (var node in candidates)
        {
            var failed = Pipeline.FirstOrDefault(f => !f.Accepts(node, loads[node.Id], task, constraints));
            if (failed is null) continue;
            var constraint = -1;
            if (failed.Kind == PlacementFilter.Constraints)
                while (constraints[++constraint].IsSatisfiedBy(node)) { }
            var key = (failed.Kind, constraint);
            var group = groups.TryGetValue(key, out var g) ? g : (Count: 0, Nodes: new List<string>());
            if (group.Nodes.Count < PlacementReason.ExampleNodes) group.Nodes.Add(node.Id);
            groups[key] = (group.Count + 1, group.Nodes);
        }
        var expressions = task.Spec.EffectivePlacement.Constraints;
        return [.. groups.Select(g => new FilteredNodes(g.Key.Filter, g.Value.Count, [.. g.Value.Nodes], g.Key.Constraint < 0 ? null : expressions[g.Key.Constraint]))];
    }

    private static string Explain(IReadOnlyList<Node> nodes, Dictionary<string, NodeLoad> loads, SwarmTask task, IReadOnlyList<Constraint> constraints)
    {
        if (nodes.Count == 0) return "no suitable node (no nodes in the swarm)";
        var reasons = nodes
            .Select(n => Pipeline.First(f => !f.Accepts(n, loads[n.Id], task, constraints)).Explanation)
            .GroupBy(e => e)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => string.Format(g.Key, g.Count() == 1 ? "1 node" : $"{g.Count()} nodes"));
        return $"no suitable node ({string.Join("; ", reasons)})";
    }

    private sealed class NodeLoad
    {
        private readonly Dictionary<string, int> _perService = new();
        private long _nanoCpus;
        private long _memory;

        public int Total { get; private set; }

        public int TasksOf(string serviceId) => _perService.GetValueOrDefault(serviceId);

        public void Add(SwarmTask task)
        {
            Total++;
            _perService[task.ServiceId] = TasksOf(task.ServiceId) + 1;
            _nanoCpus += task.Spec.EffectiveReservations.NanoCpus;
            _memory += task.Spec.EffectiveReservations.MemoryBytes;
        }

        public bool Fits(Node node, Domain.Services.Reservations wanted) =>
            (wanted.NanoCpus == 0 || _nanoCpus + wanted.NanoCpus <= node.Description.NanoCpus)
            && (wanted.MemoryBytes == 0 || _memory + wanted.MemoryBytes <= node.Description.MemoryBytes);
    }
}
