using EventSwarm.Domain.Nodes;

namespace EventSwarm.Domain.Swarm;

/// <summary>The facts about the swarm itself (its spec, CA, join tokens), and how each changes the cluster's state.</summary>
public abstract record SwarmEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, SwarmEvent @event, long sequence) => @event switch
    {
        SwarmInitialized e => state with
        {
            Swarm = new SwarmInfo(e.ClusterId, e.AdvertiseAddress, e.At, e.At, sequence)
            {
                Spec = e.Spec ?? SwarmSpec.Default,
                AddressPool = e.AddressPool ?? AddressPool.Default,
                DataPathPort = e.DataPathPort == 0 ? SwarmInfo.DefaultDataPathPort : e.DataPathPort,
            },
        },
        SwarmSpecUpdated e => state.WithSwarm(s => s with { Spec = e.Spec, UpdatedAt = e.At, Version = sequence }),
        ClusterCaIssued e => state.WithSwarm(s => s with { CaCertificatePem = e.CertificatePem, CaDigest = e.Digest, UpdatedAt = e.At, Version = sequence }),
        JoinTokenRotated { Role: NodeRole.Worker } e => state.WithSwarm(s => s with { WorkerSecretHash = e.SecretHash, UpdatedAt = e.At, Version = sequence }),
        JoinTokenRotated e => state.WithSwarm(s => s with { ManagerSecretHash = e.SecretHash, UpdatedAt = e.At, Version = sequence }),
        ClusterForcedNew e => state.WithSwarm(s => s with { UpdatedAt = e.At, Version = sequence }),
        ManagerUnlockKeyRotated e => state.WithSwarm(s => s with { SealedUnlockKey = e.SealedKey, UpdatedAt = e.At, Version = sequence }),
        ManagerUnlockKeyCleared e => state.WithSwarm(s => s with { SealedUnlockKey = null, UpdatedAt = e.At, Version = sequence }),
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <summary>
/// `swarm init`: the swarm's spec and address pool are fixed here (null in a log written before they were recorded:
/// the defaults, which is what those swarms had).
/// </summary>
public sealed record SwarmInitialized(string ClusterId, string NodeId, string AdvertiseAddress, DateTimeOffset At) : SwarmEvent
{
    public SwarmSpec? Spec { get; init; }
    public AddressPool? AddressPool { get; init; }
    /// <summary>The UDP port task traffic between nodes would use (Swarm's VXLAN port, 4789 by default); recorded and reported.</summary>
    public int DataPathPort { get; init; }
}

/// <summary>`swarm update`: the whole spec is replaced, as swarmkit's UpdateCluster does.</summary>
public sealed record SwarmSpecUpdated(SwarmSpec Spec, DateTimeOffset At) : SwarmEvent;

public sealed record SwarmInfo(string ClusterId, string AdvertiseAddress, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public SwarmSpec Spec { get; init; } = SwarmSpec.Default;
    public AddressPool AddressPool { get; init; } = AddressPool.Default;
    public int DataPathPort { get; init; } = DefaultDataPathPort;
    public const int DefaultDataPathPort = 4789;

    public string? CaCertificatePem { get; init; }
    public string? CaDigest { get; init; }
    public string? WorkerSecretHash { get; init; }
    public string? ManagerSecretHash { get; init; }

    /// <summary>
    /// The managers' unlock key while autolock is on, sealed under the swarm's data key (never in clear: the log
    /// must not hold what opens the data key); null while autolock is off.
    /// </summary>
    public string? SealedUnlockKey { get; init; }
}

/// <summary>
/// A lone surviving manager made itself the only member of the Raft cluster (`swarm init --force-new-cluster`),
/// keeping the state; the managers it dropped must leave and join again. Recorded for the audit trail: the
/// projection does not change, since Raft membership is not part of it.
/// </summary>
public sealed record ClusterForcedNew(string NodeId, IReadOnlyList<string> DroppedManagers, DateTimeOffset At) : SwarmEvent;

/// <summary>The cluster's root CA, public part only: joiners check it against the digest in their token.</summary>
public sealed record ClusterCaIssued(string CertificatePem, string Digest, DateTimeOffset At) : SwarmEvent;

/// <summary>A join token's secret changed. Only its SHA-256 is recorded: the log never holds a usable token.</summary>
public sealed record JoinTokenRotated(NodeRole Role, string SecretHash, DateTimeOffset At) : SwarmEvent;

/// <summary>
/// Autolock turned on, or its key rotated (`swarm unlock-key --rotate`): the managers' new unlock key, sealed under
/// the swarm's data key, so that every manager can rewrap its own keys with it and `swarm unlock-key` can show it.
/// Swarm keeps its unlock key in the cluster object of its Raft store the same way (ClusterSpec.UnlockKeys, itself
/// under the Raft data key).
/// </summary>
public sealed record ManagerUnlockKeyRotated(string SealedKey, DateTimeOffset At) : SwarmEvent
{
    public override string ToString() => $"ManagerUnlockKeyRotated {{ At = {At} }}";
}

/// <summary>Autolock turned off: managers keep their keys in clear again, and restart unlocked.</summary>
public sealed record ManagerUnlockKeyCleared(DateTimeOffset At) : SwarmEvent;
