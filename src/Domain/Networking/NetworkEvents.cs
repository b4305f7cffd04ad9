using System.Collections.Immutable;

using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Networking;

/// <summary>
/// The facts about networks and the addresses the allocator hands out on them (a service's VIPs, a task's
/// addresses), and how each changes the cluster's state.
/// </summary>
public abstract record NetworkEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, NetworkEvent @event, long sequence) => @event switch
    {
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
        TaskAddressesAllocated e => state.WithAllocated(e.Attachments.Select(a => (a.NetworkId, a.Address)))
            .WithTask(e.TaskId, t => t with { Networks = e.Attachments, UpdatedAt = e.At, Version = sequence }),
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <summary>A network was created; the subnet and gateway are recorded resolved, so a replay allocates the same.</summary>
public sealed record NetworkCreated(string NetworkId, NetworkSpec Spec, string Subnet, string Gateway, DateTimeOffset At) : NetworkEvent;

public sealed record NetworkRemoved(string NetworkId, DateTimeOffset At) : NetworkEvent;

/// <summary>The allocator gave a service its VIPs and resolved its published ports (the whole endpoint, each time).</summary>
public sealed record ServiceEndpointAllocated(string ServiceId, ImmutableArray<VirtualIp> VirtualIps, ImmutableArray<PortConfig> Ports, DateTimeOffset At) : NetworkEvent;

/// <summary>The allocator gave a task its address on each of its networks; only then may it be scheduled.</summary>
public sealed record TaskAddressesAllocated(string TaskId, ImmutableArray<NetworkAttachment> Attachments, DateTimeOffset At) : NetworkEvent;
