namespace EventSwarm.Domain.Services;

/// <summary>The facts about services, and how each changes the cluster's state.</summary>
public abstract record ServiceEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, ServiceEvent @event, long sequence) => @event switch
    {
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
        _ => throw ClusterState.CannotApply(@event),
    };
}

public sealed record ServiceCreated(string ServiceId, ServiceSpec Spec, DateTimeOffset At) : ServiceEvent;

/// <summary>Scaling gets its own event: "who scaled web to 30, when" is the question the audit trail answers most.</summary>
public sealed record ServiceScaled(string ServiceId, long Replicas, DateTimeOffset At) : ServiceEvent;

public sealed record ServiceUpdated(string ServiceId, ServiceSpec Spec, DateTimeOffset At) : ServiceEvent;

public sealed record ServiceRemoved(string ServiceId, DateTimeOffset At) : ServiceEvent;
