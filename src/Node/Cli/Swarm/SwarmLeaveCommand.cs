using System.CommandLine;

namespace EventSwarm.Node.Cli.Swarm;

public sealed class SwarmLeaveCommand : Verb
{
    private readonly Option<bool> _force = Flags.Bool("--force", "Force this node to leave the swarm, ignoring warnings", "-f");

    public SwarmLeaveCommand() : base("leave", "[OPTIONS]", "Leave the swarm") => Options.Add(_force);

    public bool Force(ParseResult result) => result.Has(_force);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        await context.Client.Swarm.LeaveSwarmAsync(new Docker.DotNet.Models.SwarmLeaveParameters { Force = Force(result) });
        context.Out.WriteLine("Node left the swarm.");
        return 0;
    }
}
