using System.CommandLine;
using System.Globalization;
using EventSwarm.Node.Api.Stacks;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack history STACK</c>, beyond docker (which keeps no record of a stack at all): each deploy of the stack from
/// the log, one row each (VERSION, UPDATED, BY, FILES with the start of their SHA-256, CHANGES), oldest first.
/// <c>stack rollback --to-version N</c> returns to one of them.
/// </summary>
public sealed class StackHistoryCommand : Verb
{
    public StackHistoryCommand() : base("history", "STACK", "Show the deploys of a stack") => (MinArgs, MaxArgs) = (1, 1);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var stack = StackVerbs.Validate(Args(result)[0]);
        var history = StackVerbs.Read<List<StackVersionJson>>(await context.SendAsync(HttpMethod.Get, StackVerbs.Route(stack, "history")));
        Write(history, DateTimeOffset.UtcNow, context.Out);
        return 0;
    }

    /// <summary>The table, as `service history`'s: UPDATED as docker's "N minutes ago", a file as its path and 12 hex digits of its digest.</summary>
    public static void Write(IReadOnlyList<StackVersionJson> history, DateTimeOffset now, TextWriter output)
    {
        var table = new Table("VERSION", "UPDATED", "BY", "FILES", "CHANGES");
        foreach (var entry in history.OrderBy(e => e.Version))
            table.Add(entry.Version.ToString(CultureInfo.InvariantCulture), $"{Units.HumanDuration(now - entry.At)} ago", entry.Who ?? "",
                string.Join(", ", (entry.Files ?? []).Select(f => $"{f.Path} ({f.Digest[..Math.Min(12, f.Digest.Length)]})")),
                string.Join("; ", entry.Changes ?? []));
        table.Print(output);
    }
}
