using System.Collections.Immutable;
using System.Globalization;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Services;
using EventSwarm.Application.Tasks;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.UnitTests.Properties;

/// <summary>The time every command, pass and report of a simulated swarm reads; the test moves it past delays.</summary>
public sealed class FakeClock(DateTimeOffset start) : IClock
{
    public DateTimeOffset Now { get; set; } = start;
}

/// <summary>An invariant that broke: its name first, so a failure says which one.</summary>
public sealed class PropertyViolation(string invariant, string details) : Exception($"[{invariant}] {details}")
{
    public string Invariant { get; } = invariant;
    public string Details { get; } = details;
}

/// <summary>
/// A swarm with no I/O: the leader's log (a list of batches, each applied with <see cref="ClusterState.Apply"/>),
/// its control loops (those <see cref="ControlLoopRunner"/> runs, in its order, one pass at a time through
/// <see cref="ControlLoopRunner.Pass"/>), users' commands through the real deciders, and workers that report what
/// their engine would do through the worker's own path (<see cref="ReportPump.Coalesce"/>, then
/// <see cref="TaskDecider"/>). Only the heartbeats and the engine are simulated; nothing of the domain is.
/// </summary>
public sealed class SimulatedSwarm
{
    public const string Leader = "n1";
    public const int MaxNodes = 6;
    /// <summary>The one secret, which every service reads (by name in the spec, resolved to this ID).</summary>
    public const string SecretId = "secret-pw";
    public static readonly TimeSpan Period = Heartbeats.DefaultPeriod;
    private const int MaxRoundsPerStep = 300;

    private readonly List<byte[]> _log = [];
    /// <summary>When the leader last heard each node; a live node is heard at every pass, a silent one not any more.</summary>
    private readonly Dictionary<string, DateTimeOffset> _heard = [];
    private readonly HashSet<string> _silent = [];
    private int _tasks;
    private int _services;
    private int _nodes;

    public SimulatedSwarm()
    {
        // The leader's own list, so that a loop added to the runner is run here too; only the node monitor is
        // rebuilt, on the simulated heartbeats instead of the leader's memory of real ones.
        var leader = new ControlLoopRunner(null!, null!, Clock, new Heartbeats(Period), null!).Loops(System.Diagnostics.Stopwatch.GetTimestamp());
        if (leader.All(l => l.Name != "node-monitor")) throw new InvalidOperationException("the leader runs no node-monitor loop any more: update the simulation");
        // The updater's own replacements are recorded, so that its parallelism can be checked apart from restarts.
        Loops = [.. leader.Select(l => l.Name switch
        {
            "node-monitor" => (l.Name, (ControlLoop)MonitorNodes),
            "updater" => (l.Name, Recorded(l.Loop)),
            _ => l,
        })];
        if (leader.All(l => l.Name != "updater")) throw new InvalidOperationException("the leader runs no updater loop any more: update the simulation");

        Execute("InitSwarm", "user", SwarmDecider.Decide(new InitSwarm("cluster", Leader, "10.0.0.1:2377", Description(Leader), Clock.Now, IngressNetworkId: "ingress"), State));
        _nodes = 1;
        Hear(Leader);
        for (var i = 0; i < 3; i++) Join();
        foreach (var labelled in new[] { "n2", "n3" })
        {
            var node = State.Nodes[labelled];
            Execute("UpdateNode", "user", NodeDecider.Decide(new UpdateNode(node.Id, node.Version, node.Role, node.Availability,
                node.Labels.SetItem("zone", "a"), Clock.Now), State));
        }
        // A small subnet, so that addresses wrap around within a run; large enough that nothing the generator can
        // build runs out of addresses (3 services x at most 6 slots or nodes x 5 tasks of history each, + VIPs < 125).
        Execute("CreateNetwork", "user", NetworkDecider.Decide(new CreateNetwork("net-front", new NetworkSpec { Name = "front", Subnet = "10.0.1.0/25" }, Clock.Now), State));
        Execute("CreateNetwork", "user", NetworkDecider.Decide(new CreateNetwork("net-back", new NetworkSpec { Name = "back" }, Clock.Now), State));
        Execute("CreateSecret", "user", SecretDecider.Decide(new CreateSecret(SecretId, new SecretSpec { Name = "pw" }, "sealed:1", Clock.Now), State));
        Settle();
    }

