using System.CommandLine;
using Docker.DotNet;

namespace EventSwarm.Node.Cli.Services;

public sealed class ServiceRmCommand : Verb
{
    public ServiceRmCommand() : base("rm", "SERVICE [SERVICE...]", "Remove one or more services", "remove") => (MinArgs, MaxArgs) = (1, null);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var failed = false;
        foreach (var name in Args(result))
        {
            try
            {
                await context.Client.Swarm.RemoveServiceAsync(name);
                context.Out.WriteLine(name);
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
