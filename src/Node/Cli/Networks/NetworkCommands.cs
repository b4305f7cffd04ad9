using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Networks;

/// <summary>docker's `network` verbs, for the swarm's overlay networks.</summary>
public static class NetworkCommands
{
    private static readonly Flag[] CreateFlags =
    [
        new("driver", 'd'), new("subnet"), new("gateway"), new("attachable", null, false), new("ingress", null, false), new("label"),
    ];

    public static async Task<int> CreateAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, CreateFlags);
        if (args.Positionals.Count != 1) throw new UsageException("\"eventswarm network create\" requires exactly 1 argument: NETWORK");
        if (args.Value("gateway") is not null && args.Value("subnet") is null)
            throw new UsageException("every ip-range or gateway must have a corresponding subnet");
        var created = await client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = args.Positionals[0],
            Driver = args.Value("driver") ?? "overlay",
            Attachable = args.Has("attachable"),
            Ingress = args.Has("ingress"),
            IPAM = args.Value("subnet") is { } subnet
                ? new IPAM { Driver = "default", Config = [new IPAMConfig { Subnet = subnet, Gateway = args.Value("gateway") ?? "" }] }
                : null,
            Labels = args.Values("label").Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
        });
        Console.WriteLine(created.ID);
        return 0;
    }

    public static async Task<int> ListAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("quiet", 'q', false), new("no-trunc", null, false), new("filter", 'f')]);
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        foreach (var filter in args.Values("filter"))
        {
            var (key, value) = filter.Split('=', 2) is [var k, var v] ? (k, v) : throw new UsageException($"bad format of filter (expected name=value): {filter}");
            if (!filters.TryGetValue(key, out var values)) filters[key] = values = new Dictionary<string, bool>();
            values[value] = true;
        }
        var networks = (await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filters }))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        string Id(NetworkResponse n) => args.Has("no-trunc") ? n.ID : n.ID[..Math.Min(12, n.ID.Length)];
        if (args.Has("quiet"))
        {
            networks.ForEach(n => Console.WriteLine(Id(n)));
            return 0;
        }
        var table = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
        foreach (var network in networks) table.Add(Id(network), network.Name, network.Driver, network.Scope);
        table.Print(Console.Out);
        return 0;
    }

    public static async Task<int> InspectAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, []);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm network inspect\" requires at least 1 argument: NETWORK [NETWORK...]");
        var networks = new List<NetworkResponse>();
        foreach (var name in args.Positionals) networks.Add(await client.Networks.InspectNetworkAsync(name));
        CliApp.PrintJson(networks);
        return 0;
    }

    public static async Task<int> RemoveAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, []);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm network rm\" requires at least 1 argument: NETWORK [NETWORK...]");
        var failed = false;
        foreach (var name in args.Positionals)
        {
            try
            {
                await client.Networks.DeleteNetworkAsync(name);
                Console.WriteLine(name);
            }
            catch (DockerApiException e)
            {
                await Console.Error.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
