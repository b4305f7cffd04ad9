using System.Collections.Immutable;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

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
    public ImmutableSortedDictionary<string, SwarmTask> Tasks { get; init; } = ImmutableSortedDictionary<string, SwarmTask>.Empty;
    public ImmutableSortedDictionary<string, Network> Networks { get; init; } = ImmutableSortedDictionary<string, Network>.Empty;

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

    public Network? IngressNetwork => Networks.Values.FirstOrDefault(n => n.Spec.Ingress);

    public IEnumerable<SwarmTask> TasksOf(string serviceId) => Tasks.Values.Where(t => t.ServiceId == serviceId);

    public ClusterState Apply(RecordedEvent recorded) => Evolve(this, recorded.Event, recorded.Sequence) with { LastSequence = recorded.Sequence };

    public static ClusterState Evolve(ClusterState state, DomainEvent @event, long sequence) => @event switch
    {
        SwarmInitialized e => state with
        {
            Swarm = new SwarmInfo(e.ClusterId, e.AdvertiseAddress, e.At, e.At, sequence)
            {
                Spec = e.Spec ?? SwarmSpec.Default,
                AddressPool = e.AddressPool ?? AddressPool.Default,
                DataPathPort = e.DataPathPort == 0 ? SwarmInfo.DefaultDataPathPort : e.DataPathPort,
            },
        },
        SwarmSpecUpdated e => state.WithSwarm(s => s with { Spec = e.Spec, UpdatedAt = e.At, Version = sequence }),
        ClusterCaIssued e => state.WithSwarm(s => s with { CaCertificatePem = e.CertificatePem, CaDigest = e.Digest, UpdatedAt = e.At, Version = sequence }),
        JoinTokenRotated { Role: NodeRole.Worker } e => state.WithSwarm(s => s with { WorkerSecretHash = e.SecretHash, UpdatedAt = e.At, Version = sequence }),
        JoinTokenRotated e => state.WithSwarm(s => s with { ManagerSecretHash = e.SecretHash, UpdatedAt = e.At, Version = sequence }),
        ClusterForcedNew e => state.WithSwarm(s => s with { UpdatedAt = e.At, Version = sequence }),

        NodeJoined e => state with
        {
            Nodes = state.Nodes.SetItem(e.NodeId, new Node(e.NodeId, e.Role, NodeAvailability.Active, NodeStatus.Ready, "",
                e.Address, e.Description, ImmutableDictionary<string, string>.Empty, e.At, e.At, sequence) { Manager = e.Manager }),
        },
        NodeDescribed e => state.WithNode(e.NodeId, n => n with { Description = e.Description, UpdatedAt = e.At, Version = sequence }),
        NodeStatusChanged e => state.WithNode(e.NodeId, n => n with { Status = e.Status, StatusMessage = e.Message, UpdatedAt = e.At, Version = sequence }),
        NodeAvailabilityChanged e => state.WithNode(e.NodeId, n => n with { Availability = e.Availability, UpdatedAt = e.At, Version = sequence }),
        NodeLabelsChanged e => state.WithNode(e.NodeId, n => n with { Labels = e.Labels, UpdatedAt = e.At, Version = sequence }),
        NodeRemoved e => state with { Nodes = state.Nodes.Remove(e.NodeId) },
        NodeRoleChanged e => state.WithNode(e.NodeId, n => n with { Role = e.Role, UpdatedAt = e.At, Version = sequence }),

        ServiceCreated e => state with
        {
            Services = state.Services.SetItem(e.ServiceId, new Service(e.ServiceId, e.Spec, null, 1, sequence, e.At, e.At)),
        },
        ServiceScaled e => state.WithService(e.ServiceId, s => s with
        {
            Spec = s.Spec with { Mode = ServiceMode.Replicated(e.Replicas) },
            Version = sequence,
            UpdatedAt = e.At,
        }),
        ServiceUpdated e => state.WithService(e.ServiceId, s => s with
        {
            PreviousSpec = s.Spec,
            Spec = e.Spec,
            // A new spec version makes the running tasks out of date; a pure replica-count change does not.
            SpecVersion = s.Spec.TasksDifferFrom(e.Spec) ? s.SpecVersion + 1 : s.SpecVersion,
            Version = sequence,
            UpdatedAt = e.At,
        }),
        ServiceRemoved e => state with { Services = state.Services.Remove(e.ServiceId) },

        TaskCreated e => state with
        {
            Tasks = state.Tasks.SetItem(e.TaskId, new SwarmTask(e.TaskId, e.ServiceId, e.ServiceName, e.Slot, e.NodeId, e.Spec,
                e.SpecVersion, e.DesiredState, new TaskObservation(TaskState.New, e.At, "created"), e.At, e.At, sequence, e.NotBefore)),
        },
        TaskUnschedulable e => state.WithTask(e.TaskId, t => t with
        {
            Status = t.Status with { State = TaskState.Pending, Message = e.Message, Timestamp = e.At },
            UpdatedAt = e.At,
            Version = sequence,
        }),
        TaskAssigned e => state.WithTask(e.TaskId, t => t with
        {
            NodeId = e.NodeId,
            Status = new TaskObservation(TaskState.Assigned, e.At, "assigned"),
            UpdatedAt = e.At,
            Version = sequence,
        }),
        TaskDesiredStateChanged e => state.WithTask(e.TaskId, t => t with { DesiredState = e.DesiredState, UpdatedAt = e.At, Version = sequence }),
        TaskStatusReported e => state.WithTask(e.TaskId, t =>
            // Observed state is a clock that only moves forward (Swarm's rule); a late or repeated report is dropped.
            e.Status.State < t.Status.State || t.NodeId != e.NodeId
                ? t
                : t with { Status = e.Status, UpdatedAt = e.Status.Timestamp, Version = sequence }),
        TaskOrphaned e => state.WithTask(e.TaskId, t => t.Status.State.IsTerminal()
            ? t
            : t with { Status = t.Status with { State = TaskState.Orphaned, Message = e.Message, Timestamp = e.At }, UpdatedAt = e.At, Version = sequence }),
        TaskRemoved e => state with { Tasks = state.Tasks.Remove(e.TaskId) },
        TaskAddressesAllocated e => state.WithAllocated(e.Attachments.Select(a => (a.NetworkId, a.Address)))
            .WithTask(e.TaskId, t => t with { Networks = e.Attachments, UpdatedAt = e.At, Version = sequence }),

        NetworkCreated e => state with
        {
            Networks = state.Networks.SetItem(e.NetworkId, new Network(e.NetworkId, e.Spec, Ipv4Subnet.Parse(e.Subnet),
                Ipv4Subnet.ParseAddress(e.Gateway), e.At, e.At, sequence)),
        },
        NetworkRemoved e => state with { Networks = state.Networks.Remove(e.NetworkId) },
        ServiceEndpointAllocated e => state.WithAllocated(e.VirtualIps
                .Where(v => !state.Services.TryGetValue(e.ServiceId, out var before) || !before.Endpoint.VirtualIps.Contains(v))
                .Select(v => (v.NetworkId, v.Address)))
            .WithService(e.ServiceId, s => s with { Endpoint = new ServiceEndpoint(e.VirtualIps, e.Ports) }),

        _ => throw new InvalidOperationException($"ClusterState cannot apply {@event.GetType().Name}"),
    };

    /// <summary>Moves each network's allocation cursor to the last address handed out on it.</summary>
    private ClusterState WithAllocated(IEnumerable<(string NetworkId, string Address)> addresses)
    {
        var networks = Networks;
        foreach (var (networkId, address) in addresses)
            if (networks.TryGetValue(networkId, out var network))
                networks = networks.SetItem(networkId, network with { LastAllocated = Ipv4Subnet.ParseAddress(address) });
        return this with { Networks = networks };
    }

    private ClusterState WithSwarm(Func<SwarmInfo, SwarmInfo> change) =>
        Swarm is null ? this : this with { Swarm = change(Swarm) };

    private ClusterState WithNode(string id, Func<Node, Node> change) =>
        Nodes.TryGetValue(id, out var node) ? this with { Nodes = Nodes.SetItem(id, change(node)) } : this;

    private ClusterState WithService(string id, Func<Service, Service> change) =>
        Services.TryGetValue(id, out var service) ? this with { Services = Services.SetItem(id, change(service)) } : this;

    private ClusterState WithTask(string id, Func<SwarmTask, SwarmTask> change) =>
        Tasks.TryGetValue(id, out var task) ? this with { Tasks = Tasks.SetItem(id, change(task)) } : this;
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
