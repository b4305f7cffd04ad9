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

    public Service? FindService(string idOrName)
    {
        if (Services.TryGetValue(idOrName, out var byId)) return byId;
        var byName = Services.Values.FirstOrDefault(s => s.Spec.Name == idOrName);
        if (byName is not null) return byName;
        // docker accepts any unique ID prefix
        var byPrefix = Services.Values.Where(s => s.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        return byPrefix.Count == 1 ? byPrefix[0] : null;
    }

    public Node? FindNode(string idOrHostname)
    {
        if (Nodes.TryGetValue(idOrHostname, out var byId)) return byId;
        var byName = Nodes.Values.Where(n => n.Description.Hostname == idOrHostname).ToList();
        if (byName.Count == 1) return byName[0];
        var byPrefix = Nodes.Values.Where(n => n.Id.StartsWith(idOrHostname, StringComparison.Ordinal)).ToList();
        return byPrefix.Count == 1 ? byPrefix[0] : null;
    }

    public Network? FindNetwork(string idOrName)
    {
        if (Networks.TryGetValue(idOrName, out var byId)) return byId;
        var byName = Networks.Values.FirstOrDefault(n => n.Spec.Name == idOrName);
        if (byName is not null) return byName;
        var byPrefix = Networks.Values.Where(n => n.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        return byPrefix.Count == 1 ? byPrefix[0] : null;
    }

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
