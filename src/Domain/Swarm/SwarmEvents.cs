namespace EventSwarm.Domain.Swarm;

public sealed record SwarmInitialized(string ClusterId, string NodeId, string AdvertiseAddress, DateTimeOffset At) : DomainEvent;

public sealed record SwarmInfo(string ClusterId, string AdvertiseAddress, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version);
