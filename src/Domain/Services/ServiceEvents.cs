namespace EventSwarm.Domain.Services;

public sealed record ServiceCreated(string ServiceId, ServiceSpec Spec, DateTimeOffset At) : DomainEvent;

/// <summary>Scaling gets its own event: "who scaled web to 30, when" is the question the audit trail answers most.</summary>
public sealed record ServiceScaled(string ServiceId, long Replicas, DateTimeOffset At) : DomainEvent;

public sealed record ServiceUpdated(string ServiceId, ServiceSpec Spec, DateTimeOffset At) : DomainEvent;

public sealed record ServiceRemoved(string ServiceId, DateTimeOffset At) : DomainEvent;
