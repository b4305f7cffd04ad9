namespace EventSwarm.Domain.Nodes;

/// <param name="Manager">Where the node serves other nodes and takes part in the Raft log as a manager; null when no other node can reach it.</param>
public sealed record NodeJoined(string NodeId, NodeRole Role, string Address, NodeDescription Description, DateTimeOffset At, ManagerEndpoints? Manager = null) : DomainEvent;

/// <summary>A node's agent (re)connected and told what its engine is now.</summary>
public sealed record NodeDescribed(string NodeId, NodeDescription Description, DateTimeOffset At) : DomainEvent;

public sealed record NodeStatusChanged(string NodeId, NodeStatus Status, string Message, DateTimeOffset At) : DomainEvent;

public sealed record NodeAvailabilityChanged(string NodeId, NodeAvailability Availability, DateTimeOffset At) : DomainEvent;

public sealed record NodeLabelsChanged(string NodeId, System.Collections.Immutable.ImmutableDictionary<string, string> Labels, DateTimeOffset At) : DomainEvent;

public sealed record NodeRoleChanged(string NodeId, NodeRole Role, DateTimeOffset At) : DomainEvent;

public sealed record NodeRemoved(string NodeId, DateTimeOffset At) : DomainEvent;
