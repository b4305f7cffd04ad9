namespace EventSwarm.Domain.Swarm;

public sealed record SwarmInitialized(string ClusterId, string NodeId, string AdvertiseAddress, DateTimeOffset At) : DomainEvent;

public sealed record SwarmInfo(string ClusterId, string AdvertiseAddress, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public string? CaCertificatePem { get; init; }
    public string? CaDigest { get; init; }
    public string? WorkerSecretHash { get; init; }
    public string? ManagerSecretHash { get; init; }
}

/// <summary>The cluster's root CA, public part only: joiners check it against the digest in their token.</summary>
public sealed record ClusterCaIssued(string CertificatePem, string Digest, DateTimeOffset At) : DomainEvent;

/// <summary>A join token's secret changed. Only its SHA-256 is recorded: the log never holds a usable token.</summary>
public sealed record JoinTokenRotated(Nodes.NodeRole Role, string SecretHash, DateTimeOffset At) : DomainEvent;
