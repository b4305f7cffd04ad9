using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

public static class SwarmCommands
{
    public static async Task<int> InitAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("advertise-addr"), new("listen-addr")]);
        var advertise = args.Value("advertise-addr") ?? "127.0.0.1";
        var nodeId = await client.Swarm.InitSwarmAsync(new SwarmInitParameters
        {
            AdvertiseAddr = advertise,
            ListenAddr = args.Value("listen-addr") ?? "0.0.0.0:2377",
        });
        Console.WriteLine($"Swarm initialized: current node ({nodeId}) is now a manager.");
        var swarm = await client.Swarm.InspectSwarmAsync();
        if (!string.IsNullOrEmpty(swarm.JoinTokens?.Worker))
        {
            Console.WriteLine("\nTo add a worker to this swarm, run the following command:\n");
            Console.WriteLine($"    eventswarm swarm join --token {swarm.JoinTokens.Worker} {advertise.Split(':')[0]}:2377\n");
            Console.WriteLine("To add a manager to this swarm, run 'eventswarm swarm join-token manager' and follow the instructions.");
        }
        return 0;
    }

    public static async Task<int> VersionAsync(IDockerClient client)
    {
        Console.WriteLine($"Client: eventswarm {typeof(SwarmCommands).Assembly.GetName().Version?.ToString(3)}");
        var server = await client.System.GetVersionAsync();
        Console.WriteLine($"Server: {server.Version} (API {server.APIVersion})");
        return 0;
    }
}
