using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// Compares Docker's answer with EventSwarm's field by field, recursively, and names the path of every difference
/// (<c>Spec.TaskTemplate.ContainerSpec.Hostname: docker="x" eventswarm=&lt;missing&gt;</c>). What may differ is
/// named in <see cref="Differences"/>; null and absent are the same (every Go and C# client decodes them alike).
/// </summary>
public static class JsonComparison
{
    public static IReadOnlyList<string> Diff(string scope, JsonNode? docker, JsonNode? eventswarm)
    {
        var differences = new List<string>();
        Walk(scope, "", docker, eventswarm, differences);
        return differences;
    }

    /// <summary>Fails with every difference found, so one run shows all that is missing.</summary>
    public static void AssertSame(string scope, JsonNode? docker, JsonNode? eventswarm, string what)
    {
        var differences = Diff(scope, docker, eventswarm);
        Assert.True(differences.Count == 0,
            $"{what}: {differences.Count} difference(s) from Docker Swarm\n  {string.Join("\n  ", differences)}");
    }

    private static void Walk(string scope, string path, JsonNode? docker, JsonNode? eventswarm, List<string> differences)
    {
        var rule = path == "" ? null : Differences.FieldRule(scope, path);
        var dockerMissing = docker is null;
        var eventswarmMissing = eventswarm is null;
        if (dockerMissing && eventswarmMissing) return;
        if (dockerMissing != eventswarmMissing)
        {
            if (rule is { PresenceToo: true }) return;
            differences.Add($"{path}: docker={Show(docker)} eventswarm={Show(eventswarm)}");
            return;
        }
        if (rule is not null) return;

        switch (docker, eventswarm)
        {
            case (JsonObject d, JsonObject e):
                foreach (var key in d.Select(p => p.Key).Union(e.Select(p => p.Key)))
                    Walk(scope, Join(path, key), d[key], e[key], differences);
                break;
            case (JsonArray d, JsonArray e):
                for (var i = 0; i < Math.Max(d.Count, e.Count); i++)
                    Walk(scope, $"{path}[{i}]", i < d.Count ? d[i] : null, i < e.Count ? e[i] : null, differences);
                break;
            default:
                if (!JsonNode.DeepEquals(docker, eventswarm) && !SameNumber(docker!, eventswarm!))
                    differences.Add($"{path}: docker={Show(docker)} eventswarm={Show(eventswarm)}");
                break;
        }
    }

    private static bool SameNumber(JsonNode a, JsonNode b) =>
        a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number
        && decimal.TryParse(a.ToJsonString(), out var x) && decimal.TryParse(b.ToJsonString(), out var y) && x == y;

    private static string Join(string path, string key) => path == "" ? key : $"{path}.{key}";

    private static string Show(JsonNode? node)
    {
        if (node is null) return "<missing>";
        var text = node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return text.Length > 160 ? text[..160] + "…" : text;
    }
}
