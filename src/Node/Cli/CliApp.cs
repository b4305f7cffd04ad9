using System.Text.Json;
using Docker.DotNet;
using EventSwarm.Node.Cli.Networks;
using EventSwarm.Node.Cli.Nodes;
using EventSwarm.Node.Cli.Services;
using EventSwarm.Node.Cli.Swarm;

namespace EventSwarm.Node.Cli;

/// <summary>
/// The `eventswarm` client: every verb but `agent` talks to a manager through the Docker Engine API it serves,
/// so our CLI and the stock docker CLI see exactly the same cluster.
/// </summary>
public static class CliApp
{
    public const string Usage = """
        Usage:  eventswarm [--host URI] COMMAND

        Commands:
          agent                  Run a node (manager and worker) on the local Docker Engine
          swarm init|join|join-token|leave
                                 Initialize, join or leave a swarm; show or rotate its join tokens
          node ls|inspect|update|promote|demote|rm
                                 Manage nodes
          service create|ls|ps|scale|rm|inspect|update
                                 Manage services
          network create|ls|inspect|rm
                                 Manage overlay networks
          version                Show the client and server versions

        The manager is found at --host, or $EVENTSWARM_HOST, or unix:///run/eventswarm/eventswarm.sock.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var host = Environment.GetEnvironmentVariable("EVENTSWARM_HOST") is { Length: > 0 } fromEnv ? fromEnv : "unix:///run/eventswarm/eventswarm.sock";
        var rest = args.ToList();
        while (rest.Count > 0 && rest[0].StartsWith('-'))
        {
            if (rest[0] is "--host" or "-H" && rest.Count > 1) { host = rest[1]; rest.RemoveRange(0, 2); }
            else if (rest[0].StartsWith("--host=")) { host = rest[0]["--host=".Length..]; rest.RemoveAt(0); }
            else if (rest[0] is "--help" or "-h") { Console.WriteLine(Usage); return 0; }
            else { await Console.Error.WriteLineAsync($"unknown flag: {rest[0]}\n\n{Usage}"); return 1; }
        }
        if (rest.Count == 0) { Console.WriteLine(Usage); return 0; }

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(host)).WithApiVersion(new System.Version(1, 41)).Build();
        try
        {
            return (rest[0], rest.Count > 1 ? rest[1] : "") switch
            {
                ("swarm", "init") => await SwarmCommands.InitAsync(client, rest[2..]),
                ("swarm", "join") => await SwarmCommands.JoinAsync(client, rest[2..]),
                ("swarm", "join-token") => await SwarmCommands.JoinTokenAsync(client, rest[2..]),
                ("swarm", "leave") => await SwarmCommands.LeaveAsync(client, rest[2..]),
                ("node", "ls" or "list") => await NodeCommands.ListAsync(client, rest[2..]),
                ("node", "inspect") => await NodeCommands.InspectAsync(client, rest[2..]),
                ("node", "rm" or "remove") => await NodeCommands.RemoveAsync(client, rest[2..]),
                ("node", "update") => await NodeCommands.UpdateAsync(client, rest[2..]),
                ("node", "promote") => await NodeCommands.SetRoleAsync(client, rest[2..], "manager"),
                ("node", "demote") => await NodeCommands.SetRoleAsync(client, rest[2..], "worker"),
                ("service", "create") => await ServiceCommands.CreateAsync(client, rest[2..]),
                ("service", "ls" or "list") => await ServiceCommands.ListAsync(client, rest[2..]),
                ("service", "ps") => await ServiceCommands.PsAsync(client, rest[2..]),
                ("service", "scale") => await ServiceCommands.ScaleAsync(client, rest[2..]),
                ("service", "rm" or "remove") => await ServiceCommands.RemoveAsync(client, rest[2..]),
                ("service", "inspect") => await ServiceCommands.InspectAsync(client, rest[2..]),
                ("service", "update") => await ServiceCommands.UpdateAsync(client, rest[2..]),
                ("network", "create") => await NetworkCommands.CreateAsync(client, rest[2..]),
                ("network", "ls" or "list") => await NetworkCommands.ListAsync(client, rest[2..]),
                ("network", "inspect") => await NetworkCommands.InspectAsync(client, rest[2..]),
                ("network", "rm" or "remove") => await NetworkCommands.RemoveAsync(client, rest[2..]),
                ("version", _) => await SwarmCommands.VersionAsync(client),
                _ => throw new UsageException($"unknown command: eventswarm {string.Join(' ', rest.Take(2))}"),
            };
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}\nSee 'eventswarm --help'.");
            return 1;
        }
        catch (DockerApiException e)
        {
            await Console.Error.WriteLineAsync($"Error response from daemon: {ServerMessage(e)}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException || e.InnerException is System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"Cannot connect to EventSwarm at {host}. Is the eventswarm agent running? ({e.Message})");
            return 1;
        }
    }

    public static string ServerMessage(DockerApiException e)
    {
        try
        {
            using var json = JsonDocument.Parse(e.ResponseBody ?? "");
            return json.RootElement.GetProperty("message").GetString() ?? e.ResponseBody ?? "";
        }
        catch (Exception)
        {
            return string.IsNullOrWhiteSpace(e.ResponseBody) ? e.Message : e.ResponseBody.Trim();
        }
    }

    public static void PrintJson(object value) =>
        Console.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions(Api.DockerJson.Options) { WriteIndented = true }));
}
