using EventSwarm.Domain.Nodes;

namespace EventSwarm.Application.Nodes;

/// <summary>This process's node: its ID, kept in the data directory across restarts, and how to describe its engine.</summary>
public sealed class LocalNode(string nodeId, Func<CancellationToken, Task<NodeDescription>> describe)
{
    public string NodeId { get; } = nodeId;

    public Task<NodeDescription> DescriptionAsync(CancellationToken ct) => describe(ct);
}
