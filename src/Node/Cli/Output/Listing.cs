using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventSwarm.Node.Cli.Output;

/// <summary>
/// The output flags every ls/ps/inspect shares, as docker's: <c>-q/--quiet</c>, <c>--format</c> (Go template,
/// <c>json</c>, <c>table …</c>), <c>-f/--filter key=value</c> (sent as the API's <c>filters</c> query), <c>--no-trunc</c>.
/// </summary>
public static class Listing
{
    private const string FormatHelp = "Format output using a custom template: 'table': Print output in table format with column headers (default); "
        + "'table TEMPLATE': Print output in table format using the given Go template; 'json': Print in JSON format; 'TEMPLATE': Print output using the given Go template";

    private const string InspectFormatHelp = "Format output using a custom template: 'json': Print in JSON format; 'TEMPLATE': Print output using the given Go template";

    public static Option<string> Format() => Flags.String("--format", FormatHelp);

    /// <summary>inspect's <c>-f/--format</c> (there <c>-f</c> is the format, not a filter).</summary>
    public static Option<string> InspectFormat() => Flags.String("--format", InspectFormatHelp, shorthand: "-f");

    public static Option<string[]> Filter(string description = "Filter output based on conditions provided") =>
        Flags.List("--filter", description, "filter", "-f");

    public static Option<bool> Quiet(string description = "Only display IDs") => Flags.Bool("--quiet", description, "-q");

    public static Option<bool> NoTrunc(string description = "Do not truncate output") => Flags.Bool("--no-trunc", description);

    /// <summary>docker's opts.FilterOpt: <c>key=value</c> pairs, values of one key accumulated, sent as <c>{"key":{"value":true}}</c>.</summary>
    public static Dictionary<string, IDictionary<string, bool>> Filters(ParseResult result, Option<string[]> option)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        foreach (var filter in result.Values(option))
        {
            if (filter.Split('=', 2) is not [var key, var value])
                throw UsageException.InvalidFlag(filter, Flags.Label(option), "bad format of filter (expected name=value)");
            key = key.Trim().ToLowerInvariant();
            if (!filters.TryGetValue(key, out var values)) filters[key] = values = new Dictionary<string, bool>();
            values[value.Trim()] = true;
        }
        return filters;
    }

    public static GoTemplate Template(string format)
    {
        try
        {
            return GoTemplate.Parse(format == "json" ? "{{json .}}" : format);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// ls/ps rows: the verb's own table when no format (or plain <c>table</c>) is asked; otherwise each row's fields
    /// (docker's names: ID, Name, …) through the template, a <c>table</c> one headed and aligned as docker's tabwriter.
    /// </summary>
    public static void Write(TextWriter output, string? format, IReadOnlyList<JsonObject> rows, Action defaultTable,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        if (format is null or "" or "table")
        {
            defaultTable();
            return;
        }
        var template = Template(format);
        var lines = rows.Select(r => template.Render(r)).ToList();
        if (!template.IsTable)
        {
            foreach (var line in lines) output.WriteLine(line);
            return;
        }
        // Go's tabwriter, as docker's: rows of a user's template need not have the same number of cells.
        output.Write(GoTemplate.Align([headers is null ? template.Header() : template.Header(headers), .. lines]));
    }

    /// <summary>inspect: the JSON array docker prints, or each object through the template, one per line.</summary>
    public static void WriteInspect<T>(TextWriter output, string? format, IReadOnlyList<T> items)
    {
        if (format is null or "")
        {
            CliApp.PrintJson(output, items);
            return;
        }
        var template = Template(format);
        foreach (var item in items) output.WriteLine(template.Render(Json(item)));
    }

    public static JsonNode? Json<T>(T value) => JsonSerializer.SerializeToNode(value, Api.DockerJson.Options);

    /// <summary>docker's stringid.TruncateID: 12 characters unless --no-trunc.</summary>
    public static string Id(string id, bool noTrunc) => noTrunc ? id : id[..Math.Min(12, id.Length)];
}
