using System.CommandLine;
using System.Text;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

/// <summary>
/// <c>swarm unlock</c>: gives a locked manager its unlock key (docker's unlock.go). As docker, it first asks /info
/// whether the node is locked at all, so that a node in no swarm or an unlocked one never prompts; the key is read
/// from the terminal without echo after "Please enter unlock key: ", or as one line from a pipe.
/// </summary>
public sealed class SwarmUnlockCommand : Verb
{
    public const string Prompt = "Please enter unlock key: ";

    public SwarmUnlockCommand() : base("unlock", "", "Unlock swarm")
    {
    }

    /// <summary>docker's refusals before the prompt, from /info's Swarm.LocalNodeState; null when the node is locked.</summary>
    public static string? RefusalFor(string? localNodeState) => localNodeState switch
    {
        "inactive" or "" or null => "Error: This node is not part of a swarm",
        "locked" => null,
        _ => "Error: swarm is not locked",
    };

    /// <summary>docker's readKey for a pipe: the first line, trimmed.</summary>
    public static string ReadKey(TextReader input) => (input.ReadLine() ?? "").Trim();

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var client = context.Client;
        var info = await client.System.GetSystemInfoAsync();
        if (RefusalFor(info.Swarm?.LocalNodeState) is { } refusal) throw new UsageException(refusal);
        string key;
        if (Console.IsInputRedirected) key = ReadKey(Console.In);
        else
        {
            context.Out.Write(Prompt);
            context.Out.Flush();
            key = ReadWithoutEcho();
            context.Out.WriteLine();
        }
        await client.Swarm.UnlockSwarmAsync(new SwarmUnlockParameters { UnlockKey = key });
        return 0;
    }

    private static string ReadWithoutEcho()
    {
        var key = new StringBuilder();
        for (var typed = Console.ReadKey(intercept: true); typed.Key != ConsoleKey.Enter; typed = Console.ReadKey(intercept: true))
        {
            if (typed.Key == ConsoleKey.Backspace) key.Length = Math.Max(0, key.Length - 1);
            else if (!char.IsControl(typed.KeyChar)) key.Append(typed.KeyChar);
        }
        return key.ToString().Trim();
    }
}
