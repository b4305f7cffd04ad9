using System.Collections.Immutable;
using EventSwarm.Application.Secrets;
using EventSwarm.Domain;
using EventSwarm.Domain.History;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Log;

/// <summary>
/// The per-node feed ("assignments", what swarmkit's dispatcher sends one node): the state and the events a node
/// needs to run its own tasks, instead of the whole state and every event. A node gets the swarm, its own record and
/// the managers' (to fail over), the tasks assigned to it, the services of those tasks, every network, the secrets
/// and configs without their data (<see cref="WorkerView"/>), and every node's status and availability changes (a
/// node going Down reaches every node, as Swarm's gossip spreads it).
/// <para>
/// At 5,000 followers, filtering every event for every follower on every request is the cost to avoid: each
/// committed event is routed once, as it is committed (<see cref="Advance"/>), into the queue of each node it
/// concerns — a task's event to the node the task is on, by a task→node map kept as batches apply — and a node's
/// request only takes its own queue, dropping what it acknowledged (<c>after</c>). A node that lags too far, or a
/// feed restarted (another manager, a snapshot installed), answers "read the state again".
/// </para>
/// <para>
/// A node that is given a task (or a first task of a service) lacks the task's (service's) earlier events, which
/// were routed to nobody: the feed sends it, under the sequence of the assignment and before it, records that
/// create them as they are now (TaskCreated, TaskAddressesAllocated; ServiceCreated, ServiceEndpointAllocated).
/// Its projection is scoped (<see cref="ClusterProjection.Scoped"/>) and takes these sequences with gaps.
/// </para>
/// </summary>
public sealed class NodeFeed(ClusterProjection projection)
{
    /// <summary>What one node may have waiting before it must read the state again (it is not following).</summary>
    public const int MaxQueued = 20_000;

    /// <summary>
    /// Guards the routing (the maps, what was routed) — held by the one pump thread while it routes a batch, and by a
    /// node reading its state afresh. A node's poll never takes it: at 5,000 followers, thread-pool threads blocked
    /// behind a batch being routed were a sixth of the manager's thread time; each queue has its own lock instead.
    /// </summary>
    private readonly object _routing = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, NodeQueue> _queues = [];
    private readonly Dictionary<string, (string Node, string? Service)> _nodeOfTask = [];
    private readonly Dictionary<string, Dictionary<string, int>> _nodesOfService = [];
    private long _routed = -1;
    private long _generation = -1;
    private Task? _pump;

    /// <summary>Events routed since the feed started, and deliveries made (one event to N nodes counts N): the fan-out.</summary>
    public (long Events, long Deliveries) Routed { get; private set; }

