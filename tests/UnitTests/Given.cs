global using EventSwarm.Domain;
global using EventSwarm.Domain.Nodes;
global using EventSwarm.Domain.Services;
global using EventSwarm.Domain.Tasks;
global using static EventSwarm.UnitTests.Scenario;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests;

/// <summary>
/// The one place for test builders. A test states its Given as events folded into a <see cref="ClusterState"/>
/// exactly as the log would fold them, runs a decider or a control loop at a fixed time, and asserts on the
/// events that come back. Conventions: a service's ID is its name, a node's hostname is its ID, and time is
/// seconds after <see cref="T0"/>.
/// </summary>
public static class Scenario
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static readonly EventMetadata Metadata = new(T0, "test", "Given", "test");

    public static ClusterState Given(params DomainEvent[] events) => ClusterState.Initial.And(events);

    /// <summary>Appends events after the state's last sequence, as the log does.</summary>
    public static ClusterState And(this ClusterState state, params DomainEvent[] events) => state.And((IEnumerable<DomainEvent>)events);

    public static ClusterState And(this ClusterState state, IEnumerable<DomainEvent> events) =>
        events.Aggregate(state, (s, e) => s.Apply(new RecordedEvent(s.LastSequence + 1, Metadata, e)));

    /// <summary>
    /// One reconcile pass at a fixed time. Task IDs are t1, t2, … skipping those already in the state, so several
    /// passes over an evolving state never reuse an ID, and the same state always gets the same IDs.
    /// </summary>
    public static IReadOnlyList<DomainEvent> Reconcile(this ClusterState state, ControlLoop loop, DateTimeOffset now) =>
        loop(state, Context(state, now));

    /// <summary>
    /// Several loops as a pass of the leader runs them (<see cref="ControlLoopRunner.Pass"/>): each on the state the
    /// ones before it left, the events of all of them together.
    /// </summary>
    public static IReadOnlyList<DomainEvent> Reconcile(this ClusterState state, DateTimeOffset now, params ControlLoop[] loops)
    {
        var events = new List<DomainEvent>();
        foreach (var loop in loops)
        {
            var decided = state.Reconcile(loop, now);
            state = state.And(decided);
            events.AddRange(decided);
        }
        return events;
    }

    public static ReconcileContext Context(ClusterState state, DateTimeOffset now)
    {
        var n = 0;
        return new ReconcileContext(now, () =>
        {
            string id;
            do id = $"t{++n}"; while (state.Tasks.ContainsKey(id));
            return id;
        });
    }

    // ---- swarm and nodes ----

    public const long GiB = 1024L * 1024 * 1024;

    public static SwarmInitialized SwarmInit() => new("cluster", "n1", "10.0.0.1:2377", T0);

    /// <summary>An initialised swarm whose first node is the manager and the others workers.</summary>
    public static DomainEvent[] Cluster(params string[] nodeIds) =>
        [SwarmInit(), .. nodeIds.Select((id, i) => Node(id, i == 0 ? NodeRole.Manager : NodeRole.Worker))];

    public static NodeJoined Node(string id, NodeRole role = NodeRole.Worker, long memoryBytes = 8 * GiB, long nanoCpus = 4_000_000_000) =>
        new(id, role, $"{id}:2377", new NodeDescription(id, "27.0.0", "linux", "x86_64", nanoCpus, memoryBytes), T0);

    public static NodeStatusChanged NodeDown(string id, double at = 0) => new(id, NodeStatus.Down, "heartbeat failure", At(at));

    public static ClusterState Drained(this ClusterState state, string nodeId) =>
        state.And(new NodeAvailabilityChanged(nodeId, NodeAvailability.Drain, T0));

    public static ClusterState Paused(this ClusterState state, string nodeId) =>
        state.And(new NodeAvailabilityChanged(nodeId, NodeAvailability.Pause, T0));

    public static ClusterState Labelled(this ClusterState state, string nodeId, string key, string value) =>
        state.And(new NodeLabelsChanged(nodeId, state.Nodes[nodeId].Labels.SetItem(key, value), T0));

    // ---- services ----

    public static ServiceSpec Spec(string name = "web", long replicas = 1, string image = "nginx:1") => new()
    {
        Name = name,
        Mode = ServiceMode.Replicated(replicas),
        TaskTemplate = new TaskTemplate { Container = new ContainerSpec { Image = image } },
    };

    public static ServiceSpec GlobalSpec(string name = "agent") => Spec(name) with { Mode = ServiceMode.Global };

    public static ServiceSpec WithImage(this ServiceSpec spec, string image) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Container = spec.TaskTemplate.Container with { Image = image } } };

    public static ServiceSpec WithRestart(this ServiceSpec spec, RestartCondition condition = RestartCondition.Any,
        double delaySeconds = 5, long maxAttempts = 0, double windowSeconds = 0) =>
        spec with
        {
            TaskTemplate = spec.TaskTemplate with
            {
                RestartPolicy = new RestartPolicy(condition, Duration.FromSeconds(delaySeconds), maxAttempts, Duration.FromSeconds(windowSeconds)),
            },
        };

    /// <summary>The service's update_config; its rollback_config too when <paramref name="rollback"/> is given.</summary>
    public static ServiceSpec WithUpdate(this ServiceSpec spec, long parallelism = 1, double delaySeconds = 0,
        UpdateFailureAction failureAction = UpdateFailureAction.Pause, double monitorSeconds = 0, float maxFailureRatio = 0,
        UpdateOrder order = UpdateOrder.StopFirst) =>
        spec with
        {
            UpdateConfig = new UpdateConfig
            {
                Parallelism = parallelism,
                Delay = Duration.FromSeconds(delaySeconds),
                FailureAction = failureAction,
                Monitor = Duration.FromSeconds(monitorSeconds),
                MaxFailureRatio = maxFailureRatio,
                Order = order,
            },
        };

    public static ServiceSpec WithConstraints(this ServiceSpec spec, params string[] constraints) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Placement = new Placement([.. constraints]) } };

    public static ServiceSpec WithMemory(this ServiceSpec spec, long bytes) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Reservations = new Reservations(0, bytes) } };

    public static ServiceSpec WithMounts(this ServiceSpec spec, params Mount[] mounts) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Container = spec.TaskTemplate.Container with { Mounts = [.. mounts] } } };

    public static ServiceCreated Service(ServiceSpec spec, double at = 0) => new(spec.Name, spec, At(at));

    // ---- tasks ----

    /// <summary>A task of <paramref name="spec"/> (the service whose ID is its name), as an orchestrator creates it.</summary>
    public static TaskCreated Created(string id, ServiceSpec spec, long slot, double at = 0, TaskState desired = TaskState.Running,
        double? notBefore = null, long specVersion = 1) =>
        new(id, spec.Name, spec.Name, slot, null, spec.TaskTemplate, specVersion, desired, At(at), notBefore is { } due ? At(due) : null);

    /// <summary>A task of a global service: no slot, its node set at creation.</summary>
    public static TaskCreated CreatedOn(string node, string id, ServiceSpec spec, double at = 0, TaskState desired = TaskState.Running,
        double? notBefore = null, long specVersion = 1) =>
        Created(id, spec, 0, at, desired, notBefore, specVersion) with { NodeId = node };

    public static TaskAssigned Assigned(string taskId, string nodeId, double at = 0) => new(taskId, nodeId, At(at));

    public static TaskStatusReported Reported(string taskId, string nodeId, TaskState state, double at = 0) =>
        new(taskId, nodeId, new TaskObservation(state, At(at), state.ToWire()));

    public static TaskDesiredStateChanged Desired(string taskId, TaskState desired, double at = 0) => new(taskId, desired, At(at));

    /// <summary>A task created, assigned to <paramref name="node"/> and reported running at second <paramref name="at"/>.</summary>
    public static DomainEvent[] Running(string id, ServiceSpec spec, long slot, string node, double at = 0, long specVersion = 1) =>
        [Created(id, spec, slot, at, specVersion: specVersion), Assigned(id, node, at), Reported(id, node, TaskState.Running, at)];

    public static DomainEvent[] RunningOn(string node, string id, ServiceSpec spec, double at = 0) =>
        [CreatedOn(node, id, spec, at), Assigned(id, node, at), Reported(id, node, TaskState.Running, at)];

    /// <summary>A task that ran on <paramref name="node"/> and ended in <paramref name="end"/> at second <paramref name="endedAt"/>.</summary>
    public static DomainEvent[] Ended(string id, ServiceSpec spec, long slot, string node, TaskState end, double at = 0, double endedAt = 0) =>
        [.. Running(id, spec, slot, node, at), Reported(id, node, end, endedAt)];
}
