using EventSwarm.Domain.Nodes;

namespace EventSwarm.Domain.Scheduling;

/// <summary>
/// A placement constraint, Swarm's syntax: <c>node.role==manager</c>, <c>node.labels.zone!=a</c>. Keys and values
/// compare case-insensitively, label names case-sensitively (swarmkit manager/constraint uses EqualFold).
/// </summary>
public sealed record Constraint(string Key, bool Equal, string Value)
{
    private static readonly string[] FixedKeys = ["node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch"];

    public static bool TryParse(string expression, out Constraint? constraint, out string error)
    {
        constraint = null;
        var eq = expression.IndexOf("==", StringComparison.Ordinal);
        var ne = expression.IndexOf("!=", StringComparison.Ordinal);
        var at = eq >= 0 && (ne < 0 || eq < ne) ? eq : ne;
        if (at <= 0)
        {
            error = $"invalid constraint '{expression}': constraint expected one operator from ==, !=";
            return false;
        }
        var key = expression[..at].Trim();
        // Keys are case-insensitive, but a label's own name keeps its case ("label itself is case sensitive").
        key = key.StartsWith("node.labels.", StringComparison.OrdinalIgnoreCase)
            ? "node.labels." + key["node.labels.".Length..]
            : key.ToLowerInvariant();
        var value = expression[(at + 2)..].Trim();
        if (value.Length == 0 || value.Contains("==") || value.Contains("!="))
        {
            error = $"invalid constraint '{expression}': the value is missing or malformed";
            return false;
        }
        if (!FixedKeys.Contains(key) && !(key.StartsWith("node.labels.") && key.Length > "node.labels.".Length))
        {
            error = $"invalid constraint '{expression}': unknown key '{key}' (use node.id, node.hostname, node.role, node.platform.os, node.platform.arch or node.labels.<name>)";
            return false;
        }
        constraint = new Constraint(key, at == eq, value);
        error = "";
        return true;
    }

    public static IReadOnlyList<Constraint> ParseAll(IEnumerable<string> expressions) =>
        expressions.Select(e => TryParse(e, out var c, out var error) ? c! : throw new FormatException(error)).ToList();

    public bool IsSatisfiedBy(Node node)
    {
        string? actual = Key switch
        {
            "node.id" => node.Id,
            "node.hostname" => node.Description.Hostname,
            "node.role" => node.Role.ToString().ToLowerInvariant(),
            "node.platform.os" => node.Description.Os,
            "node.platform.arch" => node.Description.Architecture,
            _ => node.Labels.TryGetValue(Key["node.labels.".Length..], out var label) ? label : null,
        };
        // A missing label equals nothing, so it satisfies every != (swarmkit's rule).
        var matches = actual is not null && string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase);
        return Equal ? matches : !matches;
    }
}
