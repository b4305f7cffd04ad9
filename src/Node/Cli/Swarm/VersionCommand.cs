using System.CommandLine;

namespace EventSwarm.Node.Cli.Swarm;

public sealed class VersionCommand : Verb
{
    public VersionCommand() : base("version", "", "Show the client and server versions")
    {
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        context.Out.WriteLine($"Client: eventswarm {typeof(VersionCommand).Assembly.GetName().Version?.ToString(3)}");
        var server = await context.Client.System.GetVersionAsync();
        context.Out.WriteLine($"Server: {server.Version} (API {server.APIVersion})");
        return 0;
    }
}
