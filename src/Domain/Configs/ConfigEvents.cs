using EventSwarm.Domain.Secrets;

namespace EventSwarm.Domain.Configs;

/// <summary>The facts about configs, and how each changes the cluster's state.</summary>
public abstract record ConfigEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, ConfigEvent @event, long sequence) => @event switch
    {
        ConfigCreated e => state with
        {
            Configs = state.Configs.SetItem(e.ConfigId, new Config(e.ConfigId, e.Spec, [new DataVersion(1, e.Data, e.At)], sequence, e.At, e.At)),
        },
        ConfigUpdated e => state.WithConfig(e.ConfigId, c => c with { Spec = e.Spec, Version = sequence, UpdatedAt = e.At }),
        ConfigRotated e => state.WithConfig(e.ConfigId, c => c with
        {
            Data = c.Data.Add(new DataVersion(e.DataVersion, e.Data, e.At)),
            Version = sequence,
            UpdatedAt = e.At,
        }),
        ConfigDataPruned e => state.WithConfig(e.ConfigId, c => c with { Data = c.Data.RemoveAll(d => d.Number == e.DataVersion) }),
        ConfigRemoved e => state with { Configs = state.Configs.Remove(e.ConfigId) },
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <summary>A config was created; <paramref name="Data"/> is its data in base64.</summary>
public sealed record ConfigCreated(string ConfigId, ConfigSpec Spec, string Data, DateTimeOffset At) : ConfigEvent;

public sealed record ConfigUpdated(string ConfigId, ConfigSpec Spec, DateTimeOffset At) : ConfigEvent;

public sealed record ConfigRotated(string ConfigId, long DataVersion, string Data, DateTimeOffset At) : ConfigEvent;

public sealed record ConfigDataPruned(string ConfigId, long DataVersion, DateTimeOffset At) : ConfigEvent;

public sealed record ConfigRemoved(string ConfigId, DateTimeOffset At) : ConfigEvent;
