using EventSwarm.Domain.Nodes;

namespace EventSwarm.Domain.Swarm;

public sealed record InitSwarm(string ClusterId, string NodeId, string AdvertiseAddress, NodeDescription Description, DateTimeOffset At, ClusterCredentials? Credentials = null);

/// <summary>The public half of what `swarm init` creates: the CA certificate and the hashes of the two join secrets.</summary>
public sealed record ClusterCredentials(string CaCertificatePem, string CaDigest, string WorkerSecretHash, string ManagerSecretHash);

public sealed record RotateJoinToken(NodeRole Role, string SecretHash, DateTimeOffset At);

/// <summary>An agent on a node of the swarm came up and told what its engine is.</summary>
public sealed record RegisterNode(string NodeId, NodeRole Role, string Address, NodeDescription Description, DateTimeOffset At);

public static class SwarmDecider
{
    public const string NotInSwarm = "This node is not a swarm manager. Use \"eventswarm swarm init\" or \"eventswarm swarm join\" to connect this node to swarm and try again.";

    public static Decision Decide(InitSwarm command, ClusterState state) =>
        state.Swarm is not null
            ? Decision.Conflict("This node is already part of a swarm. Use \"eventswarm swarm leave\" to leave this swarm and join another one.")
            : new Decision([
                new SwarmInitialized(command.ClusterId, command.NodeId, command.AdvertiseAddress, command.At),
                new NodeJoined(command.NodeId, NodeRole.Manager, command.AdvertiseAddress, command.Description, command.At),
                .. command.Credentials is { } c
                    ? new DomainEvent[]
                    {
                        new ClusterCaIssued(c.CaCertificatePem, c.CaDigest, command.At),
                        new JoinTokenRotated(NodeRole.Worker, c.WorkerSecretHash, command.At),
                        new JoinTokenRotated(NodeRole.Manager, c.ManagerSecretHash, command.At),
                    }
                    : [],
            ]);

    public static Decision Decide(RotateJoinToken command, ClusterState state) =>
        state.Swarm is null
            ? Decision.Fail(ErrorKind.Unavailable, NotInSwarm)
            : Decision.Of(new JoinTokenRotated(command.Role, command.SecretHash, command.At));

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
