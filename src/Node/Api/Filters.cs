using System.Text.Json;
using EventSwarm.Application;

namespace EventSwarm.Node.Api;

/// <summary>
/// Docker's list filters, <c>?filters={"service":{"demo":true}}</c>; older clients send <c>{"service":["demo"]}</c>.
/// </summary>
public sealed class Filters
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The request's <c>filters</c> parameter, parsed by <see cref="Parse(string?, string[])"/>.</summary>
    public static Filters Parse(HttpRequest request, params string[] allowed) =>
        Parse(request.Query.TryGetValue("filters", out var raw) ? raw.ToString() : null, allowed);

    /// <summary>
    /// Reads filters as Docker's filters.FromJSON does: a JSON object of filter names, each a set of values
    /// (<c>{"v":true}</c>) or, as clients before API 1.22 sent them, a list of strings; <c>null</c> is no filter.
    /// Anything else is the client's mistake: 400 naming the filter and the value (Docker 25+ answers "invalid
    /// filter" with 400 on every list; 20.10 passed Go's JSON error on as 500 on the task, node and network lists).
    /// Unknown filter names are refused as Docker's Args.Validate refuses them.
    /// </summary>
    public static Filters Parse(string? raw, params string[] allowed)
    {
        var filters = new Filters();
        if (string.IsNullOrWhiteSpace(raw)) return filters;
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(raw);
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"invalid filter: filters are not JSON: {e.Message}");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Null) return filters;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BadRequestException($"invalid filter: filters must be a JSON object of filter names, as {{\"name\":{{\"web\":true}}}}, not {Shorten(root.GetRawText())}");
            foreach (var property in root.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    throw new BadRequestException($"Invalid filter '{property.Name}'");
                filters._values[property.Name] = Values(property);
            }
        }
        return filters;
    }

    private static List<string> Values(JsonProperty filter)
    {
        var value = filter.Value;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return [];
            // Docker keeps every key of the set, whatever its boolean (filters.Args.Get).
            case JsonValueKind.Object when value.EnumerateObject().All(v => v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False):
                return [.. value.EnumerateObject().Select(v => v.Name)];
            case JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String):
                return [.. value.EnumerateArray().Select(v => v.GetString()!)];
            default:
                throw new BadRequestException($"invalid filter '{filter.Name}': its values must be a set ({{\"value\":true}}) or a list of strings ([\"value\"]), not {Shorten(value.GetRawText())}");
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var values) ? values : [];

    /// <summary>True when the filter is absent or one of its values matches (docker ORs the values of one filter).</summary>
    public bool Match(string name, Func<string, bool> matches) =>
        !_values.TryGetValue(name, out var values) || values.Count == 0 || values.Any(matches);
}
