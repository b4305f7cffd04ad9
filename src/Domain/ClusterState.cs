using System.Collections.Immutable;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;
using EventSwarm.Domain.Web;

namespace EventSwarm.Domain;

/// <summary>
/// The whole cluster as a fold of the log. It changes only through <see cref="Evolve"/>; every query and every
/// control loop reads it, nothing writes it directly.
/// </summary>
public sealed record ClusterState
{
    public static ClusterState Initial { get; } = new();

    public SwarmInfo? Swarm { get; init; }
    public ImmutableSortedDictionary<string, Node> Nodes { get; init; } = ImmutableSortedDictionary<string, Node>.Empty;
    public ImmutableSortedDictionary<string, Service> Services { get; init; } = ImmutableSortedDictionary<string, Service>.Empty;
    /// <summary>
    /// By task ID, in ordinal order whatever the dictionary given (JSON makes one with the default comparer). Task IDs
    /// are ASCII, so the order is the same; culture-aware compares were a fifth of what applying a task event cost at
    /// scale (issue 16). The task indexes share this comparer.
    /// </summary>
    public ImmutableSortedDictionary<string, SwarmTask> Tasks
    {
        get => _tasks;
        init => _tasks = ReferenceEquals(value.KeyComparer, StringComparer.Ordinal) ? value : value.WithComparers(StringComparer.Ordinal);
    }

    private readonly ImmutableSortedDictionary<string, SwarmTask> _tasks = ImmutableSortedDictionary.Create<string, SwarmTask>(StringComparer.Ordinal);
    public ImmutableSortedDictionary<string, Network> Networks { get; init; } = ImmutableSortedDictionary<string, Network>.Empty;
    public ImmutableSortedDictionary<string, Secret> Secrets { get; init; } = ImmutableSortedDictionary<string, Secret>.Empty;
    public ImmutableSortedDictionary<string, Config> Configs { get; init; } = ImmutableSortedDictionary<string, Config>.Empty;
    /// <summary>Stacks deployed through EventSwarm's stack endpoint, by name, with their history.</summary>
    public ImmutableSortedDictionary<string, Stack> Stacks { get; init; } = ImmutableSortedDictionary<string, Stack>.Empty;
    /// <summary>The web view's tokens, by name: their role and hash only (issue 17).</summary>
    public ImmutableSortedDictionary<string, WebToken> WebTokens { get; init; } = ImmutableSortedDictionary<string, WebToken>.Empty;

    /// <summary>Sequence of the last event applied: the length of the cluster's history.</summary>
    public long LastSequence { get; init; }

    public Service? FindService(string idOrName) => LookupService(idOrName).Match;

    public Node? FindNode(string idOrHostname) => LookupNode(idOrHostname).Match;

    public Network? FindNetwork(string idOrName) => LookupNetwork(idOrName).Match;

    /// <summary>A service by full ID, then exact name, then unique ID prefix, as Docker looks one up.</summary>
    public Lookup<Service> LookupService(string idOrName) =>
        Lookup<Service>.Of(idOrName, Services, s => s.Spec.Name);

    /// <summary>A node by full ID, then host name, then unique ID prefix; two nodes of one host name are ambiguous.</summary>
    public Lookup<Node> LookupNode(string idOrHostname) =>
        Lookup<Node>.Of(idOrHostname, Nodes, n => n.Description.Hostname);

    /// <summary>A task by full ID, then its name (service.slot.id, swarmkit's naming.Task), then unique ID prefix.</summary>
    public Lookup<SwarmTask> LookupTask(string idOrName) =>
        Lookup<SwarmTask>.Of(idOrName, Tasks, t => t.ContainerName);

    public Lookup<Network> LookupNetwork(string idOrName) =>
        Lookup<Network>.Of(idOrName, Networks, n => n.Spec.Name);

    public Lookup<Secret> LookupSecret(string idOrName) =>
        Lookup<Secret>.Of(idOrName, Secrets, s => s.Spec.Name);

