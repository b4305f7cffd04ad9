using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Scheduling;

/// <summary>
/// Places unassigned tasks (swarmkit's scheduler): filter the nodes, then spread — fewest active tasks of the
/// same service, then fewest active tasks overall. Ties go to the lower node ID so that a replay of the same
/// state places tasks the same way (Swarm breaks ties at random).
/// <para>
/// Tasks are placed a group at a time, as swarmkit's scheduleTaskGroup does: consecutive waiting tasks of one
/// service with the same constraints and reservations (swarmkit's commonSpecKey: service and spec version) are
/// filtered against the nodes once, then placed one after the other from a heap of the nodes that passed
/// (<see cref="NodeHeap"/>), so a pass costs O(groups × nodes + tasks × log nodes) instead of sorting every node
/// for every task. The result is the same, task for task, as filtering and sorting every node for each task in
/// turn: the per-task algorithm is kept as the reference the property tests compare against.
/// </para>
/// </summary>
public static class Scheduler
{
    /// <summary>
    /// At most this many tasks are placed per pass (swarmkit commits its scheduling decisions in batches too). A user's
    /// command waits for the pass in progress and commits behind its batch: 10,000 per pass held a `service scale`
    /// for seconds while 50,000 tasks converged (issue 16); smaller passes follow one another at once.
    /// </summary>
    public const int MaxPlacementsPerPass = 2_000;

    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        // A task without its network addresses waits for the allocator, as in Swarm (NEW until allocated).
        var waiting = state.WaitingTasks.Where(t => Networking.NetworkAllocator.IsAllocated(t, state)).ToArray();
        if (waiting.Length == 0) return [];
        // Oldest first; within a service's batch by slot, so that a service's tasks are consecutive (one group).
        // The oldest first, a bounded number per pass: 50,000 placements in one batch made a log entry too large to
        // commit within the writer's 8 s (issue 16's --small run); the runner passes again at once while there is work.
        // Only the ones taken are sorted (a partial sort): a million waiting tasks are not sorted again on every pass.
        if (waiting.Length > MaxPlacementsPerPass) waiting = [.. waiting.Order(WaitingOrder.Instance).Take(MaxPlacementsPerPass)];
        else Array.Sort(waiting, WaitingOrder.Instance);

        var nodes = new NodeLoads(state);
        var events = new List<DomainEvent>(waiting.Length);
        for (var start = 0; start < waiting.Length;)
        {
            var first = waiting[start];
            var end = start + 1;
            if (first.NodeId is null)
                while (end < waiting.Length && TaskGroup.SameGroup(first, waiting[end])) end++;
            if (first.NodeId is null)
                new TaskGroup(nodes, first).Place(waiting.AsSpan(start, end - start), context.Now, events);
            else
                // Global tasks come with their node; the scheduler only checks that it still fits.
                TaskGroup.PlacePreset(nodes, first, context.Now, events);
            start = end;
        }
        return events;
    }

    /// <summary>The waiting tasks' order: by creation, then service, slot and ID (string keys as LINQ's OrderBy compares them).</summary>
    private sealed class WaitingOrder : IComparer<SwarmTask>
    {
        public static readonly WaitingOrder Instance = new();
        private static readonly Comparer<string> Strings = Comparer<string>.Default;

        public int Compare(SwarmTask? x, SwarmTask? y)
        {
            var c = x!.CreatedAt.CompareTo(y!.CreatedAt);
            if (c != 0) return c;
            if (!ReferenceEquals(x.ServiceId, y.ServiceId) && (c = Strings.Compare(x.ServiceId, y.ServiceId)) != 0) return c;
            if ((c = x.Slot.CompareTo(y.Slot)) != 0) return c;
            return Strings.Compare(x.Id, y.Id);
        }
    }
}

