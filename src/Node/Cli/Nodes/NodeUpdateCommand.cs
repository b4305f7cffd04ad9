using System.CommandLine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Nodes;

/// <summary><c>node update [--availability A] [--role R] [--label-add k=v] [--label-rm k] NODE</c>.</summary>
public sealed class NodeUpdateCommand : Verb
{
    private readonly Option<string> _availability = Flags.String("--availability", "Availability of the node (\"active\", \"pause\", \"drain\")");
    private readonly Option<string[]> _labelAdd = Flags.List("--label-add", "Add or update a node label (\"key=value\")");
    private readonly Option<string[]> _labelRm = Flags.List("--label-rm", "Remove a node label if exists");
    private readonly Option<string> _role = Flags.String("--role", "Role of the node (\"worker\", \"manager\")");

    public NodeUpdateCommand() : base("update", "[OPTIONS] NODE", "Update a node")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Options.Add(_availability);
        Options.Add(_labelAdd);
        Options.Add(_labelRm);
        Options.Add(_role);
    }

    /// <summary>The flags applied to the node's current spec: what is sent back with the node's version.</summary>
    public void Apply(ParseResult result, NodeUpdateParameters spec)
    {
        if (result.Value(_availability) is { } availability) spec.Availability = availability;
        if (result.Value(_role) is { } role) spec.Role = role;
        var labels = new Dictionary<string, string>(spec.Labels ?? new Dictionary<string, string>());
        foreach (var pair in result.Values(_labelAdd))
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, "");
            labels[key] = value;
        }
        foreach (var key in result.Values(_labelRm))
            if (!labels.Remove(key)) throw new UsageException($"key {key} doesn't exist in node's labels");
        spec.Labels = labels;
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var node = Args(result)[0];
        await ChangeAsync(context.Client, node, spec => Apply(result, spec));
        context.Out.WriteLine(node);
        return 0;
    }

    internal static async Task ChangeAsync(IDockerClient client, string node, Action<NodeUpdateParameters> change)
    {
        var current = await client.Swarm.InspectNodeAsync(node);
        var spec = current.Spec ?? new NodeUpdateParameters();
        change(spec);
        await client.Swarm.UpdateNodeAsync(current.ID, current.Version?.Index ?? 0, spec);
    }
}