    public Lookup<Config> LookupConfig(string idOrName) =>
        Lookup<Config>.Of(idOrName, Configs, c => c.Spec.Name);

    // Computed views are not part of the state's JSON (snapshots, checkpoints, a worker's copy): serializing them
    // wrote every attached task a second time and built the task indexes of each state serialized.
    [System.Text.Json.Serialization.JsonIgnore]
    public Network? IngressNetwork => Networks.Values.FirstOrDefault(n => n.Spec.Ingress);

    // The task queries below are what the control loops and the API read at scale (issue 16): each answers from
    // indexes the state keeps as tasks change (TaskIndex), never by scanning every task.

    /// <summary>
    /// The task indexes of <see cref="Tasks"/>. Kept up to date by <see cref="WithTaskChange"/>, the one place tasks
    /// change; a state whose Tasks came from elsewhere (JSON: a snapshot, a checkpoint, a worker's copy; or a
    /// <c>with { Tasks = … }</c>) has none that matches, and builds it on first use. It is not serialized.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TaskIndex TaskIndex
    {
        get
        {
            var index = _taskIndex.Value;
            if (index is null || !ReferenceEquals(index.Tasks, Tasks))
                _taskIndex = new TaskIndexSlot(index = TaskIndex.Build(Tasks));
            return index;
        }
    }

    private TaskIndexSlot _taskIndex;

    /// <summary>Every task of a service, in any state, in ID order.</summary>
    public IEnumerable<SwarmTask> TasksOf(string serviceId) => Resolve(TaskIndex.ByService.GetValueOrDefault(serviceId));

    /// <summary>Every task given to a node, in any state, in ID order.</summary>
    public IEnumerable<SwarmTask> TasksOn(string nodeId) => Resolve(TaskIndex.ByNode.GetValueOrDefault(nodeId));

    /// <summary>The tasks of one replicated slot (slot &gt; 0) of a service: its history, in ID order.</summary>
    public IEnumerable<SwarmTask> TasksInSlot(string serviceId, long slot) => Resolve(TaskIndex.BySlot.GetValueOrDefault((serviceId, slot)));

    /// <summary>
    /// Tasks holding an address on a network, in ID order: with attachments there and not finished, or orphaned
    /// (their container may live on). Callers keep their own finer test; no other task is attached.
    /// </summary>
    public IEnumerable<SwarmTask> TasksAttachedTo(string networkId) => Resolve(TaskIndex.ByNetwork.GetValueOrDefault(networkId));

    /// <summary>Every task holding an address on any network (as <see cref="TasksAttachedTo"/>), once each, in ID order.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<SwarmTask> TasksWithAddresses
    {
        get
        {
            var byNetwork = TaskIndex.ByNetwork;
            if (byNetwork.Count == 1) return Resolve(byNetwork.Values.First());
            var ids = ImmutableSortedSet.CreateBuilder(Tasks.KeyComparer);
            foreach (var set in byNetwork.Values) ids.UnionWith(set);
            return Resolve(ids.ToImmutable());
        }
    }

    /// <summary>The networks some task holds an address on, known to the state or not (removed since).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> NetworksWithTasks => TaskIndex.ByNetwork.Keys;

    /// <summary>Tasks whose container has not ended and that read the secret or config, in ID order.</summary>
    public IEnumerable<SwarmTask> TasksReading(string secretOrConfigId) => Resolve(TaskIndex.ByFile.GetValueOrDefault(secretOrConfigId));

    /// <summary>
    /// Tasks still waiting for a node: runnable and not past Pending (the allocator's and the scheduler's input).
    /// In ID order; callers sort as they need.
    /// </summary>
    public IEnumerable<SwarmTask> WaitingTasks => Resolve(TaskIndex.Waiting);

    /// <summary>Runnable tasks that finished: each is its slot's current task and up for restart (or back-off).</summary>
    public IEnumerable<SwarmTask> EndedTasks => Resolve(TaskIndex.Ended);

    /// <summary>Tasks whose desired state is past Running (shut down, or to be removed): what the reaper looks at.</summary>
    public IEnumerable<SwarmTask> RetiredTasks => Resolve(TaskIndex.Retired);

