using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>
/// `${VAR}` substitution in every string value of a compose file (never in keys), before validation, as docker's
/// cli/compose/interpolation does. Forms: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}`
/// (unset), `${VAR:?message}` / `${VAR?message}` (required), `${VAR:+alternative}` / `${VAR+alternative}` (the
/// Compose Specification's, which docker/cli lacks), `$$` for a literal `$`. A default may itself hold `${…}`.
/// An unset variable without a default is the empty string, with docker-compose's warning.
/// Unbraced, a name ends at the first character that cannot be in one (`$NAME-1` is NAME's value then "-1", as the
/// Compose Specification reads it; docker/cli's pattern would read "-1" as a default).
/// A value that interpolation changed at a typed place (deploy.replicas, ports[].published, read_only, …) is cast back
/// to its type, as docker's interpolateTypeCastMapping does, so `replicas: ${N}` is an integer for validation.
/// </summary>
internal sealed class ComposeInterpolation(Func<string, string?> lookup, string file)
{
    public HashSet<string> Unset { get; } = new(StringComparer.Ordinal);

    public JsonObject Interpolate(JsonObject document)
    {
        Walk(document, []);
        return document;
    }

    private JsonNode? Walk(JsonNode? node, List<string> path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    path.Add(key);
                    var replaced = Walk(value, path);
                    path.RemoveAt(path.Count - 1);
                    if (!ReferenceEquals(replaced, value)) obj[key] = replaced;
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add($"[{i}]");
                    var value = array[i];
                    var replaced = Walk(value, path);
                    path.RemoveAt(path.Count - 1);
                    if (!ReferenceEquals(replaced, value)) array[i] = replaced;
                }
                return array;
            case JsonValue value when value.TryGetValue<string>(out var text) && text.Contains('$', StringComparison.Ordinal):
                var where = ComposePath.Format(path);
                var substituted = Substitute(text, where);
                if (substituted == text) return node;
                return Cast(path, substituted, where);
            default:
                return node;
        }
    }

    /// <summary>The template with its variables replaced; <paramref name="where"/> names the value in errors.</summary>
    public string Substitute(string template, string where)
    {
        var output = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c != '$') { output.Append(c); i++; continue; }
            if (i + 1 < template.Length && template[i + 1] == '$') { output.Append('$'); i += 2; continue; }
            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                var close = ClosingBrace(template, i + 2);
                if (close < 0) throw Invalid(template, where);
                output.Append(Braced(template[(i + 2)..close], template, where));
                i = close + 1;
                continue;
            }
            var end = NameEnd(template, i + 1);
            if (end == i + 1) throw Invalid(template, where);
            output.Append(Value(template[(i + 1)..end]) ?? Blank(template[(i + 1)..end]));
            i = end;
        }
        return output.ToString();
    }

    private string Braced(string body, string template, string where)
    {
        var end = NameEnd(body, 0);
        if (end == 0) throw Invalid(template, where);
        var name = body[..end];
        var rest = body[end..];
        if (rest.Length == 0) return Value(name) ?? Blank(name);
        var colon = rest.StartsWith(':');
        var op = colon ? (rest.Length > 1 ? rest[1] : '\0') : rest[0];
        var argument = rest[(colon ? 2 : 1)..];
        var value = Value(name);
        var absent = colon ? string.IsNullOrEmpty(value) : value is null;
        switch (op)
        {
            case '-':
                return absent ? Substitute(argument, where) : value!;
            case '+':
                return absent ? "" : Substitute(argument, where);
            case '?':
                if (absent)
                    throw new ComposeException($"{file}: {where}: required variable {name} is missing a value" + (argument.Length > 0 ? $": {argument}" : ""));
                return value!;
            default:
                throw Invalid(template, where);
        }
    }

    private string? Value(string name) => lookup(name);

    private string Blank(string name)
    {
        Unset.Add(name);
        return "";
    }

    private ComposeException Invalid(string template, string where) =>
        new($"{file}: {where}: invalid interpolation format \"{template}\"; you may need to escape any $ with another $");

    // Braces nest so that a default may itself be `${OTHER}`; docker/cli's pattern stops at the first `}`.
    private static int ClosingBrace(string text, int from)
    {
        var depth = 0;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && depth-- == 0) return i;
        }
        return -1;
    }

    private static int NameEnd(string text, int from)
    {
        if (from >= text.Length || !(char.IsAsciiLetter(text[from]) || text[from] == '_')) return from;
        var i = from + 1;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
        return i;
    }

    // docker's interpolateTypeCastMapping (cli/compose/loader/interpolate.go): the places whose schema type is not
    // a string, where an interpolated value must be read back as that type.
    private static readonly (string[] Pattern, Func<string, JsonNode?> Cast)[] Casts =
    [
        (["services", "*", "configs", "[]", "mode"], ToInt),
        (["services", "*", "secrets", "[]", "mode"], ToInt),
        (["services", "*", "healthcheck", "retries"], ToInt),
        (["services", "*", "healthcheck", "disable"], ToBool),
        (["services", "*", "deploy", "replicas"], ToInt),
        (["services", "*", "deploy", "update_config", "parallelism"], ToInt),
        (["services", "*", "deploy", "update_config", "max_failure_ratio"], ToFloat),
        (["services", "*", "deploy", "rollback_config", "parallelism"], ToInt),
        (["services", "*", "deploy", "rollback_config", "max_failure_ratio"], ToFloat),
        (["services", "*", "deploy", "restart_policy", "max_attempts"], ToInt),
        (["services", "*", "deploy", "placement", "max_replicas_per_node"], ToInt),
        (["services", "*", "deploy", "resources", "limits", "pids"], ToInt),
        (["services", "*", "ports", "[]", "target"], ToInt),
        (["services", "*", "ports", "[]", "published"], ToInt),
        (["services", "*", "ulimits", "*"], ToInt),
        (["services", "*", "ulimits", "*", "hard"], ToInt),
        (["services", "*", "ulimits", "*", "soft"], ToInt),
        (["services", "*", "privileged"], ToBool),
        (["services", "*", "oom_score_adj"], ToInt),
        (["services", "*", "init"], ToBool),
        (["services", "*", "read_only"], ToBool),
        (["services", "*", "stdin_open"], ToBool),
        (["services", "*", "tty"], ToBool),
        (["services", "*", "volumes", "[]", "read_only"], ToBool),
        (["services", "*", "volumes", "[]", "volume", "nocopy"], ToBool),
        (["services", "*", "volumes", "[]", "tmpfs", "size"], ToInt),
        (["networks", "*", "external"], ToBool),
        (["networks", "*", "internal"], ToBool),
        (["networks", "*", "attachable"], ToBool),
        (["volumes", "*", "external"], ToBool),
        (["secrets", "*", "external"], ToBool),
        (["configs", "*", "external"], ToBool),
    ];

    private JsonNode? Cast(List<string> path, string value, string where)
    {
        foreach (var (pattern, cast) in Casts)
        {
            if (!Matches(pattern, path)) continue;
            return cast(value) ?? throw new ComposeException($"{file}: {where}: failed to cast to expected type: \"{value}\" is not {TypeOf(cast)}");
        }
        return JsonValue.Create(value);
    }

    private static string TypeOf(Func<string, JsonNode?> cast) =>
        cast == ToInt ? "an integer" : cast == ToBool ? "a boolean" : "a number";

    private static bool Matches(string[] pattern, List<string> path)
    {
        if (pattern.Length != path.Count) return false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var part = path[i];
            var ok = pattern[i] switch
            {
                "*" => !part.StartsWith('['),
                "[]" => part.StartsWith('['),
                var literal => literal == part,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static JsonNode? ToInt(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? ComposeYaml.Number(n) : null;

    private static JsonNode? ToFloat(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? ComposeYaml.Number(n) : null;

    // docker's toBoolean: YAML 1.1's booleans (yaml.org/type/bool.html), whatever the case.
    private static JsonNode? ToBool(string value) => value.ToLowerInvariant() switch
    {
        "y" or "yes" or "true" or "on" => JsonValue.Create(true),
        "n" or "no" or "false" or "off" => JsonValue.Create(false),
        _ => null,
    };
}

/// <summary>A place in a compose document, written as docker writes it in its errors: `services.web.ports[0].target`.</summary>
internal static class ComposePath
{
    public static string Format(IEnumerable<string> parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            if (text.Length > 0 && !part.StartsWith('[')) text.Append('.');
            text.Append(part);
        }
        return text.ToString();
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