    /// <summary>Starts routing committed events as they come (once; the first scoped follower calls it).</summary>
    public void EnsureRunning(CancellationToken stopping)
    {
        if (Volatile.Read(ref _pump) is not null) return;
        lock (_routing) _pump ??= Task.Run(() => PumpAsync(stopping), CancellationToken.None);
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            long routed;
            lock (_routing) routed = _routed;
            try
            {
                await projection.WaitForChangeAsync(routed, TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Advance();
        }
    }

    /// <summary>The node's share of the state now; from here its queue holds what concerns it.</summary>
    public ClusterState StateFor(string nodeId)
    {
        lock (_routing)
        {
            var state = projection.Current;
            AdvanceLocked(state);
            _queues[nodeId] = new NodeQueue(state.LastSequence);
            return View(state, nodeId);
        }
    }

    /// <summary>The node's events after <paramref name="after"/>, or false when it must read the state again.</summary>
    public bool TryEventsFor(string nodeId, long after, out IReadOnlyList<RecordedEvent> events)
    {
        events = [];
        return _queues.TryGetValue(nodeId, out var queue) && queue.TryTake(after, out events);
    }

    /// <summary>
    /// Completes when the node's queue holds something after <paramref name="after"/> (or must be read again), or
    /// after the timeout. When it had to wait for something, it then waits <paramref name="batching"/> more, so that
    /// what follows close behind goes in the same answer: swarmkit's dispatcher batches a node's assignments the same
    /// way (batchingWaitTime, 100 ms). Without it, 5,000 nodes joining made every joined node one answer per join
    /// (each join's Ready goes to every node): 15 MB/s of answers that one simulate process could not read in time.
    /// </summary>
    public async Task WaitAsync(string nodeId, long after, TimeSpan timeout, TimeSpan batching, CancellationToken ct)
    {
        if (!_queues.TryGetValue(nodeId, out var queue) || queue.SignalAfter(after) is not { } signal) return;
        try
        {
            await signal.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            return;
        }
        if (batching > TimeSpan.Zero) await Task.Delay(batching, ct);
    }

    /// <summary>Routes the events committed since the last call, each once.</summary>
    public void Advance()
    {
        lock (_routing) AdvanceLocked(projection.Current);
    }

    private void AdvanceLocked(ClusterState now)
    {
        if (_generation != projection.Generation || _routed < 0)
        {
            Reset(now);
            return;
        }
        if (now.LastSequence <= _routed) return;
        if (!projection.TryEventsAfter(_routed, out var events))
        {
            Reset(now);
            return;
        }
        var touched = new HashSet<NodeQueue>();
        foreach (var recorded in events)
        {
            if (recorded.Sequence <= _routed) continue;
            Route(WorkerView.Of(recorded), now, touched);
            _routed = recorded.Sequence;
        }
        foreach (var queue in touched) queue.Signal();
    }

    /// <summary>
    /// The log was replaced (a snapshot, a swarm left or joined) or this feed fell behind what the projection holds:
    /// every follower reads the state again, and the maps are rebuilt from the state (one pass, on this rare path).
    /// </summary>
    private void Reset(ClusterState now)
    {
        _generation = projection.Generation;
        _routed = now.LastSequence;
        _nodeOfTask.Clear();
        _nodesOfService.Clear();
        foreach (var node in now.Nodes.Keys)
            foreach (var task in now.TasksOn(node))
            {
                _nodeOfTask[task.Id] = (node, task.ServiceId);
                AddServiceOn(task.ServiceId, node);
            }
        foreach (var queue in _queues.Values) queue.Lose();
    }

    private void Route(RecordedEvent recorded, ClusterState now, HashSet<NodeQueue> touched)
    {
        var deliveries = 0;
        void Send(string nodeId, RecordedEvent e)
        {
            if (!_queues.TryGetValue(nodeId, out var queue) || !queue.Add(e)) return;
            touched.Add(queue);
            deliveries++;
        }
        void Broadcast()
        {
            foreach (var queue in _queues.Values)
            {
                if (!queue.Add(recorded)) continue;
                touched.Add(queue);
                deliveries++;
            }
        }

        switch (recorded.Event)
        {
            case TaskCreated { NodeId: { } node } e:
                _nodeOfTask[e.TaskId] = (node, e.ServiceId);
                GiveService(node, e.ServiceId, recorded, now, Send);
                Send(node, recorded);
                break;
            case TaskAssigned e:
                // The scheduler's reasons (every candidate node, at scale thousands) are the manager's to explain;
                // a node applies the assignment without them (SwarmTask keeps none).
                if (e.Placement is not null) recorded = recorded with { Event = e with { Placement = null } };
                if (_nodeOfTask.TryGetValue(e.TaskId, out var had) && had.Node == e.NodeId)
                {
                    Send(e.NodeId, recorded);
                    break;
                }
                var task = now.Tasks.GetValueOrDefault(e.TaskId);
                _nodeOfTask[e.TaskId] = (e.NodeId, task?.ServiceId);
                if (task is not null)
                {
                    GiveService(e.NodeId, task.ServiceId, recorded, now, Send);
                    foreach (var created in Creating(task, e.NodeId, recorded)) Send(e.NodeId, created);
                }
                Send(e.NodeId, recorded);
                break;
            case TaskEvent or TaskAddressesAllocated:
                var taskId = EventSubject.Of(recorded.Event, ClusterState.Initial, ClusterState.Initial).Id;
                if (NodeOfTask(taskId) is { } on) Send(on, recorded);
                if (recorded.Event is TaskRemoved && _nodeOfTask.Remove(taskId, out var from))
                    RemoveServiceOn(from.Service, from.Node);
                break;
            case ServiceEvent or ServiceEndpointAllocated:
                var serviceId = EventSubject.Of(recorded.Event, ClusterState.Initial, ClusterState.Initial).Id;
                if (_nodesOfService.TryGetValue(serviceId, out var nodes))
                    foreach (var node in nodes.Keys) Send(node, recorded);
                if (recorded.Event is ServiceRemoved) _nodesOfService.Remove(serviceId);
                break;
            case NodeJoined e:
                if (e.Role == NodeRole.Manager) Broadcast();
                else Send(e.NodeId, recorded);
                break;
            case NodeDescribed or NodeLabelsChanged:
                var nodeId = EventSubject.Of(recorded.Event, ClusterState.Initial, ClusterState.Initial).Id;
                if (now.Nodes.TryGetValue(nodeId, out var described) && described.Role == NodeRole.Manager) Broadcast();
                else Send(nodeId, recorded);
                break;
            case StackEvent:
                // Stacks are a manager's bookkeeping: no worker reads them.
                break;
            default:
                // The swarm, every node's status, availability, role and removal, networks, secrets and configs
                // (without data): few, small, and every node needs them.
                Broadcast();
                break;
        }
        Routed = (Routed.Events + 1, Routed.Deliveries + deliveries);
    }

    /// <summary>
    /// The task's node, from the map (complete since the last <see cref="Reset"/>). Never from the state now: a task
    /// not yet assigned when this event was committed may be by now, and its node must get it whole first.
    /// </summary>
    private string? NodeOfTask(string taskId) => _nodeOfTask.TryGetValue(taskId, out var known) ? known.Node : null;

    private void RemoveServiceOn(string? serviceId, string node)
    {
        if (serviceId is null) return;
        if (_nodesOfService.TryGetValue(serviceId, out var nodes) && nodes.TryGetValue(node, out var count))
        {
            if (count <= 1) nodes.Remove(node);
            else nodes[node] = count - 1;
        }
    }

    private bool AddServiceOn(string serviceId, string node)
    {
        if (!_nodesOfService.TryGetValue(serviceId, out var nodes)) _nodesOfService[serviceId] = nodes = [];
        var count = nodes.GetValueOrDefault(node);
        nodes[node] = count + 1;
        return count == 0;
    }

    /// <summary>A node's first task of a service brings the service, as it is now, before the task.</summary>
    private void GiveService(string node, string serviceId, RecordedEvent at, ClusterState now, Action<string, RecordedEvent> send)
    {
        if (!AddServiceOn(serviceId, node) || !now.Services.TryGetValue(serviceId, out var service)) return;
        send(node, at with { Event = new ServiceCreated(service.Id, service.Spec, service.CreatedAt) });
        if (!service.Endpoint.VirtualIps.IsDefaultOrEmpty || !service.Endpoint.Ports.IsDefaultOrEmpty)
            send(node, at with { Event = new ServiceEndpointAllocated(service.Id, service.Endpoint.VirtualIps, service.Endpoint.Ports, service.UpdatedAt) });
    }

    /// <summary>The records that make a task assigned to a node exist in that node's partial state: as it is now.</summary>
    public static IEnumerable<RecordedEvent> Creating(SwarmTask task, string node, RecordedEvent at)
    {
        yield return at with
        {
            Event = new TaskCreated(task.Id, task.ServiceId, task.ServiceName, task.Slot, node, task.Spec, task.SpecVersion, task.DesiredState,
                task.CreatedAt, task.NotBefore),
        };
        if (!task.Networks.IsDefaultOrEmpty) yield return at with { Event = new TaskAddressesAllocated(task.Id, task.Networks, task.UpdatedAt) };
    }

    /// <summary>The node's share of the state (<see cref="NodeFeed"/> says which).</summary>
    public static ClusterState View(ClusterState state, string nodeId)
    {
        var tasks = state.TasksOn(nodeId).ToImmutableSortedDictionary(t => t.Id, t => t);
        var serviceIds = tasks.Values.Select(t => t.ServiceId).ToHashSet();
        return WorkerView.Of(state) with
        {
            Nodes = state.Nodes.Where(n => n.Key == nodeId || n.Value.Role == NodeRole.Manager).ToImmutableSortedDictionary(),
            Tasks = tasks,
            Services = state.Services.Where(s => serviceIds.Contains(s.Key)).ToImmutableSortedDictionary(),
            Stacks = ImmutableSortedDictionary<string, Stack>.Empty,
        };
    }

    /// <summary>One node's events not yet acknowledged; the pump adds, the node's polls take, each under this queue's lock.</summary>
    private sealed class NodeQueue(long since)
    {
        private readonly Queue<RecordedEvent> _events = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long _since = since;
        private long _lastSequence = since;
        private bool _lost;

        /// <summary>False when the queue is lost (the node reads its state again): nothing was added.</summary>
        public bool Add(RecordedEvent e)
        {
            lock (_events)
            {
                if (_lost) return false;
                if (_events.Count >= MaxQueued)
                {
                    LoseLocked();
                    return true;
                }
                _events.Enqueue(e);
                _lastSequence = e.Sequence;
                return true;
            }
        }

        /// <summary>Drops what the node acknowledged and gives the rest; false when it must read its state again.</summary>
        public bool TryTake(long after, out IReadOnlyList<RecordedEvent> events)
        {
            lock (_events)
            {
                events = [];
                if (_lost || after < _since) return false;
                while (_events.Count > 0 && _events.Peek().Sequence <= after) _events.Dequeue();
                events = [.. _events];
                return true;
            }
        }

        /// <summary>What to wait on for something after <paramref name="after"/>; null when there is something already (or the queue is lost).</summary>
        public Task? SignalAfter(long after)
        {
            lock (_events) return _lost || _lastSequence > after ? null : _changed.Task;
        }

        public void Lose()
        {
            lock (_events) LoseLocked();
        }

        private void LoseLocked()
        {
            _lost = true;
            _events.Clear();
            SignalLocked();
        }

        public void Signal()
        {
            lock (_events) SignalLocked();
        }

        private void SignalLocked()
        {
            var previous = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            previous.TrySetResult();
        }
    }
}