    /// <summary>An image whose containers fail as they start, the first <see cref="BrokenStarts"/> times in each slot.</summary>
    public const string BrokenImage = "broken:1";
    public const int BrokenStarts = 2;
    private readonly Dictionary<(string Service, string Slot), int> _brokenFailures = [];

    /// <summary>The tasks the updater created (its replacements), as opposed to the orchestrators' (new slots, restarts).</summary>
    public HashSet<string> UpdaterCreated { get; } = [];

    private ControlLoop Recorded(ControlLoop loop) => (state, context) =>
    {
        var events = loop(state, context);
        foreach (var created in events.OfType<TaskCreated>()) UpdaterCreated.Add(created.TaskId);
        return events;
    };

    public FakeClock Clock { get; } = new(T0);
    public ClusterState State { get; private set; } = ClusterState.Initial;
    public IReadOnlyList<(string Name, ControlLoop Loop)> Loops { get; }

    /// <summary>Nodes whose agent is heard: they beat and report.</summary>
    public bool IsLive(string nodeId) => State.Nodes.ContainsKey(nodeId) && _heard.ContainsKey(nodeId) && !_silent.Contains(nodeId);

    // ---- steps ----

    /// <summary>One step: time passes a little (users are not instantaneous), the op happens, the swarm settles.</summary>
    public void Step(ClusterOp op, Action? afterEachPass = null)
    {
        Clock.Now += TimeSpan.FromSeconds(1);
        switch (op)
        {
            case CreateServiceOp c:
                {
                    var spec = Valid(BuildSpec(ClusterOps.Names[c.Name], c.Global, c.Replicas, ClusterOps.Images[c.Image], c.Networks, c.Ports, c.RestartDelay, c.Restart, c.Constraint, c.Reserves, 0));
                    Execute("CreateService", "user", ServiceDecider.Decide(new CreateService($"svc{++_services}", spec, Clock.Now), State));
                    break;
                }
            case ScaleServiceOp s when ServiceAt(s.Service) is { } service:
                Execute("ScaleService", "user", ServiceDecider.Decide(new ScaleService(service.Id, s.Replicas, Clock.Now), State));
                break;
            case UpdateImageOp u when ServiceAt(u.Service) is { } service:
                Update(service, service.Spec.WithImage(ClusterOps.Images[u.Image]));
                break;
            case UpdateSpecOp u when ServiceAt(u.Service) is { } service:
                {
                    var spec = BuildSpec(service.Spec.Name, service.Spec.Mode.IsGlobal, service.Spec.Mode.Replicas, service.Spec.TaskTemplate.Container.Image,
                        u.Networks, u.Ports, u.RestartDelay, u.Restart, u.Constraint, u.Reserves, service.Spec.TaskTemplate.ForceUpdate + (u.Force ? 1 : 0));
                    Update(service, spec);
                    break;
                }
            case RolloutOp r when ServiceAt(r.Service) is { } service:
                Update(service, service.Spec.WithImage(ClusterOps.RolloutImages[r.Image]) with
                {
                    UpdateConfig = r.Config,
                    RollbackConfig = r.Rollback ? r.Config : null,
                });
                break;
            case RollbackOp r when ServiceAt(r.Service) is { } service:
                Execute("RollbackService", "user", ServiceDecider.Decide(new RollbackService(service.Id, service.Version, Clock.Now), State));
                break;
            case RemoveServiceOp r when ServiceAt(r.Service) is { } service:
                Execute("RemoveService", "user", ServiceDecider.Decide(new RemoveService(service.Id, Clock.Now), State));
                break;
            case NodeDownOp d when WorkerAt(d.Node) is { } node:
                _silent.Add(node.Id);
                break;
            case NodeUpOp u when WorkerAt(u.Node) is { } node:
                if (_silent.Remove(node.Id)) Hear(node.Id);
                if (u.Reregisters)
                    Execute("RegisterNode", $"node:{node.Id}", SwarmDecider.Decide(new RegisterNode(node.Id, node.Role, node.Address, node.Description, Clock.Now), State));
                break;
            case NodeAvailabilityOp a when NodeAt(a.Node) is { } node:
                Execute("UpdateNode", "user", NodeDecider.Decide(new UpdateNode(node.Id, node.Version, node.Role, a.Availability, node.Labels, Clock.Now), State));
                break;
            case NodeJoinOp when _nodes < MaxNodes:
                Join();
                break;
            case NodeRemoveOp r when WorkerAt(r.Node) is { } node:
                if (Execute("RemoveNode", "user", NodeRemoval.Decide(new RemoveNode(node.Id, r.Force, Clock.Now), State)))
                {
                    // Its agent is refused from now on: nothing of it is heard again.
                    _heard.Remove(node.Id);
                    _silent.Remove(node.Id);
                }
                break;
            case TaskExitOp e:
                {
                    var running = State.Tasks.Values
                        .Where(t => t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running && IsLive(t.NodeId!))
                        .ToList();
                    if (running.Count == 0) break;
                    var task = running[e.Task % running.Count];
                    // What the worker's exit watcher reports (WorkerAgent.ReportExit).
                    var status = e.Clean
                        ? new TaskObservation(TaskState.Complete, Clock.Now, "finished", null, ContainerOf(task), 0)
                        : new TaskObservation(TaskState.Failed, Clock.Now, "started", "task: non-zero exit (1)", ContainerOf(task), 1);
                    Report(task.NodeId!, [new TaskStatusReport(task.Id, status)]);
                    break;
                }
            case RotateSecretOp:
                {
                    var next = State.Secrets[SecretId].Current.Number + 1;
                    Execute("RotateSecret", "user", SecretDecider.Decide(new RotateSecret(SecretId, next, $"sealed:{next}", Clock.Now), State));
                    break;
                }
            case WaitOp w:
                Clock.Now += TimeSpan.FromSeconds(w.Seconds);
                break;
        }
        Settle(afterEachPass);
    }

