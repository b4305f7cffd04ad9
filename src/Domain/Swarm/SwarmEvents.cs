namespace EventSwarm.Domain.Swarm;

public sealed record SwarmInitialized(string ClusterId, string NodeId, string AdvertiseAddress, DateTimeOffset At) : DomainEvent;

public sealed record SwarmInfo(string ClusterId, string AdvertiseAddress, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public string? CaCertificatePem { get; init; }
    public string? CaDigest { get; init; }
    public string? WorkerSecretHash { get; init; }
    public string? ManagerSecretHash { get; init; }
}

/// <summary>
/// A lone surviving manager made itself the only member of the Raft cluster (`swarm init --force-new-cluster`),
/// keeping the state; the managers it dropped must leave and join again. Recorded for the audit trail: the
/// projection does not change, since Raft membership is not part of it.
/// </summary>
public sealed record ClusterForcedNew(string NodeId, IReadOnlyList<string> DroppedManagers, DateTimeOffset At) : DomainEvent;

/// <summary>The cluster's root CA, public part only: joiners check it against the digest in their token.</summary>
public sealed record ClusterCaIssued(string CertificatePem, string Digest, DateTimeOffset At) : DomainEvent;

/// <summary>A join token's secret changed. Only its SHA-256 is recorded: the log never holds a usable token.</summary>
public sealed record JoinTokenRotated(Nodes.NodeRole Role, string SecretHash, DateTimeOffset At) : DomainEvent;
