using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EventSwarm.Node.Cli.Output;

// TEMPORARY stand-in for GoTemplate.cs (written in parallel by another helper): the coordinator deletes this file at
// merge. It knows only {{.Field}}, {{.A.B}}, {{json .}} and {{json .Field}}, and the "table" prefix.
public sealed partial class GoTemplate
{
    private readonly string _body;

    private GoTemplate(string body, bool table) => (_body, IsTable) = (body, table);

    public bool IsTable { get; }

    public static GoTemplate Parse(string text)
    {
        var table = text.StartsWith("table", StringComparison.Ordinal);
        var body = (table ? text["table".Length..] : text).Trim(' ').Replace("\\t", "\t").Replace("\\n", "\n");
        if (body.Split("{{").Length != body.Split("}}").Length) throw new FormatException("template parsing error: unbalanced braces");
        return new(body, table);
    }

    public string Render(JsonNode? data) => Action().Replace(_body, m => Field(data, m.Groups[2].Value) is var node && m.Groups[1].Success
        ? node?.ToJsonString() ?? "null"
        : node is JsonValue v ? v.ToString() : node?.ToJsonString() ?? "<no value>");

    public string Header(JsonNode? sample) => Action().Replace(_body, m => m.Groups[1].Success && m.Groups[2].Value.Length == 0 ? "" : Words().Replace(m.Groups[2].Value.Split('.')[^1], "$1 $2").ToUpperInvariant());

    private static JsonNode? Field(JsonNode? data, string path)
    {
        foreach (var name in path.Split('.', StringSplitOptions.RemoveEmptyEntries)) data = data is JsonObject o ? o[name] : null;
        return data;
    }

    [GeneratedRegex(@"\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}")]
    private static partial Regex Action();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex Words();
}
