using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Nodes;

public static class NodeCommands
{
    public static async Task<int> ListAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("quiet", 'q', false)]);
        var self = (await client.System.GetSystemInfoAsync()).Swarm?.NodeID;
        var nodes = (await client.Swarm.ListNodesAsync()).OrderBy(n => n.Description?.Hostname).ToList();
        if (args.Has("quiet"))
        {
            nodes.ForEach(n => Console.WriteLine(n.ID));
            return 0;
        }
        var table = new Table("ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION");
        foreach (var node in nodes)
            table.Add(
                node.ID + (node.ID == self ? " *" : ""),
                node.Description?.Hostname ?? "",
                Capitalize(node.Status?.State),
                Capitalize(node.Spec?.Availability),
                node.ManagerStatus is { } m ? m.Leader == true ? "Leader" : Capitalize(m.Reachability) : "",
                node.Description?.Engine?.EngineVersion ?? "");
        table.Print(Console.Out);
        return 0;
    }

    public static async Task<int> InspectAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, []);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm node inspect\" requires at least 1 argument.");
        var nodes = new List<NodeListResponse>();
        foreach (var id in args.Positionals) nodes.Add(await client.Swarm.InspectNodeAsync(id));
        CliApp.PrintJson(nodes);
        return 0;
    }

    internal static string Capitalize(string? word) => string.IsNullOrEmpty(word) ? "" : char.ToUpperInvariant(word[0]) + word[1..];
}