    /// <summary>The earliest start time after <paramref name="now"/> of a runnable task created with one, if any.</summary>
    public DateTimeOffset? NextNotBeforeAfter(DateTimeOffset now)
    {
        var parked = TaskIndex.Parked;
        if (parked.IsEmpty || parked.Max.NotBefore <= now) return null;
        // The first entry past (now, any ID): IndexOf gives the complement of where (now + 1 tick, "") would go.
        var at = parked.IndexOf((now.AddTicks(1), ""));
        return parked[at >= 0 ? at : ~at].NotBefore;
    }

    /// <summary>A service's runnable tasks and slots, and how many are unsettled (<see cref="TaskIndex.ServiceTally"/>).</summary>
    public TaskIndex.ServiceTally TallyOf(string serviceId) => TaskIndex.Tallies.GetValueOrDefault(serviceId, TaskIndex.ServiceTally.None);

    /// <summary>A node's active tasks from Assigned on, and what they reserve (<see cref="NodeUsage"/>).</summary>
    public NodeUsage UsageOf(string nodeId) => TaskIndex.Load.TryGetValue(nodeId, out var load) ? load.Usage : NodeUsage.None;

    /// <summary>How many active tasks (from Assigned on) of a service a node holds: the scheduler's spread key.</summary>
    public int ActiveTasksOf(string serviceId, string nodeId) =>
        TaskIndex.Load.TryGetValue(nodeId, out var load) ? load.Services.GetValueOrDefault(serviceId) : 0;

    private IEnumerable<SwarmTask> Resolve(ImmutableSortedSet<string>? ids)
    {
        if (ids is null) yield break;
        var tasks = Tasks;
        foreach (var id in ids) yield return tasks[id];
    }

    public ClusterState Apply(RecordedEvent recorded) =>
        // A service's (and a stack's) versions record who changed it and how, so their events see the batch's metadata.
        (recorded.Event switch
        {
            ServiceEvent service => ServiceEvent.Evolve(this, service, recorded.Sequence, recorded.Metadata),
            StackEvent stack => StackEvent.Evolve(this, stack, recorded.Sequence, recorded.Metadata),
            _ => Evolve(this, recorded.Event, recorded.Sequence),
        }) with
        { LastSequence = recorded.Sequence };

    /// <summary>
    /// Each capability's events change the state in one place, beside the events themselves (as a decider's Evolve
    /// sits beside its events); this only dispatches to them.
    /// </summary>
    public static ClusterState Evolve(ClusterState state, DomainEvent @event, long sequence) => @event switch
    {
        SwarmEvent e => SwarmEvent.Evolve(state, e, sequence),
        NodeEvent e => NodeEvent.Evolve(state, e, sequence),
        ServiceEvent e => ServiceEvent.Evolve(state, e, sequence),
        TaskEvent e => TaskEvent.Evolve(state, e, sequence),
        NetworkEvent e => NetworkEvent.Evolve(state, e, sequence),
        SecretEvent e => SecretEvent.Evolve(state, e, sequence),
        ConfigEvent e => ConfigEvent.Evolve(state, e, sequence),
        StackEvent e => StackEvent.Evolve(state, e, sequence),
        WebTokenEvent e => WebTokenEvent.Evolve(state, e, sequence),
        _ => throw CannotApply(@event),
    };

    internal static InvalidOperationException CannotApply(DomainEvent @event) =>
        new($"ClusterState cannot apply {@event.GetType().Name}");

    /// <summary>Moves each network's allocation cursor to the last address handed out on it.</summary>
    internal ClusterState WithAllocated(IEnumerable<(string NetworkId, string Address)> addresses)
    {
        var networks = Networks;
        foreach (var (networkId, address) in addresses)
            if (networks.TryGetValue(networkId, out var network))
                networks = networks.SetItem(networkId, network with { LastAllocated = Ipv4Subnet.ParseAddress(address) });
        return this with { Networks = networks };
    }

