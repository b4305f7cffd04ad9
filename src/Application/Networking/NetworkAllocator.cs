using System.Collections.Immutable;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Networking;

/// <summary>
/// swarmkit's allocator as a pure loop: a VIP per network for every service in vip mode, a port from
/// 30000–32767 for every ingress port published without one, and an address on each of its networks for every
/// task before the scheduler may place it. Addresses are handed out in order after the last one given on the
/// network, wrapping around; an address is free again once the task holding it has ended.
/// </summary>
public static class NetworkAllocator
{
    public const int FirstDynamicPort = 30000;
    public const int LastDynamicPort = 32767;

    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        if (state.Networks.IsEmpty) return [];
        var pool = new AddressPool(state);
        var events = new List<DomainEvent>();

        var usedPorts = state.Services.Values
            .SelectMany(s => s.Endpoint.Ports.IsDefault ? [] : s.Endpoint.Ports)
            .Where(p => p.Mode == PublishMode.Ingress)
            .Select(p => (p.Protocol, p.PublishedPort)).ToHashSet();

        foreach (var service in state.Services.Values)
        {
            var vips = ImmutableArray.CreateBuilder<VirtualIp>();
            if (service.Spec.Endpoint.Mode == EndpointMode.Vip)
                foreach (var attachment in service.Spec.TaskNetworks)
                {
                    if (!state.Networks.TryGetValue(attachment.Target, out var network)) continue;
                    var kept = service.Endpoint.VirtualIps.FirstOrDefault(v => v.NetworkId == network.Id);
                    if (kept is not null) vips.Add(kept);
                    else if (pool.Take(network) is { } address) vips.Add(new VirtualIp(network.Id, address));
                }

            var ports = ImmutableArray.CreateBuilder<PortConfig>();
            foreach (var port in service.Spec.Endpoint.Ports.IsDefault ? [] : service.Spec.Endpoint.Ports)
            {
                if (port.PublishedPort != 0 || port.Mode == PublishMode.Host)
                {
                    ports.Add(port);
                    continue;
                }
                var given = service.Endpoint.Ports.FirstOrDefault(p => p.TargetPort == port.TargetPort && p.Protocol == port.Protocol && p.Mode == port.Mode);
                if (given is not null && given.PublishedPort != 0)
                {
                    // The port keeps what it was given; the rest (its name) follows the spec.
                    ports.Add(port with { PublishedPort = given.PublishedPort });
                    continue;
                }
                var free = Enumerable.Range(FirstDynamicPort, LastDynamicPort - FirstDynamicPort + 1)
                    .FirstOrDefault(p => !usedPorts.Contains((port.Protocol, p)));
                if (free == 0) continue;
                usedPorts.Add((port.Protocol, free));
                ports.Add(port with { PublishedPort = free });
            }

            var endpoint = new ServiceEndpoint(vips.ToImmutable(), ports.ToImmutable());
            if (endpoint != service.Endpoint)
                events.Add(new ServiceEndpointAllocated(service.Id, endpoint.VirtualIps, endpoint.Ports, context.Now));
        }

        foreach (var task in state.WaitingTasks.Where(t => t.IsActive && t.Status.State <= TaskState.Pending && t.Networks.IsEmpty))
        {
            var required = RequiredNetworks(task, state);
            if (required.Count == 0) continue;
            var attachments = new List<NetworkAttachment>();
            string? failure = null;
            foreach (var network in required)
            {
                if (pool.Take(network) is { } address) attachments.Add(new NetworkAttachment(network.Id, address));
                else failure = $"no free address left on network {network.Spec.Name} ({network.Subnet})";
            }
            if (failure is null)
                events.Add(new TaskAddressesAllocated(task.Id, [.. attachments], context.Now));
            else
            {
                foreach (var given in attachments) pool.Release(given.NetworkId, given.Address);
                var message = $"allocation failed: {failure}";
                if (task.Status.State != TaskState.Pending || task.Status.Message != message)
                    events.Add(new TaskUnschedulable(task.Id, message, context.Now));
            }
        }
        return events;
    }

    /// <summary>The networks a task joins: its service's, then ingress when the service publishes ports through the mesh.</summary>
    public static IReadOnlyList<Network> RequiredNetworks(SwarmTask task, ClusterState state)
    {
        var networks = task.Spec.Networks.Select(n => state.Networks.GetValueOrDefault(n.Target)).OfType<Network>().ToList();
        if (state.Services.TryGetValue(task.ServiceId, out var service) && service.Spec.Endpoint.HasIngressPorts && state.IngressNetwork is { } ingress)
            networks.Add(ingress);
        return networks;
    }

    /// <summary>Whether the scheduler may place the task: it has its addresses, or needs none.</summary>
    public static bool IsAllocated(SwarmTask task, ClusterState state) => !task.Networks.IsEmpty || RequiredNetworks(task, state).Count == 0;

    /// <summary>Whether a task's addresses are still taken: until it ends, and while its node is down (its container may live on).</summary>
    public static bool HoldsAddresses(SwarmTask task, ClusterState state) =>
        !task.Status.State.IsTerminal()
        || (task.Status.State == TaskState.Orphaned && task.NodeId is not null
            && state.Nodes.TryGetValue(task.NodeId, out var node) && node.Status != NodeStatus.Ready);

    /// <summary>The addresses taken on every network, and each network's cursor, as this pass sees them.</summary>
    private sealed class AddressPool
    {
        private readonly Dictionary<string, HashSet<uint>> _used = [];
        private readonly Dictionary<string, uint> _cursor = [];

        public AddressPool(ClusterState state)
        {
            foreach (var network in state.Networks.Values)
            {
                _used[network.Id] = [network.Subnet.Network, network.Subnet.Broadcast, network.Gateway];
                _cursor[network.Id] = network.LastAllocated;
            }
            foreach (var service in state.Services.Values)
                foreach (var vip in service.Endpoint.VirtualIps)
                    Mark(vip.NetworkId, vip.Address);
            foreach (var task in state.TasksWithAddresses.Where(t => !t.Networks.IsEmpty && HoldsAddresses(t, state)))
                foreach (var attachment in task.Networks)
                    Mark(attachment.NetworkId, attachment.Address);
        }

        public string? Take(Network network)
        {
            var used = _used[network.Id];
            var first = network.Subnet.FirstHost;
            var last = network.Subnet.Broadcast - 1;
            var start = _cursor[network.Id] is var c && c >= first && c < last ? c + 1 : first;
            var candidate = start;
            for (long tried = 0; tried <= last - first; tried++)
            {
                if (used.Add(candidate))
                {
                    _cursor[network.Id] = candidate;
                    return Ipv4Subnet.Format(candidate);
                }
                candidate = candidate >= last ? first : candidate + 1;
            }
            return null;
        }

        public void Release(string networkId, string address) => _used[networkId].Remove(Ipv4Subnet.ParseAddress(address));

        private void Mark(string networkId, string address)
        {
            if (_used.TryGetValue(networkId, out var used)) used.Add(Ipv4Subnet.ParseAddress(address));
        }
    }
}
