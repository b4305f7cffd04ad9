using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using EventSwarm.Application;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Node.Api;

/// <summary>
/// The swarm's spec as the Engine API carries it (moby api/types/swarm/swarm.go). Every member is nullable
/// because clients send null for "unset" (Go leaves such a field at its zero value, and so does the mapping here),
/// and durations are integer nanoseconds, kept exact.
/// </summary>
public sealed record SwarmSpecBody
{
    public string? Name { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public OrchestrationBody? Orchestration { get; init; }
    public RaftBody? Raft { get; init; }
    public DispatcherBody? Dispatcher { get; init; }
    public CaConfigBody? CAConfig { get; init; }
    public TaskDefaultsBody? TaskDefaults { get; init; }
    public EncryptionConfigBody? EncryptionConfig { get; init; }
}

public sealed record OrchestrationBody(long? TaskHistoryRetentionLimit);

public sealed record RaftBody(ulong? SnapshotInterval, ulong? KeepOldSnapshots, ulong? LogEntriesForSlowFollowers, int? ElectionTick, int? HeartbeatTick);

public sealed record DispatcherBody(long? HeartbeatPeriod);

public sealed record CaConfigBody
{
    public long? NodeCertExpiry { get; init; }
    public List<ExternalCaBody>? ExternalCAs { get; init; }
    public string? SigningCACert { get; init; }
    public string? SigningCAKey { get; init; }
    public ulong? ForceRotate { get; init; }
}

public sealed record ExternalCaBody(string? Protocol, string? URL, Dictionary<string, string>? Options, string? CACert);

public sealed record TaskDefaultsBody(DriverBody? LogDriver);

public sealed record DriverBody(string? Name, Dictionary<string, string>? Options);

public sealed record EncryptionConfigBody(bool? AutoLockManagers);

/// <summary>POST /swarm/init (moby types.InitRequest).</summary>
public sealed record SwarmInitBody
{
    public string? ListenAddr { get; init; }
    public string? AdvertiseAddr { get; init; }
    public string? DataPathAddr { get; init; }
    public uint? DataPathPort { get; init; }
    public bool? ForceNewCluster { get; init; }
    public SwarmSpecBody? Spec { get; init; }
    public bool? AutoLockManagers { get; init; }
    public string? Availability { get; init; }
    public List<string>? DefaultAddrPool { get; init; }
    public uint? SubnetSize { get; init; }
}

/// <summary>What GET /swarm and /info's Swarm.Cluster answer (moby types.ClusterInfo, plus JoinTokens for /swarm).</summary>
public sealed record ClusterInfoBody
{
    public required string ID { get; init; }
    public required VersionBody Version { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
    public required SwarmSpecBody Spec { get; init; }
    public required TlsInfoBody TLSInfo { get; init; }
    public bool RootRotationInProgress { get; init; }
    public List<string>? DefaultAddrPool { get; init; }
    public uint? SubnetSize { get; init; }
    public uint? DataPathPort { get; init; }
    public JoinTokensBody? JoinTokens { get; init; }
}

public sealed record VersionBody(ulong Index);

public sealed record TlsInfoBody(string? TrustRoot, byte[]? CertIssuerSubject, byte[]? CertIssuerPublicKey);

public sealed record JoinTokensBody(string Worker, string Manager);

public static class SwarmWire
{
    /// <summary>
    /// A spec as `swarm init` takes it: what the client set is laid over the defaults, and null or zero keeps the
    /// default (moby's MergeSwarmSpecToGRPC over swarmkit's default cluster spec).
    /// </summary>
    /// <param name="defaults">What an unset field takes: swarmkit's defaults unless the node records others (SwarmInit.Defaults).</param>
    public static SwarmSpec ForInit(SwarmSpecBody? body, bool autoLock, SwarmSpec? defaults = null)
    {
        var spec = Merge(body, defaults ?? SwarmSpec.Default);
        return autoLock ? spec with { AutoLockManagers = true } : spec;
    }

    /// <summary>
    /// A spec as `swarm update` takes it: the client sends the whole spec, and what it leaves null or zero is zero
    /// (moby merges the update over an empty spec, and swarmkit stores it as given). Only the name defaults.
    /// </summary>
    public static SwarmSpec ForUpdate(SwarmSpecBody? body) => Merge(body, Empty);

    private static readonly SwarmSpec Empty = new()
    {
        TaskHistoryRetentionLimit = 0,
        Raft = new RaftSettings(0, 0, 0, 0, 0),
        HeartbeatPeriod = 0,
        CaConfig = new CaSettings(0, [], 0),
    };

