using System.Collections.Immutable;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Networking;

/// <summary>A network as its owner wrote it (`network create`). Only the overlay driver spans the swarm.</summary>
public sealed record NetworkSpec
{
    public required string Name { get; init; }
    public string Driver { get; init; } = "overlay";
    /// <summary>Empty: the next free /24 of the default pool 10.0.0.0/8 (Swarm's default).</summary>
    public string? Subnet { get; init; }
    public string? Gateway { get; init; }
    /// <summary>Plain containers (not only tasks) may join it.</summary>
    public bool Attachable { get; init; }
    /// <summary>The routing mesh's network: every task with a port published in ingress mode is attached to it.</summary>
    public bool Ingress { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;

    public bool Equals(NetworkSpec? other) =>
        other is not null && Name == other.Name && Driver == other.Driver && Subnet == other.Subnet && Gateway == other.Gateway
        && Attachable == other.Attachable && Ingress == other.Ingress && SpecEquality.Same(Labels, other.Labels);

    public override int GetHashCode() => HashCode.Combine(Name, Driver, Subnet, Gateway, Attachable, Ingress, SpecEquality.Hash(Labels));
}

/// <summary>
/// A network in the projection: its spec, the subnet and gateway it was given, and the last address handed out
/// (addresses are handed out in order and wrap around, so a freed address is not reused at once: caches of it
/// in DNS clients and connection tracking have time to expire).
/// </summary>
public sealed record Network(
    string Id,
    NetworkSpec Spec,
    Ipv4Subnet Subnet,
    uint Gateway,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    public uint LastAllocated { get; init; }
}

/// <summary>A task's address on one network.</summary>
public sealed record NetworkAttachment(string NetworkId, string Address);

/// <summary>A service's stable virtual IP on one network.</summary>
public sealed record VirtualIp(string NetworkId, string Address);

public enum EndpointMode { Vip, Dnsrr }
public enum PortProtocol { Tcp, Udp }

public static class PortProtocols
{
    /// <summary>"tcp" or "udp", as docker, iptables and the engine's port keys write it.</summary>
    public static string Name(this PortProtocol protocol) => protocol == PortProtocol.Udp ? "udp" : "tcp";
}
public enum PublishMode { Ingress, Host }

/// <summary>A published port. PublishedPort 0 in a spec asks for one from 30000–32767 (ingress mode).</summary>
public sealed record PortConfig(PortProtocol Protocol, int TargetPort, int PublishedPort, PublishMode Mode = PublishMode.Ingress)
{
    /// <summary>
    /// The port's name as the client gave it (Swarm's PortConfig.Name): kept and read back, never acted on. Null when
    /// none was given, as in logs written before it was kept.
    /// </summary>
    public string? Name { get; init; }

    public string ProtocolName => Protocol.Name();

    /// <summary>The same port without its name: what a container is made with (a name alone replaces no task).</summary>
    public PortConfig WithoutName() => Name is null ? this : this with { Name = null };

    public override string ToString() => $"{PublishedPort}:{TargetPort}/{ProtocolName}";
}

/// <summary>How the service is reached: a VIP or DNS round robin, and the ports published on the nodes.</summary>
public sealed record EndpointSpec(EndpointMode Mode, ImmutableArray<PortConfig> Ports)
{
    public static EndpointSpec Default { get; } = new(EndpointMode.Vip, []);

    public bool HasIngressPorts => !Ports.IsDefaultOrEmpty && Ports.Any(p => p.Mode == PublishMode.Ingress);

    public bool Equals(EndpointSpec? other) => other is not null && Mode == other.Mode && SpecEquality.Same(Ports, other.Ports);

    public override int GetHashCode() => HashCode.Combine(Mode, SpecEquality.Hash(Ports));
}

/// <summary>What the allocator gave a service: one VIP per network (vip mode) and the published ports, all resolved.</summary>
public sealed record ServiceEndpoint(ImmutableArray<VirtualIp> VirtualIps, ImmutableArray<PortConfig> Ports)
{
    public static ServiceEndpoint None { get; } = new([], []);

    public bool Equals(ServiceEndpoint? other) => other is not null && SpecEquality.Same(VirtualIps, other.VirtualIps) && SpecEquality.Same(Ports, other.Ports);

    public override int GetHashCode() => HashCode.Combine(SpecEquality.Hash(VirtualIps), SpecEquality.Hash(Ports));
}
