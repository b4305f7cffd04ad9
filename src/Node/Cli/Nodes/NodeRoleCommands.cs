using System.CommandLine;

namespace EventSwarm.Node.Cli.Nodes;

/// <summary><c>node promote</c> / <c>node demote</c>: a role change through the same update as <c>node update --role</c>.</summary>
public abstract class NodeRoleCommand(string name, string description, string role) : Verb(name, "NODE [NODE...]", description)
{
    public string Role { get; } = role;

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        foreach (var node in Args(result))
        {
            await NodeUpdateCommand.ChangeAsync(context.Client, node, spec => spec.Role = Role);
            context.Out.WriteLine(Role == "manager" ? $"Node {node} promoted to a manager in the swarm." : $"Manager {node} demoted in the swarm.");
        }
        return 0;
    }
}

public sealed class NodePromoteCommand : NodeRoleCommand
{
    public NodePromoteCommand() : base("promote", "Promote one or more nodes to manager in the swarm", "manager") => (MinArgs, MaxArgs) = (1, null);
}

public sealed class NodeDemoteCommand : NodeRoleCommand
{
    public NodeDemoteCommand() : base("demote", "Demote one or more nodes from manager in the swarm", "worker") => (MinArgs, MaxArgs) = (1, null);
}
