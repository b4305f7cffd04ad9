using System.Collections.Immutable;
using EventSwarm.Domain;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Scheduling;

/// <summary>
/// Waiting tasks the scheduler places together (swarmkit's task group): one service, the same constraints and
/// reservations, no node of their own. The filters run once for the group (<see cref="FilterTally"/>); the nodes that
/// pass go into a heap ordered by the spread key, and each task takes the top. Only the node a task lands on changes,
/// so it is sifted down, or leaves the heap (counted as removed by the resources filter) once the next task of the
/// group no longer fits on it — which is exactly what filtering and sorting every node again would have found.
/// </summary>
internal sealed class TaskGroup
{
    private readonly NodeLoads _nodes;
    private readonly SwarmTask _task;
    private readonly Reservations _reservations;
    private readonly IReadOnlyList<Constraint> _constraints;
    private readonly int[] _counts;

    public TaskGroup(NodeLoads nodes, SwarmTask task)
    {
        _nodes = nodes;
        _task = task;
        _reservations = task.Spec.EffectiveReservations;
        _constraints = Constraint.ParseAll(task.Spec.EffectivePlacement.Constraints);
        _counts = nodes.CountsOf(task.ServiceId);
    }

    /// <summary>Whether the scheduler would treat <paramref name="next"/> exactly as <paramref name="first"/>.</summary>
    public static bool SameGroup(SwarmTask first, SwarmTask next)
    {
        if (next.NodeId is not null || first.ServiceId != next.ServiceId) return false;
        if (ReferenceEquals(first.Spec, next.Spec)) return true;
        return first.Spec.EffectiveReservations == next.Spec.EffectiveReservations
            && first.Spec.EffectivePlacement.Constraints.AsSpan().SequenceEqual(next.Spec.EffectivePlacement.Constraints.AsSpan());
    }

    public void Place(ReadOnlySpan<SwarmTask> tasks, DateTimeOffset now, List<DomainEvent> events)
    {
        var tally = new FilterTally(_nodes, _task.Spec.EffectivePlacement.Constraints);
        var fitting = new List<int>();
        for (var node = 0; node < _nodes.Count; node++)
            if (Classify(node) is var failed && failed is null) fitting.Add(node);
            else tally.Add(failed.Value, node);

        var heap = new NodeHeap(_nodes, _counts, _task.ServiceId, fitting);
        string? unschedulable = null;
        foreach (var task in tasks)
        {
            if (heap.IsEmpty)
            {
                unschedulable ??= tally.Explain(_nodes.Count);
                if (task.Status.State != TaskState.Pending || task.Status.Message != unschedulable)
                    events.Add(new TaskUnschedulable(task.Id, unschedulable, now));
                continue;
            }
            var chosen = heap.Top;
            var runnerUp = heap.RunnerUp;
            var reason = new PlacementReason(_nodes.Count, tally.Removed, Score(chosen), runnerUp < 0 ? null : Score(runnerUp));
            _nodes.Add(chosen, _counts, _reservations);
            events.Add(new TaskAssigned(task.Id, _nodes.Nodes[chosen].Id, now, reason));
            if (_nodes.Fits(chosen, _reservations)) heap.TopGrew();
            else
            {
                heap.RemoveTop();
                tally.Add(new Failed(PlacementFilter.Resources, -1), chosen);
            }
        }
    }

    /// <summary>
    /// A task created for one node (a global service's): checked against that node alone, or against every node when
    /// its node has left the swarm, as the per-task scheduler always did.
    /// </summary>
    public static void PlacePreset(NodeLoads nodes, SwarmTask task, DateTimeOffset now, List<DomainEvent> events)
    {
        var group = new TaskGroup(nodes, task);
        IEnumerable<int> candidates = nodes.TryIndexOf(task.NodeId!, out var preset) ? [preset] : Enumerable.Range(0, nodes.Count);
        var tally = new FilterTally(nodes, task.Spec.EffectivePlacement.Constraints);
        int count = 0, best = -1, second = -1;
        foreach (var node in candidates)
        {
            count++;
            if (group.Classify(node) is { } failed) { tally.Add(failed, node); continue; }
            if (best < 0 || group.Before(node, best)) (second, best) = (best, node);
            else if (second < 0 || group.Before(node, second)) second = node;
        }
        if (best < 0)
        {
            var message = tally.Explain(count);
            if (task.Status.State != TaskState.Pending || task.Status.Message != message)
                events.Add(new TaskUnschedulable(task.Id, message, now));
            return;
        }
        var reason = new PlacementReason(count, tally.Removed, group.Score(best), second < 0 ? null : group.Score(second));
        nodes.Add(best, group._counts, group._reservations);
        events.Add(new TaskAssigned(task.Id, nodes.Nodes[best].Id, now, reason));
    }

