namespace EventSwarm.Application.Scheduling;

/// <summary>
/// The nodes that can take a group's next task, least loaded on top (swarmkit's nodeHeap, and Nomad's rank
/// iterator's "best of the feasible nodes"): ordered by the service's tasks on the node, then all tasks on it, then
/// node ID (ordinal), so that the top is the node the spread strategy picks and either of its children the runner-up.
/// </summary>
internal sealed class NodeHeap
{
    private readonly NodeLoads _nodes;
    private readonly int[] _counts;
    private readonly int[] _heap;
    private int _size;

    public NodeHeap(NodeLoads nodes, int[] counts, string serviceId, List<int> fitting)
    {
        (_nodes, _counts) = (nodes, counts);
        foreach (var node in fitting) nodes.TasksOf(serviceId, counts, node);
        _heap = [.. fitting];
        _size = _heap.Length;
        for (var i = _size / 2 - 1; i >= 0; i--) SiftDown(i);
    }

    public bool IsEmpty => _size == 0;

    public int Top => _heap[0];

    /// <summary>The best node after the top, or -1 when the top is the only one.</summary>
    public int RunnerUp => _size switch
    {
        1 => -1,
        2 => _heap[1],
        _ => Less(_heap[2], _heap[1]) ? _heap[2] : _heap[1],
    };

    /// <summary>The top took a task: its key only grew, so it moves down.</summary>
    public void TopGrew() => SiftDown(0);

    public void RemoveTop()
    {
        _heap[0] = _heap[--_size];
        if (_size > 0) SiftDown(0);
    }

    public static bool Less(NodeLoads nodes, int[] counts, string serviceId, int a, int b)
    {
        int ca = nodes.TasksOf(serviceId, counts, a), cb = nodes.TasksOf(serviceId, counts, b);
        if (ca != cb) return ca < cb;
        if (nodes.Tasks[a] != nodes.Tasks[b]) return nodes.Tasks[a] < nodes.Tasks[b];
        return nodes.Rank[a] < nodes.Rank[b];
    }

    // Every node in the heap has had its count read, so the hot path compares the arrays directly.
    private bool Less(int a, int b)
    {
        int ca = _counts[a], cb = _counts[b];
        if (ca != cb) return ca < cb;
        int ta = _nodes.Tasks[a], tb = _nodes.Tasks[b];
        if (ta != tb) return ta < tb;
        return _nodes.Rank[a] < _nodes.Rank[b];
    }

    private void SiftDown(int i)
    {
        var node = _heap[i];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= _size) break;
            if (child + 1 < _size && Less(_heap[child + 1], _heap[child])) child++;
            if (!Less(_heap[child], node)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = node;
    }
}
