using System.Text.Json.Nodes;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>
/// Several compose files (`-c a.yml -c b.yml`) merged in order, each later file overriding the earlier, following
/// docker's cli/compose/loader/merge.go (mergo with WithOverride and WithAppendSlice, plus its special cases), on the
/// documents rather than on typed structs:
/// - top level: a network, volume, secret or config named again is replaced as a whole; x-* keys replaced;
/// - a service named again is merged key by key: a scalar of the later file wins; a mapping is merged recursively
///   (deploy, resources, restart_policy, healthcheck, …);
/// - `environment`, `labels`, `deploy.labels`, `sysctls` (list or mapping) are merged by variable / label name, the
///   later value winning; when both files use the list form the result stays a list, otherwise a mapping;
/// - `ports` merged by published port (a port without one by target/protocol: docker keys them all on 0 and keeps one),
///   `volumes` by target, `secrets` and `configs` by source: a later entry replaces the earlier in place, new ones
///   are appended (docker sorts them by that key; order carries no meaning for a service);
/// - `networks` merged by network name (aliases and addresses of the later file win); `ulimits` by name, each replaced;
/// - `logging`: same driver (or one unset): options merged; another driver: replaced;
/// - `command`, `entrypoint` and `healthcheck.test` replaced (docker's mergeShellCommand; appending two test
///   commands, which mergo would do, makes no sense);
/// - any other list (dns, cap_add, extra_hosts as a list, placement.constraints, …) appended, as mergo's
///   WithAppendSlice does (a lone string, e.g. `dns: 8.8.8.8`, counts as a one-item list).
/// </summary>
internal static class ComposeMerge
{
    public static void Into(JsonObject target, JsonObject later)
    {
        foreach (var (key, value) in later.ToList())
        {
            if (key == "services" && target[key] is JsonObject services && value is JsonObject laterServices)
            {
                foreach (var (name, service) in laterServices.ToList())
                {
                    if (services[name] is JsonObject existing && service is JsonObject laterService) Service(existing, laterService);
                    else services[name] = service?.DeepClone();
                }
            }
            else if (key is "networks" or "volumes" or "secrets" or "configs" && target[key] is JsonObject objects && value is JsonObject laterObjects)
            {
                foreach (var (name, definition) in laterObjects.ToList()) objects[name] = definition?.DeepClone();
            }
            else if (key == "version" && target.ContainsKey(key))
            {
                // checked equal by the loader
            }
            else target[key] = value?.DeepClone();
        }
    }

    private static void Service(JsonObject target, JsonObject later)
    {
        foreach (var (key, value) in later.ToList())
        {
            var current = target[key];
            if (current is null || value is null) { target[key] = value?.DeepClone(); continue; }
            target[key] = key switch
            {
                "environment" or "labels" or "sysctls" => ByName(current, value),
                "ports" => Keyed(current, value, PortKey),
                "volumes" => Keyed(current, value, VolumeKey),
                "secrets" or "configs" => Keyed(current, value, SourceKey),
                "networks" => Networks(current, value),
                "ulimits" => Replacing(current, value),
                "logging" => Logging(current, value),
                "command" or "entrypoint" => value.DeepClone(),
                "healthcheck" => Recursive(current, value, replace: ["test"]),
                "deploy" => Recursive(current, value, byName: ["labels"]),
                _ => Generic(current, value),
            };
        }
    }

    private static JsonNode Generic(JsonNode current, JsonNode later) => (current, later) switch
    {
        (JsonObject a, JsonObject b) => Recursive(a, b),
        (JsonArray or JsonValue, JsonArray) or (JsonArray, JsonValue) when IsListish(current) && IsListish(later) => Append(current, later),
        _ => later.DeepClone(),
    };

    private static bool IsListish(JsonNode node) => node is JsonArray || (node is JsonValue v && v.TryGetValue<string>(out _));

    private static JsonArray Append(JsonNode current, JsonNode later)
    {
        var result = new JsonArray();
        foreach (var node in new[] { current, later })
        {
            if (node is JsonArray array) foreach (var item in array) result.Add(item?.DeepClone());
            else result.Add(node.DeepClone());
        }
        return result;
    }

    private static JsonNode Recursive(JsonNode current, JsonNode later, string[]? replace = null, string[]? byName = null)
    {
        if (current is not JsonObject target || later is not JsonObject source) return later.DeepClone();
        var result = (JsonObject)target.DeepClone();
        foreach (var (key, value) in source)
        {
            var existing = result[key];
            if (existing is null || value is null || (replace?.Contains(key) ?? false)) result[key] = value?.DeepClone();
            else if (byName?.Contains(key) ?? false) result[key] = ByName(existing, value);
            else result[key] = Generic(existing, value);
        }
        return result;
    }

