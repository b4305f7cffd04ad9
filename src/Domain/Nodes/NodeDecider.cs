using System.Collections.Immutable;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Nodes;

/// <summary>`node update`: the node's spec as the client wants it, with the version it read (optimistic concurrency).</summary>
public sealed record UpdateNode(string Node, long Version, NodeRole Role, NodeAvailability Availability, ImmutableDictionary<string, string> Labels, DateTimeOffset At);

public static class NodeDecider
{
    /// <summary>Records each change as its own event, so the audit trail says "drained n4", not "node spec replaced".</summary>
    public static Decision Decide(UpdateNode command, ClusterState state)
    {
        var found = state.LookupNode(command.Node);
        if (found.Match is not { } node) return Decision.Refused(found.Refusal("node", command.Node)!);
        if (command.Version != node.Version)
            return Decision.Internal($"update out of sequence: node {node.Description.Hostname} is at version {node.Version}, the update was for version {command.Version}");
        if (node.Role == NodeRole.Manager && command.Role == NodeRole.Worker
            && state.Nodes.Values.Count(n => n.Role == NodeRole.Manager) == 1)
            return Decision.Invalid($"attempting to demote the last manager of the swarm ({node.Description.Hostname})");

        if (node.Role == NodeRole.Worker && command.Role == NodeRole.Manager && node.Manager is null)
            return Decision.Invalid($"{node.Description.Hostname} cannot be promoted: other managers could not reach it (its agent was started without --listen-addr)");

        var events = new List<DomainEvent>();
        if (command.Availability != node.Availability) events.Add(new NodeAvailabilityChanged(node.Id, command.Availability, command.At));
        if (!SpecEquality.Same(command.Labels, node.Labels)) events.Add(new NodeLabelsChanged(node.Id, command.Labels, command.At));
        if (command.Role != node.Role) events.Add(new NodeRoleChanged(node.Id, command.Role, command.At));
        return new Decision(events);
    }
}

public sealed record RemoveNode(string Node, bool Force, DateTimeOffset At);

public static class NodeRemoval
{
    /// <summary>Swarm's rules and wording (with the node's ID, as swarmkit names it): a manager must be demoted first; a node that is up needs --force.</summary>
    public static Decision Decide(RemoveNode command, ClusterState state)
    {
        var found = state.LookupNode(command.Node);
        if (found.Match is not { } node) return Decision.Refused(found.Refusal("node", command.Node)!);
        if (node.Role == NodeRole.Manager)
            return Decision.Invalid($"node {node.Id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal");
        if (node.Status != NodeStatus.Down && !command.Force)
            return Decision.Invalid($"node {node.Id} is not down and can't be removed (use --force to remove it anyway)");
        return Decision.Of(new NodeRemoved(node.Id, command.At));
    }
}
