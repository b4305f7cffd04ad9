using System.Collections.Immutable;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Networking;

/// <summary>A network as one node realises it: a local bridge with the network's subnet, and the service VIPs answered on it.</summary>
public sealed record LocalNetwork(string Id, string Name, Ipv4Subnet Subnet, uint Gateway, bool Ingress, ImmutableArray<string> VirtualIps)
{
    public static LocalNetwork Of(Network network, ImmutableArray<string> virtualIps) =>
        new(network.Id, network.Spec.Name, network.Subnet, network.Gateway, network.Spec.Ingress, virtualIps);
}

/// <summary>An address that lives on another node: reached by routing to that node.</summary>
public sealed record RemoteAddress(string Address, string NodeAddress);

/// <summary>A VIP and the running tasks behind it, on one network.</summary>
public sealed record VipRotation(string NetworkId, string Vip, ImmutableArray<string> Backends);

/// <summary>A port published through the routing mesh and the running tasks' ingress addresses behind it.</summary>
public sealed record MeshPort(PortProtocol Protocol, int PublishedPort, int TargetPort, ImmutableArray<string> Backends);

/// <summary>
/// What one node's network must look like for the cluster's state: the networks its tasks use, routes to every
/// task address held on another node, the VIP rotations and the routing mesh. A pure function of the projection,
/// so every node derives the same tables from the same log; the node's plumbing only makes them so.
/// </summary>
public sealed record NodeNetworkPlan(
    ImmutableArray<LocalNetwork> Networks,
    ImmutableArray<RemoteAddress> Routes,
    ImmutableArray<VipRotation> Vips,
    ImmutableArray<MeshPort> Mesh,
    Ipv4Subnet? IngressSubnet)
{
    public static NodeNetworkPlan Empty { get; } = new([], [], [], [], null);

    public static NodeNetworkPlan For(ClusterState state, string nodeId)
    {
        // A network exists on a node while a task attached to it is there and not finished (its container holds an endpoint).
        var localTasks = state.TasksOn(nodeId).ToList();
        var networks = state.Networks.Values
            .Where(n => localTasks.Any(t => t.IsAttachedTo(n.Id)))
            .Select(n => LocalNetwork.Of(n,
                [.. state.Services.Values.SelectMany(s => s.Endpoint.VirtualIps).Where(v => v.NetworkId == n.Id).Select(v => v.Address).Order(StringComparer.Ordinal)]))
            .ToImmutableArray();

        var routes = state.TasksWithAddresses
            .Where(t => t.NodeId is not null && t.NodeId != nodeId && !t.Networks.IsEmpty && !t.Status.State.IsTerminal()
                && state.Nodes.TryGetValue(t.NodeId, out var node) && node.Address.Length > 0)
            .SelectMany(t => t.Networks.Select(a => new RemoteAddress(a.Address, HostOf(state.Nodes[t.NodeId!].Address))))
            .OrderBy(r => r.Address, StringComparer.Ordinal)
            .ToImmutableArray();

        var vips = networks
            .SelectMany(n => state.Services.Values.SelectMany(s => s.Endpoint.VirtualIps
                .Where(v => v.NetworkId == n.Id)
                .Select(v => new VipRotation(n.Id, v.Address, Backends(state, s.Id, n.Id)))))
            .ToImmutableArray();

        var ingress = state.IngressNetwork;
        var mesh = ingress is null
            ? []
            : state.Services.Values
                .SelectMany(s => (s.Endpoint.Ports.IsDefault ? [] : s.Endpoint.Ports)
                    .Where(p => p.Mode == PublishMode.Ingress && p.PublishedPort != 0)
                    .Select(p => new MeshPort(p.Protocol, p.PublishedPort, p.TargetPort, Backends(state, s.Id, ingress.Id))))
                .OrderBy(p => p.PublishedPort).ThenBy(p => p.Protocol)
                .ToImmutableArray();

        return new NodeNetworkPlan(networks, routes, vips, mesh, ingress?.Subnet);
    }

    /// <summary>
    /// The tasks that take traffic: running and meant to keep running. A task being stopped leaves at once, before
    /// its worker stops it, so that no new connection reaches a container on its way out.
    /// </summary>
    public static ImmutableArray<string> Backends(ClusterState state, string serviceId, string networkId) =>
        [.. state.TasksOf(serviceId)
            .Where(t => t.ServiceId == serviceId && t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running)
            .SelectMany(t => t.Networks.Where(a => a.NetworkId == networkId).Select(a => a.Address))
            .Order(StringComparer.Ordinal)];

    public static string HostOf(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && address.IndexOf(':') == colon ? address[..colon] : address;
    }

    public bool Equals(NodeNetworkPlan? other) =>
        other is not null && Networks.SequenceEqual(other.Networks, LocalNetworkComparer.Instance) && Routes.SequenceEqual(other.Routes)
        && Vips.SequenceEqual(other.Vips, VipComparer.Instance) && Mesh.SequenceEqual(other.Mesh, MeshComparer.Instance) && IngressSubnet == other.IngressSubnet;

    public override int GetHashCode() => HashCode.Combine(Networks.Length, Routes.Length, Vips.Length, Mesh.Length);

    private sealed class LocalNetworkComparer : IEqualityComparer<LocalNetwork>
    {
        public static readonly LocalNetworkComparer Instance = new();
        public bool Equals(LocalNetwork? a, LocalNetwork? b) => a! with { VirtualIps = [] } == b! with { VirtualIps = [] } && a.VirtualIps.SequenceEqual(b.VirtualIps);
        public int GetHashCode(LocalNetwork n) => n.Id.GetHashCode();
    }

    private sealed class VipComparer : IEqualityComparer<VipRotation>
    {
        public static readonly VipComparer Instance = new();
        public bool Equals(VipRotation? a, VipRotation? b) => a!.NetworkId == b!.NetworkId && a.Vip == b.Vip && a.Backends.SequenceEqual(b.Backends);
        public int GetHashCode(VipRotation v) => v.Vip.GetHashCode();
    }

    private sealed class MeshComparer : IEqualityComparer<MeshPort>
    {
        public static readonly MeshComparer Instance = new();
        public bool Equals(MeshPort? a, MeshPort? b) => a! with { Backends = [] } == b! with { Backends = [] } && a.Backends.SequenceEqual(b.Backends);
        public int GetHashCode(MeshPort p) => p.PublishedPort;
    }
}
