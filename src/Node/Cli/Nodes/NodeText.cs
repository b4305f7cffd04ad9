using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Nodes;

/// <summary>How docker words a node's state in its tables and its --pretty inspect.</summary>
public static class NodeText
{
    public static string Capitalize(string? word) => string.IsNullOrEmpty(word) ? "" : char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>A node under the disk alarm still works (Ready) but refuses writes: say so where operators look.</summary>
    public static string Status(NodeListResponse node) =>
        Capitalize(node.Status?.State) + (node.Status?.Message?.Contains("no space left on device", StringComparison.Ordinal) == true ? " (disk full)" : "");

    public static string ManagerStatus(NodeListResponse node) =>
        node.ManagerStatus is { } m ? m.Leader == true ? "Leader" : Capitalize(m.Reachability) : "";
}
