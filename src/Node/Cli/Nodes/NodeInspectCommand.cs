using System.CommandLine;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Nodes;

/// <summary><c>node inspect [--pretty] [-f FORMAT] self|NODE [NODE...]</c>.</summary>
public sealed class NodeInspectCommand : Verb
{
    private readonly Option<string> _format = Listing.InspectFormat();
    private readonly Option<bool> _pretty = Flags.Bool("--pretty", "Print the information in a human friendly format");

    public NodeInspectCommand() : base("inspect", "[OPTIONS] self|NODE [NODE...]", "Display detailed information on one or more nodes")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_format);
        Options.Add(_pretty);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var nodes = new List<NodeListResponse>();
        foreach (var id in Args(result)) nodes.Add(await context.Client.Swarm.InspectNodeAsync(id));
        if (result.Has(_pretty))
        {
            foreach (var node in nodes) context.Out.Write(Pretty(node));
            return 0;
        }
        Listing.WriteInspect(context.Out, result.Value(_format), nodes);
        return 0;
    }

    /// <summary>docker's node inspect --pretty layout (cli/command/node/formatter.go), the fields EventSwarm fills.</summary>
    public static string Pretty(NodeListResponse node)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"ID:\t\t\t{node.ID}\n");
        if (node.Spec?.Labels is { Count: > 0 } labels)
            text.Append("Labels:\n").Append(string.Concat(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $" - {l.Key}={l.Value}\n")));
        text.Append($"Hostname:\t\t{node.Description?.Hostname}\n");
        text.Append($"Joined at:\t\t{node.CreatedAt?.ToUniversalTime():yyyy-MM-dd HH:mm:ss.fffffff} +0000 utc\n");
        text.Append($"Status:\n State:\t\t\t{NodeText.Status(node)}\n Availability:\t\t{NodeText.Capitalize(node.Spec?.Availability)}\n Address:\t\t{node.Status?.Addr}\n");
        if (node.ManagerStatus is { } manager)
            text.Append($"Manager Status:\n Address:\t\t{manager.Addr}\n Raft Status:\t\t{NodeText.Capitalize(manager.Reachability)}\n Leader:\t\t{(manager.Leader == true ? "Yes" : "No")}\n");
        text.Append($"Platform:\n Operating System:\t{node.Description?.Platform?.OS}\n Architecture:\t\t{node.Description?.Platform?.Architecture}\n");
        text.Append($"Resources:\n CPUs:\t\t\t{(node.Description?.Resources?.NanoCPUs ?? 0) / 1_000_000_000}\n Memory:\t\t{Size(node.Description?.Resources?.MemoryBytes ?? 0)}\n");
        text.Append($"Engine Version:\t\t{node.Description?.Engine?.EngineVersion}\n");
        return text.ToString();
    }

    /// <summary>docker's units.BytesSize: binary units, up to four significant digits.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return $"{value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}{units[unit]}";
    }
}
