using System.Text.Json;

namespace EventSwarm.Node.Api;

/// <summary>
/// Docker's list filters, <c>?filters={"service":{"demo":true}}</c>; older clients send <c>{"service":["demo"]}</c>.
/// </summary>
public sealed class Filters
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);

    public static Filters Parse(HttpRequest request, params string[] allowed) => Parse(request, unclassified: false, allowed);

    /// <summary>
    /// As <see cref="Parse(HttpRequest, string[])"/>, but filters that are not JSON are an unclassified error (500), as
    /// the engine's task, node and network lists answer them (they pass the JSON error through; the service list calls it invalid).
    /// </summary>
    public static Filters ParseUnclassified(HttpRequest request, params string[] allowed) => Parse(request, unclassified: true, allowed);

    private static Filters Parse(HttpRequest request, bool unclassified, string[] allowed)
    {
        var filters = new Filters();
        if (!request.Query.TryGetValue("filters", out var raw) || string.IsNullOrWhiteSpace(raw)) return filters;
        try
        {
            using var json = JsonDocument.Parse(raw.ToString());
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    throw new BadRequestException($"Invalid filter '{property.Name}'");
                var values = property.Value.ValueKind == JsonValueKind.Array
                    ? property.Value.EnumerateArray().Select(v => v.GetString() ?? "")
                    : property.Value.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.False).Select(p => p.Name);
                filters._values[property.Name] = values.ToList();
            }
        }
        catch (JsonException e)
        {
            if (unclassified) throw new UnclassifiedException($"invalid filters: {e.Message}");
            throw new BadRequestException($"invalid filters: {e.Message}");
        }
        return filters;
    }

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var values) ? values : [];

    /// <summary>True when the filter is absent or one of its values matches (docker ORs the values of one filter).</summary>
    public bool Match(string name, Func<string, bool> matches) =>
        !_values.TryGetValue(name, out var values) || values.Count == 0 || values.Any(matches);
}