    internal ClusterState WithSwarm(Func<SwarmInfo, SwarmInfo> change) =>
        Swarm is null ? this : this with { Swarm = change(Swarm) };

    internal ClusterState WithNode(string id, Func<Node, Node> change) =>
        Nodes.TryGetValue(id, out var node) ? this with { Nodes = Nodes.SetItem(id, change(node)) } : this;

    internal ClusterState WithService(string id, Func<Service, Service> change) =>
        Services.TryGetValue(id, out var service) ? this with { Services = Services.SetItem(id, change(service)) } : this;

    internal ClusterState WithSecret(string id, Func<Secret, Secret> change) =>
        Secrets.TryGetValue(id, out var secret) ? this with { Secrets = Secrets.SetItem(id, change(secret)) } : this;

    internal ClusterState WithConfig(string id, Func<Config, Config> change) =>
        Configs.TryGetValue(id, out var config) ? this with { Configs = Configs.SetItem(id, change(config)) } : this;

    internal ClusterState WithTask(string id, Func<SwarmTask, SwarmTask> change) =>
        Tasks.TryGetValue(id, out var task) ? WithTaskChange(task, change(task)) : this;

    /// <summary>
    /// The one place a task changes (created: <paramref name="old"/> null; removed: <paramref name="new"/> null):
    /// Tasks and their index move together, so the index never drifts from the tasks.
    /// </summary>
    internal ClusterState WithTaskChange(SwarmTask? old, SwarmTask? @new)
    {
        var id = (@new ?? old)?.Id ?? throw new ArgumentException("a task change needs a task");
        if (ReferenceEquals(old, @new)) return this;
        var tasks = @new is null ? Tasks.Remove(id) : Tasks.SetItem(id, @new);
        if (ReferenceEquals(tasks, Tasks)) return this;
        var index = TaskIndex.With(old, @new, tasks);
        return this with { Tasks = tasks, _taskIndex = new TaskIndexSlot(index) };
    }

    /// <summary>
    /// Holds the index outside the record's equality: two states are equal by their contents, whether or not
    /// either has built its index yet.
    /// </summary>
    private readonly record struct TaskIndexSlot(TaskIndex? Value)
    {
        public bool Equals(TaskIndexSlot other) => true;

        public override int GetHashCode() => 0;
    }
}

/// <summary>
/// What a lookup by ID, name or ID prefix found, as Docker's daemon/cluster/helpers.go looks objects up: a full ID
/// wins; else the objects of that exact name; else those whose ID starts with it. One is the match; none is "not
/// found" (404); several are "ambiguous" (400, errdefs.InvalidParameter) and never one picked at random.
/// </summary>
public readonly record struct Lookup<T>(T? Match, int Matches, bool ByName) where T : class
{
    public bool IsAmbiguous => Matches > 1;

    public static Lookup<T> Of(string input, IImmutableDictionary<string, T> byId, Func<T, string> name)
    {
        if (byId.TryGetValue(input, out var exact)) return new(exact, 1, false);
        var named = byId.Values.Where(v => name(v) == input).Take(2).ToList();
        if (named.Count > 0) return new(named.Count == 1 ? named[0] : null, byId.Values.Count(v => name(v) == input), true);
        var prefixed = input.Length == 0 ? [] : byId.Where(p => p.Key.StartsWith(input, StringComparison.Ordinal)).Select(p => p.Value).Take(2).ToList();
        return new(prefixed.Count == 1 ? prefixed[0] : null,
            prefixed.Count < 2 ? prefixed.Count : byId.Keys.Count(k => k.StartsWith(input, StringComparison.Ordinal)), false);
    }

    /// <summary>Docker's refusal when there is no single match: "KIND INPUT not found" or "… is ambiguous (N matches found)".</summary>
    public DomainError? Refusal(string kind, string input) => Matches switch
    {
        0 => new DomainError(ErrorKind.NotFound, $"{kind} {input} not found"),
        1 => null,
        _ => new DomainError(ErrorKind.Invalid, $"{kind} {input} is ambiguous ({Matches} matches found)"),
    };
}
