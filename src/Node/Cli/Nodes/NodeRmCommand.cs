using System.CommandLine;
using Docker.DotNet;

namespace EventSwarm.Node.Cli.Nodes;

public sealed class NodeRmCommand : Verb
{
    private readonly Option<bool> _force = Flags.Bool("--force", "Force remove a node from the swarm", "-f");

    public NodeRmCommand() : base("rm", "[OPTIONS] NODE [NODE...]", "Remove one or more nodes from the swarm", "remove")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_force);
    }

    public bool Force(ParseResult result) => result.Has(_force);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var failed = false;
        foreach (var node in Args(result))
        {
            try
            {
                await context.Client.Swarm.RemoveNodeAsync(node, Force(result));
                context.Out.WriteLine(node);
            }
            catch (DockerApiException e)
            {
                await context.Err.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