    private void Update(Service service, ServiceSpec spec) =>
        Execute("UpdateService", "user", ServiceDecider.Decide(new UpdateService(service.Id, service.Version, Valid(spec), Clock.Now), State));

    /// <summary>The API's validator passes every spec the generator builds: what it refuses never reaches a decider.</summary>
    private static ServiceSpec Valid(ServiceSpec spec) =>
        new ServiceSpecValidator().Validate(spec) is { IsValid: false } invalid
            ? throw new InvalidOperationException($"the generator built an invalid spec: {invalid}")
            : spec;

    private void Join()
    {
        var id = $"n{++_nodes}";
        Execute("RegisterNode", $"node:{id}", SwarmDecider.Decide(new RegisterNode(id, NodeRole.Worker, $"{id}:2377", Description(id), Clock.Now), State));
        Hear(id);
    }

    private static NodeDescription Description(string id) => new(id, "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB);

    private Service? ServiceAt(int index)
    {
        var services = State.Services.Values.OrderBy(s => s.Spec.Name, StringComparer.Ordinal).ToList();
        return services.Count == 0 ? null : services[index % services.Count];
    }

    private Node? NodeAt(int index)
    {
        var nodes = State.Nodes.Values.ToList();
        return nodes.Count == 0 ? null : nodes[index % nodes.Count];
    }

    /// <summary>The leader's own node never goes down here: losing it is a leader election, another test's business.</summary>
    private Node? WorkerAt(int index)
    {
        var workers = State.Nodes.Values.Where(n => n.Id != Leader).ToList();
        return workers.Count == 0 ? null : workers[index % workers.Count];
    }

    public static ServiceSpec BuildSpec(string name, bool global, long replicas, string image, int networks, int ports, int restartDelay, int restart, int constraint, bool reserves, long force)
    {
        var nets = ClusterOps.NetworkChoices[networks].Split('+').Where(n => n != "none").Select(n => new ServiceNetwork(n, [])).ToImmutableArray();
        var placement = ClusterOps.Constraints[constraint] is { Length: > 0 } c ? new Placement([c]) : null;
        var endpoint = ports switch
        {
            1 => new EndpointSpec(EndpointMode.Vip, [new PortConfig(PortProtocol.Tcp, 80, 0)]),
            2 => new EndpointSpec(EndpointMode.Vip, [new PortConfig(PortProtocol.Tcp, 80, 8080)]),
            _ => EndpointSpec.Default,
        };
        return new ServiceSpec
        {
            Name = name,
            Mode = global ? ServiceMode.Global : ServiceMode.Replicated(replicas),
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec { Image = image, Secrets = [new SecretReference("", "pw", new FileTarget("pw", "0", "0", FileTarget.DefaultMode))] },
                Networks = nets,
                RestartPolicy = ClusterOps.Restarts[restart] switch
                {
                    "on-failure" => new RestartPolicy(RestartCondition.OnFailure, Duration.FromSeconds(ClusterOps.Delays[restartDelay]), 0, null),
                    "none" => new RestartPolicy(RestartCondition.None, Duration.FromSeconds(ClusterOps.Delays[restartDelay]), 0, null),
                    "any,max=2" => new RestartPolicy(RestartCondition.Any, Duration.FromSeconds(ClusterOps.Delays[restartDelay]), 2, null),
                    _ => new RestartPolicy(RestartCondition.Any, Duration.FromSeconds(ClusterOps.Delays[restartDelay]), 0, null),
                },
                Placement = placement,
                Reservations = reserves ? new Reservations(0, ClusterOps.ReservedMemory) : null,
                ForceUpdate = force,
            },
            Endpoint = endpoint,
        };
    }

