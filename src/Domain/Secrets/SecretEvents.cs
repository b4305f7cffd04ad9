namespace EventSwarm.Domain.Secrets;

/// <summary>The facts about secrets, and how each changes the cluster's state. Data is always sealed here.</summary>
public abstract record SecretEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, SecretEvent @event, long sequence) => @event switch
    {
        SecretCreated e => state with
        {
            Secrets = state.Secrets.SetItem(e.SecretId, new Secret(e.SecretId, e.Spec, [new DataVersion(1, e.SealedData, e.At)], sequence, e.At, e.At)),
        },
        SecretUpdated e => state.WithSecret(e.SecretId, s => s with { Spec = e.Spec, Version = sequence, UpdatedAt = e.At }),
        SecretRotated e => state.WithSecret(e.SecretId, s => s with
        {
            Data = s.Data.Add(new DataVersion(e.DataVersion, e.SealedData, e.At)),
            Version = sequence,
            UpdatedAt = e.At,
        }),
        SecretDataPruned e => state.WithSecret(e.SecretId, s => s with { Data = s.Data.RemoveAll(d => d.Number == e.DataVersion) }),
        SecretRemoved e => state with { Secrets = state.Secrets.Remove(e.SecretId) },
        _ => throw ClusterState.CannotApply(@event),
    };
}

public sealed record SecretCreated(string SecretId, SecretSpec Spec, string SealedData, DateTimeOffset At) : SecretEvent
{
    public override string ToString() => $"SecretCreated {{ SecretId = {SecretId}, Name = {Spec.Name}, At = {At:O} }}";
}

/// <summary>Only the labels of a secret change (Swarm: "only updates to Labels are allowed").</summary>
public sealed record SecretUpdated(string SecretId, SecretSpec Spec, DateTimeOffset At) : SecretEvent;

/// <summary>`eventswarm secret rotate`: the next version of the data; the services using it roll their tasks to it.</summary>
public sealed record SecretRotated(string SecretId, long DataVersion, string SealedData, DateTimeOffset At) : SecretEvent
{
    public override string ToString() => $"SecretRotated {{ SecretId = {SecretId}, DataVersion = {DataVersion}, At = {At:O} }}";
}

/// <summary>An older version of the data that no task reads any more is dropped from the state.</summary>
public sealed record SecretDataPruned(string SecretId, long DataVersion, DateTimeOffset At) : SecretEvent;

public sealed record SecretRemoved(string SecretId, DateTimeOffset At) : SecretEvent;
