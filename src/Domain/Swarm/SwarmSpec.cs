using System.Collections.Immutable;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Swarm;

/// <summary>
/// The swarm's own settings, shaped like Swarm's ClusterSpec. Defaults are swarmkit's (DefaultClusterSpec): what
/// `docker swarm init` with no flags records. Fields EventSwarm does not act on yet are kept all the same, so that
/// what a client wrote reads back unchanged.
/// </summary>
public sealed record SwarmSpec
{
    public const string DefaultName = "default";
    public const long NanosecondsPerSecond = 1_000_000_000;
    /// <summary>swarmkit's ca.MinNodeCertExpiration: certificates must live at least an hour.</summary>
    public const long MinNodeCertExpiry = 3600 * NanosecondsPerSecond;

    public static SwarmSpec Default { get; } = new();

    public string Name { get; init; } = DefaultName;
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Tasks kept per slot, the current one included; negative keeps them all (swarmkit's task reaper).</summary>
    public long TaskHistoryRetentionLimit { get; init; } = 5;

    public RaftSettings Raft { get; init; } = RaftSettings.Default;

    /// <summary>Dispatcher.HeartbeatPeriod, in nanoseconds as on the wire (Swarm's default 5 s).</summary>
    public long HeartbeatPeriod { get; init; } = 5 * NanosecondsPerSecond;

    public CaSettings CaConfig { get; init; } = CaSettings.Default;

    /// <summary>EncryptionConfig.AutoLockManagers: a restarted manager stays locked until `swarm unlock` (see SwarmInfo.SealedUnlockKey).</summary>
    public bool AutoLockManagers { get; init; }

    public bool Equals(SwarmSpec? other) =>
        other is not null && Name == other.Name && SpecEquality.Same(Labels, other.Labels) && TaskHistoryRetentionLimit == other.TaskHistoryRetentionLimit
        && Raft == other.Raft && HeartbeatPeriod == other.HeartbeatPeriod && CaConfig == other.CaConfig
        && AutoLockManagers == other.AutoLockManagers;

    public override int GetHashCode() =>
        HashCode.Combine(Name, SpecEquality.Hash(Labels), TaskHistoryRetentionLimit, Raft, HeartbeatPeriod, CaConfig, AutoLockManagers);
}

/// <summary>Swarm's Raft settings, in ticks as swarmkit counts them. Recorded; DotNext's Raft keeps its own timing.</summary>
public sealed record RaftSettings(ulong SnapshotInterval, ulong KeepOldSnapshots, ulong LogEntriesForSlowFollowers, int ElectionTick, int HeartbeatTick)
{
    public static RaftSettings Default { get; } = new(10000, 0, 500, 10, 1);
}

/// <summary>
/// Swarm's CAConfig as inspect shows it. The signing CA's certificate and key are never recorded: Swarm returns
/// neither, and the key is a secret the log must not hold.
/// </summary>
public sealed record CaSettings(long NodeCertExpiry, ImmutableArray<ExternalCa> ExternalCas, ulong ForceRotate)
{
    /// <summary>swarmkit's default certificate lifetime: 90 days.</summary>
    public static CaSettings Default { get; } = new(90L * 24 * 3600 * SwarmSpec.NanosecondsPerSecond, [], 0);

    public bool Equals(CaSettings? other) =>
        other is not null && NodeCertExpiry == other.NodeCertExpiry && SpecEquality.Same(ExternalCas, other.ExternalCas) && ForceRotate == other.ForceRotate;

    public override int GetHashCode() => HashCode.Combine(NodeCertExpiry, SpecEquality.Hash(ExternalCas), ForceRotate);
}

public sealed record ExternalCa(string Protocol, string Url, ImmutableDictionary<string, string> Options, string CaCert)
{
    public bool Equals(ExternalCa? other) =>
        other is not null && Protocol == other.Protocol && Url == other.Url && SpecEquality.Same(Options, other.Options) && CaCert == other.CaCert;

    public override int GetHashCode() => HashCode.Combine(Protocol, Url, SpecEquality.Hash(Options), CaCert);
}

/// <summary>
/// Where new networks take their subnets from: Swarm's DefaultAddrPool cut into /SubnetSize pieces, fixed at
/// `swarm init` (10.0.0.0/8 in /24s when not given). The ingress network takes the first piece.
/// </summary>
public sealed record AddressPool(ImmutableArray<string> Pools, int SubnetSize)
{
    public const int DefaultSubnetSize = 24;
    public static AddressPool Default { get; } = new(["10.0.0.0/8"], DefaultSubnetSize);

    /// <summary>
    /// Docker's checks (daemon/cluster validateDefaultAddrPool): a size of at most 29 (8 addresses), every pool a
    /// CIDR no smaller than the size. An empty list keeps the default pool; 0 keeps the default size.
    /// </summary>
    public static AddressPool? From(IReadOnlyList<string>? pools, int subnetSize, out string? error)
    {
        error = null;
        var size = subnetSize == 0 ? DefaultSubnetSize : subnetSize;
        if (size is < 0 or > 29)
        {
            error = $"subnet size is out of range: {subnetSize}";
            return null;
        }
        if (pools is null || pools.Count == 0) return Default with { SubnetSize = size };
        var parsed = new List<string>();
        foreach (var raw in pools)
        {
            var text = raw.Trim();
            if (!Networking.Ipv4Subnet.TryParse(text, out var pool, out var parseError))
            {
                error = Networking.Ipv4Subnet.IsCidrNotation(text)
                    ? $"invalid base pool {text}: {parseError}"
                    : $"invalid base pool {text}: invalid CIDR address: {text}";
                return null;
            }
            if (size < pool.PrefixLength)
            {
                error = $"invalid CIDR: \"{text}\". Subnet size is too small for pool: {size}";
                return null;
            }
            parsed.Add(pool.ToString());
        }
        return new AddressPool([.. parsed], size);
    }

    public bool Equals(AddressPool? other) => other is not null && SubnetSize == other.SubnetSize && SpecEquality.Same(Pools, other.Pools);

    public override int GetHashCode() => HashCode.Combine(SubnetSize, SpecEquality.Hash(Pools));
}