    private static SwarmSpec Merge(SwarmSpecBody? body, SwarmSpec onto)
    {
        if (body is null) return onto;
        if (!string.IsNullOrEmpty(body.CAConfig?.SigningCACert) || !string.IsNullOrEmpty(body.CAConfig?.SigningCAKey))
            throw new BadRequestException("CAConfig.SigningCACert/SigningCAKey: rotating the swarm's root CA to a given certificate is not supported");
        var raft = body.Raft;
        var ca = body.CAConfig;
        return onto with
        {
            Name = string.IsNullOrEmpty(body.Name) ? SwarmSpec.DefaultName : body.Name,
            Labels = body.Labels is { Count: > 0 } labels ? labels.ToImmutableDictionary() : onto.Labels,
            TaskHistoryRetentionLimit = body.Orchestration?.TaskHistoryRetentionLimit ?? onto.TaskHistoryRetentionLimit,
            Raft = new RaftSettings(
                NonZero(raft?.SnapshotInterval) ?? onto.Raft.SnapshotInterval,
                raft?.KeepOldSnapshots ?? onto.Raft.KeepOldSnapshots,
                NonZero(raft?.LogEntriesForSlowFollowers) ?? onto.Raft.LogEntriesForSlowFollowers,
                raft?.ElectionTick is { } election and not 0 ? election : onto.Raft.ElectionTick,
                raft?.HeartbeatTick is { } heartbeat and not 0 ? heartbeat : onto.Raft.HeartbeatTick),
            HeartbeatPeriod = body.Dispatcher?.HeartbeatPeriod is { } period and not 0 ? period : onto.HeartbeatPeriod,
            CaConfig = new CaSettings(
                ca?.NodeCertExpiry is { } expiry and not 0 ? expiry : onto.CaConfig.NodeCertExpiry,
                [.. onto.CaConfig.ExternalCas, .. (ca?.ExternalCAs ?? []).Select(e => new ExternalCa(
                    (e.Protocol ?? "").ToLowerInvariant(), e.URL ?? "", (e.Options ?? []).ToImmutableDictionary(), e.CACert ?? ""))],
                ca?.ForceRotate ?? 0),
            AutoLockManagers = body.EncryptionConfig?.AutoLockManagers ?? false,
        };
    }

    private static ulong? NonZero(ulong? value) => value is 0 ? null : value;

    /// <summary>The spec as Docker writes it: zero durations and counts left out where its Go types say omitempty.</summary>
    public static SwarmSpecBody ToWire(SwarmSpec spec) => new()
    {
        Name = spec.Name,
        Labels = new Dictionary<string, string>(spec.Labels),
        Orchestration = new OrchestrationBody(spec.TaskHistoryRetentionLimit),
        Raft = new RaftBody(NonZero(spec.Raft.SnapshotInterval), spec.Raft.KeepOldSnapshots, NonZero(spec.Raft.LogEntriesForSlowFollowers),
            spec.Raft.ElectionTick, spec.Raft.HeartbeatTick),
        Dispatcher = new DispatcherBody(spec.HeartbeatPeriod == 0 ? null : spec.HeartbeatPeriod),
        CAConfig = new CaConfigBody
        {
            NodeCertExpiry = spec.CaConfig.NodeCertExpiry == 0 ? null : spec.CaConfig.NodeCertExpiry,
            ExternalCAs = spec.CaConfig.ExternalCas.IsDefaultOrEmpty
                ? null
                : [.. spec.CaConfig.ExternalCas.Select(e => new ExternalCaBody(e.Protocol, e.Url, e.Options.Count == 0 ? null : new Dictionary<string, string>(e.Options), e.CaCert == "" ? null : e.CaCert))],
            ForceRotate = spec.CaConfig.ForceRotate == 0 ? null : spec.CaConfig.ForceRotate,
        },
        // Engine 20.10 neither records nor returns task defaults: it always answers an empty object.
        TaskDefaults = new TaskDefaultsBody(null),
        EncryptionConfig = new EncryptionConfigBody(spec.AutoLockManagers),
    };

    public static ClusterInfoBody ToWire(SwarmInfo swarm, JoinTokensBody? joinTokens = null) => new()
    {
        ID = swarm.ClusterId,
        Version = new VersionBody((ulong)swarm.Version),
        CreatedAt = swarm.CreatedAt.UtcDateTime,
        UpdatedAt = swarm.UpdatedAt.UtcDateTime,
        Spec = ToWire(swarm.Spec),
        TLSInfo = TlsInfo(swarm.CaCertificatePem),
        DefaultAddrPool = [.. swarm.AddressPool.Pools],
        SubnetSize = (uint)swarm.AddressPool.SubnetSize,
        DataPathPort = (uint)swarm.DataPathPort,
        JoinTokens = joinTokens,
    };

    /// <summary>The root CA as Swarm describes it: the PEM, and its subject and public key as DER (base64 in JSON).</summary>
    public static TlsInfoBody TlsInfo(string? caPem)
    {
        if (string.IsNullOrEmpty(caPem)) return new TlsInfoBody(null, null, null);
        using var ca = X509Certificate2.CreateFromPem(caPem);
        return new TlsInfoBody(caPem.EndsWith('\n') ? caPem : caPem + "\n", ca.SubjectName.RawData, ca.PublicKey.ExportSubjectPublicKeyInfo());
    }
}