    // ---- the leader ----

    /// <summary>The node monitor as the leader runs it, on the simulated heartbeats; the leader listens since T0.</summary>
    private IReadOnlyList<DomainEvent> MonitorNodes(ClusterState state, ReconcileContext context) =>
        NodeMonitor.Reconcile(state, context, HeardAt(context.Now), Period, T0);

    private IReadOnlyDictionary<string, DateTimeOffset> HeardAt(DateTimeOffset now) =>
        _heard.ToDictionary(h => h.Key, h => _silent.Contains(h.Key) ? h.Value : now);

    private void Hear(string nodeId) => _heard[nodeId] = Clock.Now;

    private string NewTaskId() => $"t{++_tasks:D4}";

    /// <summary>
    /// What the leader does until nothing changes: passes of the loops (each appended as one batch, as the runner
    /// appends it), the workers' reports in between, and when all is quiet, the clock moved to the next thing due
    /// (a delayed start, a back-off, a silent node's grace), as the runner sleeps until then.
    /// </summary>
    public void Settle(Action? afterEachPass = null)
    {
        var recent = new Queue<string>();
        for (var round = 0; round < MaxRoundsPerStep; round++)
        {
            foreach (var id in _heard.Keys.Where(id => !_silent.Contains(id)).ToList()) Hear(id);
            var (decision, names) = ControlLoopRunner.Pass(Loops, State, Clock.Now, NewTaskId);
            Append(decision.Events, new EventMetadata(Clock.Now, $"system:{names}", "Reconcile", $"pass{_log.Count}", names));
            afterEachPass?.Invoke();
            if (decision.Events.Count > 0) recent.Enqueue($"  +{(Clock.Now - T0).TotalSeconds}s {names}: {string.Join("; ", decision.Events)}");
            if (recent.Count > 3) recent.Dequeue();
            var reported = false;
            foreach (var node in State.Nodes.Keys.Where(IsLive).ToList())
                reported |= Report(node, WorkerReports(node));
            afterEachPass?.Invoke();
            if (decision.Events.Count > 0 || reported) continue;
            if (NextDue() is not { } due) return;
            Clock.Now = due + TimeSpan.FromMilliseconds(5);
        }
        throw new PropertyViolation("ReachesFixedPoint", $"the loops and workers still changed the state after {MaxRoundsPerStep} rounds; the last passes:\n"
            + string.Join("\n", recent) + "\n" + SwarmInvariants.Describe(State));
    }

    private DateTimeOffset? NextDue()
    {
        var grace = Period * NodeMonitor.GraceMultiplier;
        DateTimeOffset?[] due =
        [
            DelayedStart.NextDue(State, Clock.Now),
            RestartBackoff.NextDue(State, Clock.Now),
            RollingUpdater.NextDue(State, Clock.Now),
            .. _silent.Where(id => State.Nodes.TryGetValue(id, out var n) && n.Status == NodeStatus.Ready).Select(id => (DateTimeOffset?)(_heard[id] + grace)),
        ];
        return due.Where(d => d is not null).Min();
    }

    // ---- the workers ----

