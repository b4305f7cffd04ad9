using System.Collections.Immutable;

namespace EventSwarm.Domain.Nodes;

/// <summary>The facts about nodes, and how each changes the cluster's state.</summary>
public abstract record NodeEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, NodeEvent @event, long sequence) => @event switch
    {
        NodeJoined e => state with
        {
            Nodes = state.Nodes.SetItem(e.NodeId, new Node(e.NodeId, e.Role, NodeAvailability.Active, NodeStatus.Ready, "",
                e.Address, e.Description, ImmutableDictionary<string, string>.Empty, e.At, e.At, sequence)
            { Manager = e.Manager }),
        },
        NodeDescribed e => state.WithNode(e.NodeId, n => n with { Description = e.Description, UpdatedAt = e.At, Version = sequence }),
        NodeStatusChanged e => state.WithNode(e.NodeId, n => n with { Status = e.Status, StatusMessage = e.Message, UpdatedAt = e.At, Version = sequence }),
        NodeAvailabilityChanged e => state.WithNode(e.NodeId, n => n with { Availability = e.Availability, UpdatedAt = e.At, Version = sequence }),
        NodeLabelsChanged e => state.WithNode(e.NodeId, n => n with { Labels = e.Labels, UpdatedAt = e.At, Version = sequence }),
        NodeRemoved e => state with { Nodes = state.Nodes.Remove(e.NodeId) },
        NodeRoleChanged e => state.WithNode(e.NodeId, n => n with { Role = e.Role, UpdatedAt = e.At, Version = sequence }),
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <param name="Manager">Where the node serves other nodes and takes part in the Raft log as a manager; null when no other node can reach it.</param>
public sealed record NodeJoined(string NodeId, NodeRole Role, string Address, NodeDescription Description, DateTimeOffset At, ManagerEndpoints? Manager = null) : NodeEvent;

/// <summary>A node's agent (re)connected and told what its engine is now.</summary>
public sealed record NodeDescribed(string NodeId, NodeDescription Description, DateTimeOffset At) : NodeEvent;

public sealed record NodeStatusChanged(string NodeId, NodeStatus Status, string Message, DateTimeOffset At) : NodeEvent;

public sealed record NodeAvailabilityChanged(string NodeId, NodeAvailability Availability, DateTimeOffset At) : NodeEvent;

public sealed record NodeLabelsChanged(string NodeId, ImmutableDictionary<string, string> Labels, DateTimeOffset At) : NodeEvent;

public sealed record NodeRoleChanged(string NodeId, NodeRole Role, DateTimeOffset At) : NodeEvent;

public sealed record NodeRemoved(string NodeId, DateTimeOffset At) : NodeEvent;
