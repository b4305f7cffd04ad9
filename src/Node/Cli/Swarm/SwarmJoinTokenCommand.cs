using System.CommandLine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

/// <summary><c>swarm join-token [-q] [--rotate] (worker|manager)</c>: the join command for a role, or its token alone.</summary>
public sealed class SwarmJoinTokenCommand : Verb
{
    private readonly Option<bool> _quiet = Flags.Bool("--quiet", "Only display token", "-q");
    private readonly Option<bool> _rotate = Flags.Bool("--rotate", "Rotate join token");

    public SwarmJoinTokenCommand() : base("join-token", "[OPTIONS] (worker|manager)", "Manage join tokens")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Options.Add(_quiet);
        Options.Add(_rotate);
    }

    /// <summary>The role asked for; docker's "unknown role x" otherwise.</summary>
    public string Role(ParseResult result) => Args(result)[0] is var role && role is "worker" or "manager" ? role : throw new UsageException($"unknown role {role}");

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var role = Role(result);
        var quiet = result.Has(_quiet);
        var client = context.Client;
        var swarm = await client.Swarm.InspectSwarmAsync();
        if (result.Has(_rotate))
        {
            await client.Swarm.UpdateSwarmAsync(new SwarmUpdateParameters
            {
                Spec = swarm.Spec,
                Version = (long)(swarm.Version?.Index ?? 0),
                RotateWorkerToken = role == "worker",
                RotateManagerToken = role == "manager",
            });
            swarm = await client.Swarm.InspectSwarmAsync();
            if (!quiet) context.Out.WriteLine($"Successfully rotated {role} join token.\n");
        }
        var token = role == "worker" ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager;
        if (string.IsNullOrEmpty(token)) throw new UsageException($"this manager does not hold the {role} join token");
        if (quiet)
        {
            context.Out.WriteLine(token);
            return 0;
        }
        context.Out.WriteLine($"To add a {role} to this swarm, run the following command:\n\n    eventswarm swarm join --token {token} {await ManagerAddressAsync(client)}\n");
        return 0;
    }

    /// <summary>Where others join this manager: its advertised address, as docker prints it (from /info's RemoteManagers).</summary>
    internal static async Task<string> ManagerAddressAsync(IDockerClient client)
    {
        var swarm = (await client.System.GetSystemInfoAsync()).Swarm;
        return swarm?.RemoteManagers?.FirstOrDefault(m => m.NodeID == swarm.NodeID)?.Addr ?? $"{swarm?.NodeAddr}:2377";
    }
}