    /// <summary>
    /// What a node's worker reports after it has done everything it can toward the tasks' desired states
    /// (WorkerAgent.Reconcile: prepare, start when wanted Running, stop what is wanted Shutdown), one report per step,
    /// coalesced as its report pump coalesces them. A task found Orphaned is stopped without a report.
    /// </summary>
    public IReadOnlyList<TaskStatusReport> WorkerReports(string nodeId)
    {
        var reports = new List<TaskStatusReport>();
        void Add(SwarmTask task, TaskState state, string message) =>
            reports.Add(new TaskStatusReport(task.Id, new TaskObservation(state, Clock.Now, message, null, ContainerOf(task))));
        foreach (var task in State.Tasks.Values.Where(t => t.NodeId == nodeId))
        {
            var observed = task.Status.State;
            if (task.DesiredState >= TaskState.Shutdown)
            {
                if (observed is >= TaskState.Assigned and <= TaskState.Running) Add(task, TaskState.Shutdown, "shutdown");
                continue;
            }
            if (observed is TaskState.Assigned or TaskState.Accepted or TaskState.Preparing)
            {
                Add(task, TaskState.Preparing, "preparing");
                Add(task, TaskState.Ready, "prepared");
                observed = TaskState.Ready;
            }
            if (observed is TaskState.Ready or TaskState.Starting && task.DesiredState == TaskState.Running)
            {
                Add(task, TaskState.Starting, "starting");
                if (FailsAtStart(task))
                    reports.Add(new TaskStatusReport(task.Id, new TaskObservation(TaskState.Failed, Clock.Now, "started", BrokenError, ContainerOf(task), 1)));
                else
                    Add(task, TaskState.Running, "started");
            }
        }
        return ReportPump.Coalesce(reports);
    }

    private const string BrokenError = "task: non-zero exit (1): broken image";

    private bool FailsAtStart(SwarmTask task) =>
        task.Spec.Container.Image == BrokenImage && _brokenFailures.GetValueOrDefault(BrokenSlot(task)) < BrokenStarts;

    private static (string, string) BrokenSlot(SwarmTask task) => (task.ServiceId, task.Slot > 0 ? task.Slot.ToString(CultureInfo.InvariantCulture) : task.NodeId ?? "");

    private static string ContainerOf(SwarmTask task) => $"c-{task.Id}";

    /// <summary>The worker's report path: ReportTaskStatusCommand decided by <see cref="TaskDecider"/>.</summary>
    private bool Report(string nodeId, IReadOnlyList<TaskStatusReport> reports)
    {
        if (reports.Count == 0 || !Execute("ReportTaskStatus", $"node:{nodeId}", TaskDecider.Decide(new ReportTaskStatus(nodeId, reports), State))) return false;
        // The engine's memory of the broken image's failures, counted once they are recorded.
        foreach (var failed in reports.Where(r => r.Status.Error == BrokenError && State.Tasks.ContainsKey(r.TaskId)))
            _brokenFailures[BrokenSlot(State.Tasks[failed.TaskId])] = _brokenFailures.GetValueOrDefault(BrokenSlot(State.Tasks[failed.TaskId])) + 1;
        return true;
    }

    // ---- the log ----

    /// <summary>A command's decision appended as one batch; a refusal appends nothing. True when it was accepted.</summary>
    private bool Execute(string command, string actor, Decision decision)
    {
        if (decision.Error is not null) return false;
        Append(decision.Events, new EventMetadata(Clock.Now, actor, command, $"cmd{_log.Count}"));
        return decision.Events.Count > 0;
    }

    private void Append(IReadOnlyList<DomainEvent> events, EventMetadata metadata)
    {
        if (events.Count == 0) return;
        // Kept as the log keeps it, serialised, so that the replay reads what a restarted manager would read.
        _log.Add(EventJson.Serialize(new EventBatch($"batch{_log.Count}", metadata, events)));
        foreach (var @event in events)
            State = State.Apply(new RecordedEvent(State.LastSequence + 1, metadata, @event));
    }

    /// <summary>Every batch appended since the start, read back from its bytes and applied to a fresh state.</summary>
    public ClusterState Replay()
    {
        var state = ClusterState.Initial;
        foreach (var bytes in _log)
        {
            var batch = EventJson.DeserializeBatch(bytes);
            foreach (var @event in batch.Events)
                state = state.Apply(new RecordedEvent(state.LastSequence + 1, batch.Metadata, @event));
        }
        return state;
    }
}
