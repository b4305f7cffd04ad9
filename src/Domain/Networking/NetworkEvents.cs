using System.Collections.Immutable;

namespace EventSwarm.Domain.Networking;

/// <summary>A network was created; the subnet and gateway are recorded resolved, so a replay allocates the same.</summary>
public sealed record NetworkCreated(string NetworkId, NetworkSpec Spec, string Subnet, string Gateway, DateTimeOffset At) : DomainEvent;

public sealed record NetworkRemoved(string NetworkId, DateTimeOffset At) : DomainEvent;

/// <summary>The allocator gave a service its VIPs and resolved its published ports (the whole endpoint, each time).</summary>
public sealed record ServiceEndpointAllocated(string ServiceId, ImmutableArray<VirtualIp> VirtualIps, ImmutableArray<PortConfig> Ports, DateTimeOffset At) : DomainEvent;

/// <summary>The allocator gave a task its address on each of its networks; only then may it be scheduled.</summary>
public sealed record TaskAddressesAllocated(string TaskId, ImmutableArray<NetworkAttachment> Attachments, DateTimeOffset At) : DomainEvent;
