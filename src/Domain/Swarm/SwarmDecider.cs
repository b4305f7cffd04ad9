using EventSwarm.Domain.Nodes;

namespace EventSwarm.Domain.Swarm;

public sealed record InitSwarm(string ClusterId, string NodeId, string AdvertiseAddress, NodeDescription Description, DateTimeOffset At, ClusterCredentials? Credentials = null, ManagerEndpoints? Manager = null, string? IngressNetworkId = null)
{
    /// <summary>The spec asked for, already merged onto the defaults (SwarmSpec.Default when none was given).</summary>
    public SwarmSpec Spec { get; init; } = SwarmSpec.Default;
    /// <summary>DefaultAddrPool as given: empty keeps 10.0.0.0/8.</summary>
    public IReadOnlyList<string> DefaultAddrPool { get; init; } = [];
    /// <summary>0 keeps /24.</summary>
    public int SubnetSize { get; init; }
    /// <summary>0 keeps 4789.</summary>
    public int DataPathPort { get; init; }
    /// <summary>A new unlock key sealed under the data key, used when the spec asks for autolock.</summary>
    public string? SealedUnlockKey { get; init; }
}

/// <summary>`swarm update`: the whole spec as the client sent it, at the version it read, and join tokens to rotate (hashes of the new secrets).</summary>
public sealed record UpdateSwarm(long Version, SwarmSpec Spec, DateTimeOffset At, string? WorkerSecretHash = null, string? ManagerSecretHash = null)
{
    /// <summary>
    /// A fresh unlock key sealed under the data key, offered with every update whose spec asks for autolock; the
    /// decision takes it only when autolock is being turned on or the key rotated.
    /// </summary>
    public string? SealedUnlockKey { get; init; }

    /// <summary>rotateManagerUnlockKey=true (`swarm unlock-key --rotate`).</summary>
    public bool RotateUnlockKey { get; init; }
}

/// <summary>The public half of what `swarm init` creates: the CA certificate and the hashes of the two join secrets.</summary>
public sealed record ClusterCredentials(string CaCertificatePem, string CaDigest, string WorkerSecretHash, string ManagerSecretHash);

public sealed record ForceNewCluster(string NodeId, DateTimeOffset At);

/// <summary>An agent on a node of the swarm came up and told what its engine is.</summary>
public sealed record RegisterNode(string NodeId, NodeRole Role, string Address, NodeDescription Description, DateTimeOffset At);

public static class SwarmDecider
{
    public const string NotInSwarm = "This node is not a swarm manager. Use \"eventswarm swarm init\" or \"eventswarm swarm join\" to connect this node to swarm and try again.";

    public static Decision Decide(InitSwarm command, ClusterState state)
    {
        if (state.Swarm is not null)
            return Decision.Fail(ErrorKind.Unavailable, "This node is already part of a swarm. Use \"eventswarm swarm leave\" to leave this swarm and join another one.");
        if (Check(command.Spec) is { } invalid) return Decision.Invalid(invalid);
        // The engine answers a bad address pool or data path port unclassified (500), as it does here.
        if (AddressPool.From(command.DefaultAddrPool, command.SubnetSize, out var poolError) is not { } pool) return Decision.Internal(poolError!);
        // Docker's range for the VXLAN port (RFC 6335's registered ports); 0 is the default.
        if (command.DataPathPort != 0 && command.DataPathPort is < 1024 or > 49151)
            return Decision.Internal($"Datapath port number is not in valid range (1024-49151) : {command.DataPathPort}");
        if (command.Spec.AutoLockManagers && command.SealedUnlockKey is null) return Decision.Internal(NoUnlockKey);
        return new Decision([
                new SwarmInitialized(command.ClusterId, command.NodeId, command.AdvertiseAddress, command.At)
                {
                    Spec = command.Spec,
                    AddressPool = pool,
                    DataPathPort = command.DataPathPort == 0 ? SwarmInfo.DefaultDataPathPort : command.DataPathPort,
                },
                new NodeJoined(command.NodeId, NodeRole.Manager, command.AdvertiseAddress, command.Description, command.At, command.Manager),
                .. command.Credentials is { } c
                    ? new DomainEvent[]
                    {
                        new ClusterCaIssued(c.CaCertificatePem, c.CaDigest, command.At),
                        new JoinTokenRotated(NodeRole.Worker, c.WorkerSecretHash, command.At),
                        new JoinTokenRotated(NodeRole.Manager, c.ManagerSecretHash, command.At),
                    }
                    : [],
                .. command.IngressNetworkId is { } ingress ? new DomainEvent[] { Networking.NetworkDecider.Ingress(ingress, command.At, pool) } : [],
                .. command.Spec.AutoLockManagers ? new DomainEvent[] { new ManagerUnlockKeyRotated(command.SealedUnlockKey!, command.At) } : [],
            ]);
    }

    private const string NoUnlockKey = "autolock needs a new unlock key, and none was made for this request";

    /// <summary>
    /// swarmkit's controlapi UpdateCluster: autolock turned on (or already on and asked to rotate) takes a new key,
    /// turned off drops it; a rotation asked while autolock is off has nothing to rotate (the docker CLI refuses it
    /// before asking: "cannot rotate because autolock is not turned on").
    /// </summary>
    private static IEnumerable<DomainEvent> UnlockKeyChanges(SwarmInfo swarm, UpdateSwarm command) =>
        command.Spec.AutoLockManagers
            ? swarm.SealedUnlockKey is null || command.RotateUnlockKey ? [new ManagerUnlockKeyRotated(command.SealedUnlockKey!, command.At)] : []
            : swarm.SealedUnlockKey is not null ? [new ManagerUnlockKeyCleared(command.At)] : [];

