using System.CommandLine;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service history [--version N] SERVICE</c>, beyond Swarm (which keeps one previous spec): every version of the
/// service's spec from the log, one row each (VERSION, WHEN, WHO, COMMAND, CHANGES); <c>--version N</c> prints that
/// version's spec whole, as inspect prints JSON. <c>service rollback --to-version N</c> returns to one of them.
/// </summary>
public sealed class ServiceHistoryCommand : Verb
{
    private readonly Option<string> _version = Flags.String("--version", "Print the spec of this version", "uint");

    public ServiceHistoryCommand() : base("history", "[OPTIONS] SERVICE", "Show the versions of a service's spec")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Options.Add(_version);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var name = Args(result)[0];
        var version = result.UInt(_version);
        var service = await context.Client.Swarm.InspectServiceAsync(name);
        var history = await SpecHistory.ReadAsync(context, service.ID);
        if (version is { } wanted)
            CliApp.PrintJson(context.Out, SpecHistory.Find(history, name, wanted).Spec);
        else
            Write(history, DateTimeOffset.UtcNow, context.Out);
        return 0;
    }

    /// <summary>The table, oldest version first, WHEN as docker's "N minutes ago".</summary>
    public static void Write(IReadOnlyList<SpecHistoryEntry> history, DateTimeOffset now, TextWriter output)
    {
        var table = new Table("VERSION", "WHEN", "WHO", "COMMAND", "CHANGES");
        foreach (var entry in history.OrderBy(e => e.Version))
            table.Add(entry.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{Units.HumanDuration(now - entry.At)} ago",
                entry.Who ?? "", entry.Command ?? "", string.Join("; ", entry.Changes ?? []));
        table.Print(output);
    }
}