/// <summary>
/// Each node's load as this pass sees it: what <see cref="ClusterState.UsageOf"/> and
/// <see cref="ClusterState.ActiveTasksOf"/> say, plus the tasks placed earlier in the pass (swarmkit's nodeInfo,
/// updated as it assigns). Nodes are numbered in the state's order (the order the placement reasons name them in).
/// </summary>
internal sealed class NodeLoads
{
    public readonly Domain.Nodes.Node[] Nodes;
    /// <summary>Each node's rank by ordinal ID: the last tie-breaker.</summary>
    public readonly int[] Rank;
    public readonly int[] Tasks;
    private readonly long[] _nanoCpus;
    private readonly long[] _memory;
    private readonly Dictionary<string, int> _index;
    /// <summary>Nodes the state counts any task against: only on those can a service have tasks of its own.</summary>
    private readonly int _loaded;
    private readonly ClusterState _state;
    /// <summary>Per service, its active tasks on each node (-1: not asked yet).</summary>
    private readonly Dictionary<string, int[]> _perService = [];

    public NodeLoads(ClusterState state)
    {
        _state = state;
        Nodes = [.. state.Nodes.Values];
        var count = Nodes.Length;
        Tasks = new int[count];
        _nanoCpus = new long[count];
        _memory = new long[count];
        _index = new Dictionary<string, int>(count);
        for (var i = 0; i < count; i++)
        {
            _index[Nodes[i].Id] = i;
            var usage = state.UsageOf(Nodes[i].Id);
            (Tasks[i], _nanoCpus[i], _memory[i]) = (usage.Tasks, usage.NanoCpus, usage.MemoryBytes);
            if (usage.Tasks > 0) _loaded++;
        }
        var byId = new int[count];
        for (var i = 0; i < count; i++) byId[i] = i;
        Array.Sort(byId, (a, b) => string.CompareOrdinal(Nodes[a].Id, Nodes[b].Id));
        Rank = new int[count];
        for (var r = 0; r < count; r++) Rank[byId[r]] = r;
    }

    public int Count => Nodes.Length;

    public bool TryIndexOf(string nodeId, out int index) => _index.TryGetValue(nodeId, out index);

    /// <summary>
    /// The service's task counts per node, read once a pass: a node without any task holds none of the service's;
    /// for the others, the service's own tasks are counted when it has fewer than such nodes (one index read each),
    /// else <see cref="TasksOf"/> asks the state node by node as they are needed. Either way the count is
    /// <see cref="ClusterState.ActiveTasksOf"/>'s.
    /// </summary>
    public int[] CountsOf(string serviceId)
    {
        if (_perService.TryGetValue(serviceId, out var counts)) return counts;
        counts = new int[Count];
        _perService[serviceId] = counts;
        if (_loaded == 0) return counts;
        var seen = 0;
        foreach (var task in _state.TasksOf(serviceId))
        {
            if (++seen > _loaded)
            {
                // A service with more tasks than there are loaded nodes: asking per node is cheaper.
                for (var i = 0; i < counts.Length; i++) counts[i] = Tasks[i] == 0 ? 0 : -1;
                return counts;
            }
            if (TaskIndex.CountsOnNode(task) && _index.TryGetValue(task.NodeId!, out var node)) counts[node]++;
        }
        return counts;
    }

    public int TasksOf(string serviceId, int[] counts, int node) =>
        counts[node] >= 0 ? counts[node] : counts[node] = _state.ActiveTasksOf(serviceId, Nodes[node].Id);

    public bool Fits(int node, Reservations wanted) =>
        (wanted.NanoCpus == 0 || _nanoCpus[node] + wanted.NanoCpus <= Nodes[node].Description.NanoCpus)
        && (wanted.MemoryBytes == 0 || _memory[node] + wanted.MemoryBytes <= Nodes[node].Description.MemoryBytes);

    /// <summary>Counts a task placed on the node (its service's count must have been read: <see cref="TasksOf"/>).</summary>
    public void Add(int node, int[] counts, Reservations reserved)
    {
        Tasks[node]++;
        counts[node]++;
        _nanoCpus[node] += reserved.NanoCpus;
        _memory[node] += reserved.MemoryBytes;
    }
}
