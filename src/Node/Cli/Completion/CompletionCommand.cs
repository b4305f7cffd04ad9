using System.CommandLine;

namespace EventSwarm.Node.Cli.Completion;

/// <summary>
/// <c>eventswarm completion bash|zsh</c>: the shell script, generated from the same command tree that parses the
/// line (<see cref="CompletionScripts"/>), so completion never drifts from the verbs. Install:
/// <c>source &lt;(eventswarm completion bash)</c>.
/// </summary>
public sealed class CompletionCommand : Verb
{
    public CompletionCommand() : base("completion", "bash|zsh", "Generate the autocompletion script for the specified shell")
    {
        MinArgs = 1;
        MaxArgs = 1;
    }

    public override Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var root = result.RootCommandResult.Command;
        var script = Args(result)[0] switch
        {
            "bash" => CompletionScripts.Bash(root),
            "zsh" => CompletionScripts.Zsh(root),
            var other => throw new UsageException($"unsupported shell \"{other}\": bash or zsh"),
        };
        context.Out.Write(script);
        return Task.FromResult(0);
    }
}
