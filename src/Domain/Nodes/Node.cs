using System.Collections.Immutable;

namespace EventSwarm.Domain.Nodes;

public enum NodeRole { Worker, Manager }
public enum NodeAvailability { Active, Pause, Drain }
public enum NodeStatus { Unknown, Ready, Down, Disconnected }

/// <summary>A manager's two addresses: the API other nodes call (Swarm's 2377) and the Raft peer address.</summary>
public sealed record ManagerEndpoints(string Api, string Raft);

public sealed record NodeDescription(
    string Hostname,
    string EngineVersion,
    string Os,
    string Architecture,
    long NanoCpus,
    long MemoryBytes);

public sealed record Node(
    string Id,
    NodeRole Role,
    NodeAvailability Availability,
    NodeStatus Status,
    string StatusMessage,
    string Address,
    NodeDescription Description,
    ImmutableDictionary<string, string> Labels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    /// <summary>Where it serves other nodes and takes part in Raft when it is (or is promoted to) a manager.</summary>
    public ManagerEndpoints? Manager { get; init; }

    public bool CanTakeNewTasks => Status == NodeStatus.Ready && Availability == NodeAvailability.Active;

    /// <summary>Swarm's InvalidNode: tasks on such a node are replaced elsewhere.</summary>
    public bool IsInvalidForTasks => Status == NodeStatus.Down || Availability == NodeAvailability.Drain;
}