    /// <summary>The first filter the node fails, in Swarm's order (availability, resources, constraints), or null.</summary>
    private Failed? Classify(int node)
    {
        if (!_nodes.Nodes[node].CanTakeNewTasks) return new Failed(PlacementFilter.Availability, -1);
        if (!_nodes.Fits(node, _reservations)) return new Failed(PlacementFilter.Resources, -1);
        for (var c = 0; c < _constraints.Count; c++)
            if (!_constraints[c].IsSatisfiedBy(_nodes.Nodes[node])) return new Failed(PlacementFilter.Constraints, c);
        return null;
    }

    private bool Before(int a, int b) => NodeHeap.Less(_nodes, _counts, _task.ServiceId, a, b);

    private NodeScore Score(int node) =>
        new(_nodes.Nodes[node].Id, _nodes.TasksOf(_task.ServiceId, _counts, node), _nodes.Tasks[node]);
}

/// <summary>The filter a node failed, and for the constraints filter the index of the first constraint it fails.</summary>
internal readonly record struct Failed(PlacementFilter Filter, int Constraint);

/// <summary>
/// The nodes the filters removed for a group, kept as the placement reason and the unschedulable message want them:
/// a count per filter (per constraint for the constraints filter) and the first few nodes in the state's order.
/// </summary>
internal sealed class FilterTally(NodeLoads nodes, ImmutableArray<string> expressions)
{
    private readonly SortedDictionary<Failed, (int Count, List<int> Examples)> _removed = new(FailedOrder.Instance);
    private ImmutableArray<FilteredNodes>? _reason = ImmutableArray<FilteredNodes>.Empty;

    public void Add(Failed failed, int node)
    {
        var (count, examples) = _removed.TryGetValue(failed, out var g) ? g : (0, new List<int>());
        // Nodes arrive in the state's order, except those a group fills up: those are inserted in order.
        var at = examples.BinarySearch(node);
        examples.Insert(at < 0 ? ~at : at, node);
        if (examples.Count > PlacementReason.ExampleNodes) examples.RemoveAt(examples.Count - 1);
        _removed[failed] = (count + 1, examples);
        _reason = null;
    }

    public ImmutableArray<FilteredNodes> Removed => _reason ??= [.. _removed.Select(g => new FilteredNodes(g.Key.Filter, g.Value.Count,
        [.. g.Value.Examples.Select(n => nodes.Nodes[n].Id)], g.Key.Constraint < 0 ? null : expressions[g.Key.Constraint]))];

    /// <summary>Why no node fits (every candidate failed a filter): the parts by how many nodes they cover, as Swarm words them.</summary>
    public string Explain(int candidates)
    {
        if (candidates == 0) return "no suitable node (no nodes in the swarm)";
        var reasons = _removed
            .GroupBy(g => g.Key.Filter, g => g.Value.Count)
            .Select(g => (Explanation: Explanations[(int)g.Key], Count: g.Sum()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Explanation)
            .Select(g => string.Format(g.Explanation, g.Count == 1 ? "1 node" : $"{g.Count} nodes"));
        return $"no suitable node ({string.Join("; ", reasons)})";
    }

    private static readonly string[] Explanations =
        ["{0} not available for new tasks", "insufficient resources on {0}", "scheduling constraints not satisfied on {0}"];

    private sealed class FailedOrder : IComparer<Failed>
    {
        public static readonly FailedOrder Instance = new();

        public int Compare(Failed x, Failed y) => x.Filter != y.Filter ? x.Filter.CompareTo(y.Filter) : x.Constraint.CompareTo(y.Constraint);
    }
}
