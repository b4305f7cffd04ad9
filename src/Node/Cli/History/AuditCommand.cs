using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSwarm.Application.History;
using EventSwarm.Node.Api.History;

namespace EventSwarm.Node.Cli.History;

/// <summary>
/// <c>audit [--who USER|NODE] [--service S] [--command C] [--since T] [--until T]</c>, beyond docker (which keeps no
/// record of who did what): one row per command with TIME, WHO, COMMAND and CHANGE, and under it, indented, what the
/// control loops did about it. <c>--format json</c> prints the records as the API answers them.
/// </summary>
public sealed class AuditCommand : Verb
{
    private readonly Option<string> _who = Flags.String("--who", "Only commands by this caller (a substring of it, e.g. a user name) or node");
    private readonly Option<string> _service = Flags.String("--service", "Only commands about this service (name or ID; a removed service's name works)");
    private readonly Option<string> _command = Flags.String("--command", "Only this command (e.g. \"service scale\" or ScaleService)");
    private readonly Option<string> _since = Flags.String("--since", "From this instant (a log index, a time such as 2026-11-27T10:02:00Z, or a duration before now such as 10m)");
    private readonly Option<string> _until = Flags.String("--until", "Up to this instant (as --since)");
    private readonly Option<string> _format = Flags.String("--format", "Format output: \"table\" (default) or \"json\"");

    public AuditCommand() : base("audit", "[OPTIONS]", "Show who changed the cluster, when, how, and what the control loops did about it")
    {
        Options.Add(_who);
        Options.Add(_service);
        Options.Add(_command);
        Options.Add(_since);
        Options.Add(_until);
        Options.Add(_format);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var json = ExplainCommand.IsJson(result.Value(_format));
        var query = string.Join("&", new[] { ("who", _who), ("service", _service), ("command", _command), ("since", _since), ("until", _until) }
            .Where(f => result.Value(f.Item2) is { Length: > 0 })
            .Select(f => $"{f.Item1}={Uri.EscapeDataString(result.Value(f.Item2)!)}"));
        var body = await context.SendAsync(HttpMethod.Get, "/eventswarm/v1/audit" + (query.Length > 0 ? "?" + query : ""));
        if (json)
        {
            context.Out.WriteLine(body);
            return 0;
        }
        Write(JsonSerializer.Deserialize<List<AuditEntry>>(body, AuditEndpoints.Json) ?? [], context.Out);
        return 0;
    }

    /// <summary>The table: a row per entry, its reactions below it, indented, with the indexes they span.</summary>
    public static void Write(IReadOnlyList<AuditEntry> entries, TextWriter output)
    {
        var table = new Table("TIME", "WHO", "COMMAND", "CHANGE");
        foreach (var entry in entries)
        {
            table.Add(ExplainCommand.Time(entry.At), entry.Who, entry.Command,
                $"{(entry.Changes.Count > 0 ? string.Join("; ", entry.Changes) : "(reaction)")}  [{Indexes(entry.FirstIndex, entry.LastIndex)}, {entry.CorrelationId}]");
            foreach (var reaction in entry.Reactions)
                table.Add("", "", "", $"  └ {reaction.Summary}  [{Indexes(reaction.FirstIndex, reaction.LastIndex)}, by {reaction.By}]");
        }
        table.Print(output);
    }

    private static string Indexes(long first, long last) =>
        first == last ? $"#{first.ToString(CultureInfo.InvariantCulture)}" : $"#{first.ToString(CultureInfo.InvariantCulture)}-{last.ToString(CultureInfo.InvariantCulture)}";
}
