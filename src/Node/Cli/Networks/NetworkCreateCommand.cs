using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Networks;

/// <summary><c>network create [-d overlay] [--subnet CIDR [--gateway IP]] [--attachable] [--ingress] [--label k=v] NETWORK</c>.</summary>
public sealed class NetworkCreateCommand : Verb
{
    private readonly Option<bool> _attachable = Flags.Bool("--attachable", "Enable manual container attachment");
    private readonly Option<string> _driver = Flags.String("--driver", "Driver to manage the Network (default \"overlay\")", shorthand: "-d");
    private readonly Option<string> _gateway = Flags.String("--gateway", "IPv4 or IPv6 Gateway for the master subnet", "strings");
    private readonly Option<bool> _ingress = Flags.Bool("--ingress", "Create swarm routing-mesh network");
    private readonly Option<string[]> _label = Flags.List("--label", "Set metadata on a network");
    private readonly Option<string> _subnet = Flags.String("--subnet", "Subnet in CIDR format that represents a network segment", "strings");

    public NetworkCreateCommand() : base("create", "[OPTIONS] NETWORK", "Create a network")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Options.Add(_attachable);
        Options.Add(_driver);
        Options.Add(_gateway);
        Options.Add(_ingress);
        Options.Add(_label);
        Options.Add(_subnet);
    }

    public NetworksCreateParameters Request(ParseResult result)
    {
        // docker's own check (consolidateIpam), before anything is sent.
        if (result.Value(_gateway) is not null && result.Value(_subnet) is null)
            throw new UsageException("every ip-range or gateway must have a corresponding subnet");
        return new NetworksCreateParameters
        {
            Name = Args(result)[0],
            Driver = result.Value(_driver) ?? "overlay",
            Attachable = result.Has(_attachable),
            Ingress = result.Has(_ingress),
            IPAM = result.Value(_subnet) is { } subnet
                ? new IPAM { Driver = "default", Config = [new IPAMConfig { Subnet = subnet, Gateway = result.Value(_gateway) ?? "" }] }
                : null,
            Labels = result.KeyValues(_label) ?? new Dictionary<string, string>(),
        };
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var created = await context.Client.Networks.CreateNetworkAsync(Request(result));
        context.Out.WriteLine(created.ID);
        return 0;
    }
}
