using System.CommandLine;

namespace EventSwarm.Node.Cli.Completion;

// TEMPORARY stand-in for CompletionScripts.cs (written in parallel by another helper): the coordinator deletes this
// file at merge. Completes the verbs' names only.
public static class CompletionScripts
{
    public static string Bash(Command root) =>
        $"complete -W \"{string.Join(' ', root.Subcommands.SelectMany(c => c.Subcommands.Select(s => s.Name).Prepend(c.Name)).Distinct())}\" eventswarm\n";

    public static string Zsh(Command root) => "autoload -U bashcompinit && bashcompinit\n" + Bash(root);
}
