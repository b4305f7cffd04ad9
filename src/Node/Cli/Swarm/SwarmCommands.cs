using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

public static class SwarmCommands
{
    /// <summary>
    /// `swarm init [--advertise-addr ADDR[:PORT]] [--listen-addr ADDR[:PORT]] [--data-path-addr ADDR] [--force-new-cluster]`:
    /// as docker's, the node chooses what is not given (listen 0.0.0.0:2377, advertise its only address).
    /// </summary>
    public static async Task<int> InitAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("advertise-addr"), new("listen-addr"), new("data-path-addr"), new("force-new-cluster", null, false)]);
        var nodeId = await client.Swarm.InitSwarmAsync(new SwarmInitParameters
        {
            AdvertiseAddr = args.Value("advertise-addr") ?? "",
            ListenAddr = args.Value("listen-addr") ?? "0.0.0.0:2377",
            DataPathAddr = args.Value("data-path-addr") ?? "",
            ForceNewCluster = args.Has("force-new-cluster"),
        });
        Console.WriteLine($"Swarm initialized: current node ({nodeId}) is now a manager.");
        var swarm = await client.Swarm.InspectSwarmAsync();
        if (!string.IsNullOrEmpty(swarm.JoinTokens?.Worker))
        {
            Console.WriteLine("\nTo add a worker to this swarm, run the following command:\n");
            Console.WriteLine($"    eventswarm swarm join --token {swarm.JoinTokens.Worker} {await ManagerAddressAsync(client)}\n");
            Console.WriteLine("To add a manager to this swarm, run 'eventswarm swarm join-token manager' and follow the instructions.");
        }
        return 0;
    }

    /// <summary>`swarm join --token TOKEN [--advertise-addr ADDR[:PORT]] [--listen-addr ADDR[:PORT]] [--data-path-addr ADDR] HOST:PORT`.</summary>
    public static async Task<int> JoinAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("token"), new("advertise-addr"), new("listen-addr"), new("data-path-addr")]);
        if (args.Positionals is not [var manager]) throw new UsageException("\"eventswarm swarm join\" requires exactly 1 argument: HOST:PORT");
        var token = args.Value("token") ?? throw new UsageException("--token is required");
        await client.Swarm.JoinSwarmAsync(new SwarmJoinParameters
        {
            RemoteAddrs = [manager],
            JoinToken = token,
            AdvertiseAddr = args.Value("advertise-addr") ?? "",
            ListenAddr = args.Value("listen-addr") ?? "0.0.0.0:2377",
            DataPathAddr = args.Value("data-path-addr") ?? "",
        });
        // docker's wording: the role is the one the token admitted, read back from the node.
        var info = await client.System.GetSystemInfoAsync();
        Console.WriteLine($"This node joined a swarm as a {(info.Swarm?.ControlAvailable == true ? "manager" : "worker")}.");
        return 0;
    }

    /// <summary>Where others join this manager: its advertised address, as docker prints it (from /info's RemoteManagers).</summary>
    private static async Task<string> ManagerAddressAsync(IDockerClient client)
    {
        var swarm = (await client.System.GetSystemInfoAsync()).Swarm;
        return swarm?.RemoteManagers?.FirstOrDefault(m => m.NodeID == swarm.NodeID)?.Addr ?? $"{swarm?.NodeAddr}:2377";
    }

    public static async Task<int> LeaveAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("force", 'f', false)]);
        await client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = args.Has("force") });
        Console.WriteLine("Node left the swarm.");
        return 0;
    }

    public static async Task<int> JoinTokenAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("quiet", 'q', false), new("rotate", null, false)]);
        if (args.Positionals is not [var role] || role is not ("worker" or "manager"))
            throw new UsageException("\"eventswarm swarm join-token\" requires exactly 1 argument: worker or manager");
        var swarm = await client.Swarm.InspectSwarmAsync();
        if (args.Has("rotate"))
        {
            await client.Swarm.UpdateSwarmAsync(new SwarmUpdateParameters
            {
                Spec = swarm.Spec,
                Version = (long)(swarm.Version?.Index ?? 0),
                RotateWorkerToken = role == "worker",
                RotateManagerToken = role == "manager",
            });
            swarm = await client.Swarm.InspectSwarmAsync();
            if (!args.Has("quiet")) Console.WriteLine($"Successfully rotated {role} join token.\n");
        }
        var token = role == "worker" ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager;
        if (string.IsNullOrEmpty(token)) throw new UsageException($"this manager does not hold the {role} join token");
        if (args.Has("quiet"))
        {
            Console.WriteLine(token);
            return 0;
        }
        Console.WriteLine($"To add a {role} to this swarm, run the following command:\n\n    eventswarm swarm join --token {token} {await ManagerAddressAsync(client)}\n");
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
