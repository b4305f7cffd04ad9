using System.CommandLine;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Networks;

public sealed class NetworkInspectCommand : Verb
{
    private readonly Option<string> _format = Listing.InspectFormat();

    public NetworkInspectCommand() : base("inspect", "[OPTIONS] NETWORK [NETWORK...]", "Display detailed information on one or more networks")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_format);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var networks = new List<NetworkResponse>();
        foreach (var name in Args(result)) networks.Add(await context.Client.Networks.InspectNetworkAsync(name));
        Listing.WriteInspect(context.Out, result.Value(_format), networks);
        return 0;
    }
}
