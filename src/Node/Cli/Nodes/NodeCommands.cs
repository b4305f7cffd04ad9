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
                // A node under the disk alarm still works (Ready) but refuses writes: say so where operators look.
                Capitalize(node.Status?.State) + (node.Status?.Message?.Contains("no space left on device", StringComparison.Ordinal) == true ? " (disk full)" : ""),
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

    public static async Task<int> UpdateAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("availability"), new("role"), new("label-add"), new("label-rm")]);
        if (args.Positionals.Count != 1) throw new UsageException("\"eventswarm node update\" requires exactly 1 argument: NODE");
        await ChangeAsync(client, args.Positionals[0], spec =>
        {
            if (args.Value("availability") is { } availability) spec.Availability = availability;
            if (args.Value("role") is { } role) spec.Role = role;
            var labels = new Dictionary<string, string>(spec.Labels ?? new Dictionary<string, string>());
            foreach (var pair in args.Values("label-add"))
            {
                var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, "");
                labels[key] = value;
            }
            foreach (var key in args.Values("label-rm"))
                if (!labels.Remove(key)) throw new UsageException($"key {key} doesn't exist in node's labels");
            spec.Labels = labels;
        });
        Console.WriteLine(args.Positionals[0]);
        return 0;
    }

    public static async Task<int> RemoveAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("force", 'f', false)]);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm node rm\" requires at least 1 argument: NODE [NODE...]");
        var failed = false;
        foreach (var node in args.Positionals)
        {
            try
            {
                await client.Swarm.RemoveNodeAsync(node, args.Has("force"));
                Console.WriteLine(node);
            }
            catch (DockerApiException e)
            {
                await Console.Error.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /// <summary>`node promote` / `node demote`: a role change through the same update.</summary>
    public static async Task<int> SetRoleAsync(IDockerClient client, IReadOnlyList<string> argv, string role)
    {
        var args = Args.Parse(argv, []);
        if (args.Positionals.Count == 0) throw new UsageException($"\"eventswarm node {(role == "manager" ? "promote" : "demote")}\" requires at least 1 argument: NODE [NODE...]");
        foreach (var node in args.Positionals)
        {
            await ChangeAsync(client, node, spec => spec.Role = role);
            Console.WriteLine(role == "manager" ? $"Node {node} promoted to a manager in the swarm." : $"Manager {node} demoted in the swarm.");
        }
        return 0;
    }

    private static async Task ChangeAsync(IDockerClient client, string node, Action<NodeUpdateParameters> change)
    {
        var current = await client.Swarm.InspectNodeAsync(node);
        var spec = current.Spec ?? new NodeUpdateParameters();
        change(spec);
        await client.Swarm.UpdateNodeAsync(current.ID, current.Version?.Index ?? 0, spec);
    }

    internal static string Capitalize(string? word) => string.IsNullOrEmpty(word) ? "" : char.ToUpperInvariant(word[0]) + word[1..];
}
