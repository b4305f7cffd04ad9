using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

/// <summary>
/// <c>swarm unlock-key [--rotate] [-q]</c>: the managers' unlock key while autolock is on (docker's unlock_key.go);
/// --rotate makes a new one first (swarm update with rotateManagerUnlockKey), refused while autolock is off.
/// </summary>
public sealed class SwarmUnlockKeyCommand : Verb
{
    private readonly Option<bool> _quiet = Flags.Bool("--quiet", "Only display token", "-q");
    private readonly Option<bool> _rotate = Flags.Bool("--rotate", "Rotate unlock key");

    public SwarmUnlockKeyCommand() : base("unlock-key", "[OPTIONS]", "Manage the unlock key")
    {
        Options.Add(_quiet);
        Options.Add(_rotate);
    }

    public (bool Rotate, bool Quiet) Request(ParseResult result) => (result.Has(_rotate), result.Has(_quiet));

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var (rotate, quiet) = Request(result);
        var client = context.Client;
        if (rotate)
        {
            var swarm = await client.Swarm.InspectSwarmAsync();
            if (swarm.Spec?.EncryptionConfig?.AutoLockManagers != true) throw new UsageException("cannot rotate because autolock is not turned on");
            await client.Swarm.UpdateSwarmAsync(new SwarmUpdateParameters
            {
                Spec = swarm.Spec,
                Version = (long)(swarm.Version?.Index ?? 0),
                RotateManagerUnlockKey = true,
            });
            if (!quiet) context.Out.WriteLine("Successfully rotated manager unlock key.\n");
        }
        var key = (await client.Swarm.GetSwarmUnlockKeyAsync()).UnlockKey;
        if (string.IsNullOrEmpty(key)) throw new UsageException("no unlock key is set");
        if (quiet) context.Out.WriteLine(key);
        else PrintUnlockCommand(context.Out, key);
        return 0;
    }

    /// <summary>docker's printUnlockCommand, word for word but for the CLI's name.</summary>
    public static void PrintUnlockCommand(TextWriter output, string key)
    {
        if (string.IsNullOrEmpty(key)) return;
        output.Write($"To unlock a swarm manager after it restarts, run the `eventswarm swarm unlock`\ncommand and provide the following key:\n\n    {key}\n\n"
                     + "Please remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n");
    }
}
