using System.CommandLine;

namespace EventSwarm.Node.Cli;

/// <summary>
/// docker's help layout (cobra's usage template as docker/cli sets it in cli/cobra.go): the usage line, the
/// description, aliases, the sub-commands or the flags with their kinds and defaults, hidden --help.
/// </summary>
public static class Help
{
    public const string Program = "eventswarm";

    /// <summary><c>eventswarm service create</c>: the command's path from the root, aliases aside.</summary>
    public static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Add(c is RootCommand ? Program : c.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>cobra's UseLine: <c>eventswarm service create [OPTIONS] IMAGE [COMMAND] [ARG...]</c>.</summary>
    public static string UseLine(Command command) => command switch
    {
        Verb verb => $"{Path(verb)} {verb.Synopsis}".TrimEnd(),
        RootCommand => $"{Program} [OPTIONS] COMMAND",
        _ => $"{Path(command)} COMMAND",
    };

    public static void Write(Command command, TextWriter output)
    {
        output.WriteLine($"Usage:  {UseLine(command)}");
        output.WriteLine();
        output.WriteLine(command.Description);
        if (command.Aliases.Count > 0)
        {
            var parent = Path(command)[..^command.Name.Length];
            output.WriteLine();
            output.WriteLine("Aliases:");
            output.WriteLine("  " + string.Join(", ", new[] { command.Name }.Concat(command.Aliases).Select(a => parent + a)));
        }
        var verbs = command.Subcommands.ToList();
        if (verbs.Count > 0)
        {
            var width = Math.Max(11, verbs.Max(v => v.Name.Length)) + 1;
            output.WriteLine();
            output.WriteLine("Commands:");
            foreach (var verb in verbs.OrderBy(v => v.Name, StringComparer.Ordinal))
                output.WriteLine($"  {verb.Name.PadRight(width)}{verb.Description}");
        }
        var flags = command.Options.Where(o => !o.Hidden && o.Name != "--help").ToList();
        if (flags.Count > 0)
        {
            var labels = flags.Select(FlagColumn).ToList();
            var width = labels.Max(l => l.Length) + 3;
            output.WriteLine();
            output.WriteLine(command is RootCommand ? "Global Options:" : "Options:");
            foreach (var (flag, label) in flags.Zip(labels).OrderBy(f => f.First.Name, StringComparer.Ordinal))
                output.WriteLine($"  {label.PadRight(width)}{flag.Description}".TrimEnd());
        }
        if (verbs.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Run '{Path(command)} COMMAND --help' for more information on a command.");
        }
    }

    /// <summary><c>-d, --detach</c> or <c>    --name string</c>: pflag's FlagUsages column.</summary>
    private static string FlagColumn(Option option)
    {
        var shorthand = option.Aliases.FirstOrDefault(a => a.Length == 2 && a[0] == '-');
        var kind = option.HelpName is { } name ? $" {name}" : "";
        return (shorthand is null ? "    " : $"{shorthand}, ") + option.Name + kind;
    }
}
