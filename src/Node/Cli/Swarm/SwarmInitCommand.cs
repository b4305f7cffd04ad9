using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

/// <summary>
/// <c>swarm init [--advertise-addr ADDR[:PORT]] [--listen-addr ADDR[:PORT]] [--data-path-addr ADDR] [--force-new-cluster] [--autolock]</c>:
/// as docker's, the node chooses what is not given (listen 0.0.0.0:2377, advertise its only address).
/// </summary>
public sealed class SwarmInitCommand : Verb
{
    private readonly Option<string> _advertiseAddr = Flags.String("--advertise-addr", "Advertised address (format: \"<ip|interface>[:port]\")");
    private readonly Option<string> _listenAddr = Flags.String("--listen-addr", "Listen address (format: \"<ip|interface>[:port]\") (default 0.0.0.0:2377)", "node-addr");
    private readonly Option<string> _dataPathAddr = Flags.String("--data-path-addr", "Address or interface to use for data path traffic (format: \"<ip|interface>\")");
    private readonly Option<bool> _forceNewCluster = Flags.Bool("--force-new-cluster", "Force create a new cluster from current state");
    private readonly Option<bool> _autolock = Flags.Bool("--autolock", "Enable manager autolocking (requiring an unlock key to start a stopped manager)");

    public SwarmInitCommand() : base("init", "[OPTIONS]", "Initialize a swarm")
    {
        Options.Add(_advertiseAddr);
        Options.Add(_autolock);
        Options.Add(_dataPathAddr);
        Options.Add(_forceNewCluster);
        Options.Add(_listenAddr);
    }

    public SwarmInitParameters Request(ParseResult result) => new()
    {
        AdvertiseAddr = result.Value(_advertiseAddr) ?? "",
        ListenAddr = result.Value(_listenAddr) ?? "0.0.0.0:2377",
        DataPathAddr = result.Value(_dataPathAddr) ?? "",
        ForceNewCluster = result.Has(_forceNewCluster),
        AutoLockManagers = result.Has(_autolock),
    };

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var client = context.Client;
        var request = Request(result);
        var nodeId = await client.Swarm.InitSwarmAsync(request);
        context.Out.WriteLine($"Swarm initialized: current node ({nodeId}) is now a manager.");
        var swarm = await client.Swarm.InspectSwarmAsync();
        if (!string.IsNullOrEmpty(swarm.JoinTokens?.Worker))
        {
            context.Out.WriteLine("\nTo add a worker to this swarm, run the following command:\n");
            context.Out.WriteLine($"    eventswarm swarm join --token {swarm.JoinTokens.Worker} {await SwarmJoinTokenCommand.ManagerAddressAsync(client)}\n");
            context.Out.WriteLine("To add a manager to this swarm, run 'eventswarm swarm join-token manager' and follow the instructions.");
        }
        if (request.AutoLockManagers)
        {
            context.Out.WriteLine();
            SwarmUnlockKeyCommand.PrintUnlockCommand(context.Out, (await client.Swarm.GetSwarmUnlockKeyAsync()).UnlockKey);
        }
        return 0;
    }
}