    /// <summary>A list (`KEY=value`, `KEY`) or mapping merged by name, the later value winning.</summary>
    private static JsonNode ByName(JsonNode current, JsonNode later)
    {
        if (current is JsonArray a && later is JsonArray b)
        {
            var entries = new List<string>();
            foreach (var item in a.Concat(b))
            {
                var text = item?.ToString() ?? "";
                var name = text.Split('=', 2)[0];
                var at = entries.FindIndex(e => e.Split('=', 2)[0] == name);
                if (at >= 0) entries[at] = text; else entries.Add(text);
            }
            return new JsonArray([.. entries.Select(e => (JsonNode)JsonValue.Create(e))]);
        }
        var result = AsMapping(current);
        foreach (var (name, value) in AsMapping(later)) result[name] = value?.DeepClone();
        return result;
    }

    internal static JsonObject AsMapping(JsonNode node)
    {
        if (node is JsonObject obj) return (JsonObject)obj.DeepClone();
        var result = new JsonObject();
        foreach (var item in node.AsArray())
        {
            var parts = (item?.ToString() ?? "").Split('=', 2);
            result[parts[0]] = parts.Length == 2 ? JsonValue.Create(parts[1]) : null;
        }
        return result;
    }

    private static JsonArray Keyed(JsonNode current, JsonNode later, Func<JsonNode?, string> key)
    {
        var result = new List<JsonNode?>();
        var keys = new List<string>();
        foreach (var item in current.AsArray().Concat(later.AsArray()))
        {
            var k = key(item);
            var at = keys.IndexOf(k);
            if (at >= 0) result[at] = item?.DeepClone();
            else { keys.Add(k); result.Add(item?.DeepClone()); }
        }
        return new JsonArray([.. result]);
    }

    private static string SourceKey(JsonNode? item) => item is JsonObject o ? o["source"]?.ToString() ?? "" : item?.ToString() ?? "";

    private static string VolumeKey(JsonNode? item)
    {
        if (item is JsonObject o) return o["target"]?.ToString() ?? "";
        var parts = (item?.ToString() ?? "").Split(':');
        return parts.Length >= 2 ? parts[1] : parts[0];
    }

    private static string PortKey(JsonNode? item)
    {
        if (item is JsonObject o)
            return o["published"] is { } port ? port.ToString() : $"/{o["target"]}/{o["protocol"]?.ToString() ?? "tcp"}";
        var spec = item?.ToString() ?? "";
        var protocol = spec.Contains('/', StringComparison.Ordinal) ? spec[(spec.LastIndexOf('/') + 1)..] : "tcp";
        var ports = spec.Split('/')[0];
        var colon = ports.LastIndexOf(':');
        if (colon < 0) return $"/{ports}/{protocol}";
        var hostPart = ports[..colon];
        var published = hostPart.Contains(':', StringComparison.Ordinal) ? hostPart[(hostPart.LastIndexOf(':') + 1)..] : hostPart;
        return published.Length == 0 ? $"/{ports[(colon + 1)..]}/{protocol}" : published;
    }

    private static JsonNode Networks(JsonNode current, JsonNode later)
    {
        if (current is JsonArray a && later is JsonArray b)
            return new JsonArray([.. a.Concat(b).Select(n => n?.ToString() ?? "").Distinct().Select(n => (JsonNode)JsonValue.Create(n))]);
        var result = NetworkMapping(current);
        foreach (var (name, value) in NetworkMapping(later))
        {
            if (result[name] is JsonObject existing && value is JsonObject attachment)
                foreach (var (key, setting) in attachment) existing[key] = setting?.DeepClone();
            else if (value is not null || !result.ContainsKey(name)) result[name] = value?.DeepClone();
        }
        return result;
    }

    private static JsonObject NetworkMapping(JsonNode node)
    {
        if (node is JsonObject obj) return (JsonObject)obj.DeepClone();
        var result = new JsonObject();
        foreach (var item in node.AsArray()) result[item?.ToString() ?? ""] = null;
        return result;
    }

    private static JsonNode Replacing(JsonNode current, JsonNode later)
    {
        if (current is not JsonObject a || later is not JsonObject b) return later.DeepClone();
        var result = (JsonObject)a.DeepClone();
        foreach (var (key, value) in b) result[key] = value?.DeepClone();
        return result;
    }

    private static JsonNode Logging(JsonNode current, JsonNode later)
    {
        if (current is not JsonObject a || later is not JsonObject b) return later.DeepClone();
        var driver = a["driver"]?.ToString();
        var laterDriver = b["driver"]?.ToString();
        if (driver is not null && laterDriver is not null && driver != laterDriver) return b.DeepClone();
        var result = (JsonObject)a.DeepClone();
        if (laterDriver is not null) result["driver"] = laterDriver;
        if (b["options"] is JsonObject options)
            result["options"] = result["options"] is JsonObject existing ? Replacing(existing, options) : options.DeepClone();
        return result;
    }
}
