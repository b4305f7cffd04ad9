using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

/// <summary><c>swarm join --token TOKEN [--advertise-addr ADDR[:PORT]] [--listen-addr ADDR[:PORT]] [--data-path-addr ADDR] HOST:PORT</c>.</summary>
public sealed class SwarmJoinCommand : Verb
{
    private readonly Option<string> _token = Flags.String("--token", "Token for entry into the swarm");
    private readonly Option<string> _advertiseAddr = Flags.String("--advertise-addr", "Advertised address (format: \"<ip|interface>[:port]\")");
    private readonly Option<string> _listenAddr = Flags.String("--listen-addr", "Listen address (format: \"<ip|interface>[:port]\") (default 0.0.0.0:2377)", "node-addr");
    private readonly Option<string> _dataPathAddr = Flags.String("--data-path-addr", "Address or interface to use for data path traffic (format: \"<ip|interface>\")");

    public SwarmJoinCommand() : base("join", "[OPTIONS] HOST:PORT", "Join a swarm as a node and/or manager")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Options.Add(_advertiseAddr);
        Options.Add(_dataPathAddr);
        Options.Add(_listenAddr);
        Options.Add(_token);
    }

    public SwarmJoinParameters Request(ParseResult result) => new()
    {
        RemoteAddrs = [Args(result)[0]],
        JoinToken = result.Value(_token) ?? throw new UsageException("--token is required"),
        AdvertiseAddr = result.Value(_advertiseAddr) ?? "",
        ListenAddr = result.Value(_listenAddr) ?? "0.0.0.0:2377",
        DataPathAddr = result.Value(_dataPathAddr) ?? "",
    };

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        await context.Client.Swarm.JoinSwarmAsync(Request(result));
        // docker's wording: the role is the one the token admitted, read back from the node.
        var info = await context.Client.System.GetSystemInfoAsync();
        context.Out.WriteLine($"This node joined a swarm as a {(info.Swarm?.ControlAvailable == true ? "manager" : "worker")}.");
        return 0;
    }
}