    /// <summary>
    /// Swarm replaces the whole spec and always moves the version, even when nothing changed; join tokens rotate
    /// in the same step, so a client's read-modify-write is one atomic change.
    /// </summary>
    public static Decision Decide(UpdateSwarm command, ClusterState state)
    {
        if (state.Swarm is not { } swarm) return Decision.Fail(ErrorKind.Unavailable, NotInSwarm);
        if (command.Version != swarm.Version)
            return Decision.Internal($"update out of sequence: the swarm is at version {swarm.Version}, the update was for version {command.Version}");
        if (Check(command.Spec) is { } invalid) return Decision.Invalid(invalid);
        if (command.Spec.AutoLockManagers && (swarm.SealedUnlockKey is null || command.RotateUnlockKey) && command.SealedUnlockKey is null)
            return Decision.Internal(NoUnlockKey);
        return new Decision([
            new SwarmSpecUpdated(command.Spec, command.At),
            .. UnlockKeyChanges(swarm, command),
            .. command.WorkerSecretHash is { } worker ? new DomainEvent[] { new JoinTokenRotated(NodeRole.Worker, worker, command.At) } : [],
            .. command.ManagerSecretHash is { } manager ? new DomainEvent[] { new JoinTokenRotated(NodeRole.Manager, manager, command.At) } : [],
        ]);
    }

    /// <summary>The checks Docker and swarmkit make of a swarm spec (daemon/cluster, controlapi validateClusterSpec), in their words.</summary>
    public static string? Check(SwarmSpec spec)
    {
        if (spec.Name != SwarmSpec.DefaultName) return "invalid Name (only \"default\" is supported)";
        if (spec.CaConfig.NodeCertExpiry != 0 && spec.CaConfig.NodeCertExpiry < SwarmSpec.MinNodeCertExpiry) return "minimum certificate expiry time is: 1h0m0s";
        if (spec.HeartbeatPeriod < 0) return "heartbeat time period cannot be a negative duration";
        if (spec.CaConfig.ExternalCas.FirstOrDefault(ca => !string.Equals(ca.Protocol, "cfssl", StringComparison.OrdinalIgnoreCase)) is { } external)
            return $"invalid protocol: \"{external.Protocol}\"";
        return null;
    }

    public static Decision Decide(ForceNewCluster command, ClusterState state) =>
        state.Swarm is null ? Decision.Fail(ErrorKind.Unavailable, NotInSwarm)
        : !state.Nodes.TryGetValue(command.NodeId, out var self) || self.Role != NodeRole.Manager
            ? Decision.Fail(ErrorKind.Unavailable, "This node is not a swarm manager: only a manager can force a new cluster.")
            : Decision.Of(new ClusterForcedNew(command.NodeId,
                state.Nodes.Values.Where(n => n.Role == NodeRole.Manager && n.Id != command.NodeId).Select(n => n.Id).Order(StringComparer.Ordinal).ToList(),
                command.At));

    /// <summary>Records only what changed, so an agent restart with nothing new appends nothing.</summary>
    public static Decision Decide(RegisterNode command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, NotInSwarm);
        if (!state.Nodes.TryGetValue(command.NodeId, out var node))
            return Decision.Of(new NodeJoined(command.NodeId, command.Role, command.Address, command.Description, command.At));

        var events = new List<DomainEvent>();
        if (node.Description != command.Description) events.Add(new NodeDescribed(command.NodeId, command.Description, command.At));
        if (node.Status != NodeStatus.Ready) events.Add(new NodeStatusChanged(command.NodeId, NodeStatus.Ready, "", command.At));
        return new Decision(events);
    }
}

/// <summary>A node asks to join with a token; the manager has already parsed it and will sign its certificate.</summary>
public sealed record JoinSwarm(string NodeId, string Token, NodeRole RequestedRole, string Address, NodeDescription Description, DateTimeOffset At, ManagerEndpoints? Manager = null);

public static class JoinDecider
{
    public const string ManagerNeedsListenAddress = "this node cannot join as a manager: other managers could not reach it; start its agent with --listen-addr IP:PORT";

    /// <summary>
    /// Swarm's checks, in its order: the token's shape, the cluster it was made for (CA digest), then the secret,
    /// which also says the role it admits. A rotated-out secret matches neither hash and is refused like a wrong one.
    /// </summary>
    public static Decision Decide(JoinSwarm command, ClusterState state)
    {
        if (state.Swarm is not { } swarm) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        if (!JoinToken.TryParse(command.Token, out var token, out var error)) return Decision.Invalid(error);
        if (token!.CaDigest != swarm.CaDigest)
            return Decision.Invalid("invalid join token: it was made for another swarm (the CA digest does not match this swarm's root CA)");
        var hash = JoinToken.HashOf(token.Secret);
        NodeRole? admits = hash == swarm.ManagerSecretHash ? NodeRole.Manager : hash == swarm.WorkerSecretHash ? NodeRole.Worker : null;
        if (admits is null)
            return Decision.Invalid("invalid join token: the secret is wrong or has been rotated; ask a manager for `swarm join-token`");
        if (command.RequestedRole == NodeRole.Manager && admits == NodeRole.Worker)
            return Decision.Invalid("a worker join token cannot be used to join as a manager");
        if (admits == NodeRole.Manager && command.Manager is null)
            return Decision.Invalid(ManagerNeedsListenAddress);
        if (state.Nodes.ContainsKey(command.NodeId))
            return Decision.Conflict($"node {command.NodeId} is already part of this swarm");
        // A worker's endpoints are kept too: they are where it would serve if it were promoted.
        return Decision.Of(new NodeJoined(command.NodeId, admits.Value, command.Address, command.Description, command.At, command.Manager));
    }
}
