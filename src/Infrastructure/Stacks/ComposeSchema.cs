using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>
/// The compose v3 format, written here as a description of its keys (our own, not docker's schema files): which key
/// is allowed where, since which 3.x version, with which type. It checks what docker's JSON schemas check
/// (cli/compose/schema/data/config_schema_v3.*.json: `additionalProperties: false` nearly everywhere, a key of a later
/// version is unknown to an earlier one, x-* extension keys at the top level since 3.4 and inside services, networks,
/// volumes, secrets and configs since 3.7) and says so in plain words with the full path:
/// "services.web.deploy.replica: additional property not allowed",
/// "services.web.deploy.replicas must be an integer, got string \"three\"".
/// Deliberate leniencies (the Compose Specification's, which the converter reads): `cpus` may be a number as well as
/// a string, and `memory` an integer of bytes.
/// </summary>
internal static partial class ComposeSchema
{
    /// <summary>3.13 is docker's newest; a file without `version` (the Compose Specification) or with "3" is read as it.</summary>
    public const int Latest = 13;

    public static void Validate(JsonObject document, int minor, string file) =>
        Top.Check(document, "", new Context(minor, file));

    internal sealed record Context(int Minor, string File)
    {
        public ComposeException Error(string path, string problem) =>
            new($"{File}: {(path.Length == 0 ? problem.TrimStart(':', ' ') : problem.StartsWith(':') ? path + problem : path + " " + problem)}");
    }

    internal abstract class Shape
    {
        public abstract string Expected { get; }
        public abstract bool Accepts(JsonNode? node);
        public abstract void Check(JsonNode? node, string path, Context context);

        protected ComposeException Mismatch(JsonNode? node, string path, Context context) =>
            context.Error(path, $"must be {Expected}, got {Describe(node)}");
    }

    private sealed class Scalar(string expected, Func<JsonNode?, bool> accepts, Func<JsonNode?, string?>? format = null) : Shape
    {
        public override string Expected => expected;
        public override bool Accepts(JsonNode? node) => accepts(node);

        public override void Check(JsonNode? node, string path, Context context)
        {
            if (!accepts(node)) throw Mismatch(node, path, context);
            if (format?.Invoke(node) is { } problem) throw context.Error(path, problem);
        }
    }

    private sealed class AnyOf(params Shape[] choices) : Shape
    {
        public override string Expected => Or(choices.Select(c => c.Expected).Distinct().ToList());
        public override bool Accepts(JsonNode? node) => choices.Any(c => c.Accepts(node));

        public override void Check(JsonNode? node, string path, Context context) =>
            (choices.FirstOrDefault(c => c.Accepts(node)) ?? throw Mismatch(node, path, context)).Check(node, path, context);

        private static string Or(List<string> names) =>
            names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
    }

    private sealed class ListOf(Shape item, bool unique = false) : Shape
    {
        public override string Expected => "a list";
        public override bool Accepts(JsonNode? node) => node is JsonArray;

        public override void Check(JsonNode? node, string path, Context context)
        {
            if (node is not JsonArray array) throw Mismatch(node, path, context);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                item.Check(array[i], $"{path}[{i}]", context);
                if (unique && !seen.Add(array[i]?.ToJsonString() ?? "null"))
                    throw context.Error($"{path}[{i}]", $"duplicates an earlier item ({Describe(array[i])}): items must be unique");
            }
        }
    }

    /// <summary>A mapping: its known keys (each since a 3.x version), or entries named by a pattern (services, networks, …).</summary>
    private sealed class Obj(params Key[] keys) : Shape
    {
        public Shape? Entries { get; init; }
        public Regex? EntryName { get; init; }
        public string EntryKind { get; init; } = "name";
        /// <summary>The version since which x-* keys are allowed here; null: never.</summary>
        public int? ExtensionsSince { get; init; }
        /// <summary>Keys docker's schema does not close (no `additionalProperties: false`).</summary>
        public bool Open { get; init; }
        public string[] Required { get; init; } = [];

        public override string Expected => "a mapping";
        public override bool Accepts(JsonNode? node) => node is JsonObject;

        public override void Check(JsonNode? node, string path, Context context)
        {
            if (node is not JsonObject obj) throw Mismatch(node, path, context);
            foreach (var required in Required)
                if (!obj.ContainsKey(required)) throw context.Error(path, $": {required} is required");
            foreach (var (name, value) in obj)
            {
                var at = ComposePath.Join(path, name);
                if (keys.FirstOrDefault(k => k.Name == name) is { } key)
                {
                    if (context.Minor < key.Since) throw context.Error(at, $": additional property not allowed ({name} needs version 3.{key.Since} or later, the file is version 3.{context.Minor})");
                    key.Shape.Check(value, at, context);
                }
                else if (name.StartsWith("x-", StringComparison.Ordinal) && ExtensionsSince is { } since)
                {
                    if (context.Minor < since) throw context.Error(at, $": additional property not allowed (x-* extension keys here need version 3.{since} or later, the file is version 3.{context.Minor})");
                }
                else if (Entries is not null)
                {
                    if (EntryName is not null && !EntryName.IsMatch(name))
                        throw context.Error(at, $": invalid {EntryKind} \"{name}\": only letters, digits, '.', '_' and '-' are allowed");
                    Entries.Check(value, at, context);
                }
                else if (!Open)
                    throw context.Error(at, ": additional property not allowed");
            }
        }
    }

    private sealed record Key(string Name, Shape Shape, int Since = 0);

    private static Key K(string name, Shape shape, int since = 0) => new(name, shape, since);

    // --- scalars -------------------------------------------------------------------------------------------------

    private static readonly Shape Str = new Scalar("a string", n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String);
    private static readonly Shape Bool = new Scalar("a boolean", n => n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False);
    private static readonly Shape Num = new Scalar("a number", n => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number);
    private static readonly Shape Int = new Scalar("an integer", IsInteger);
    private static readonly Shape NonNegativeInt = new Scalar("an integer", IsInteger, n => n!.GetValue<double>() < 0 ? "must be 0 or more" : null);
    private static readonly Shape Null = new Scalar("null", n => n is null);

    /// <summary>A Go duration (time.ParseDuration), as docker's `duration` format: "10s", "1m30s", "1.5h", "300ms".</summary>
    private static readonly Shape Duration = new Scalar("a string", n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        n => IsGoDuration(n!.GetValue<string>()) ? null : $"must be a duration like 10s, 1m30s or 300ms (units ns, us, ms, s, m, h), got \"{n!.GetValue<string>()}\"");

    /// <summary>A port as docker's `ports` format reads it (nat.ParsePortSpec): [ip:][published[-end]:]target[-end][/protocol].</summary>
    private static readonly Shape PortSpec = new Scalar("a string", n => n is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number,
        n => IsPortSpec(n!.ToString()) ? null : $"must be a port like 80, 8080:80, 8080:80/udp or 127.0.0.1:8080:80, got \"{n}\"");

    private static Shape Nullable(Shape shape) => new AnyOf(shape, Null);

    private static readonly Shape StrOrNum = new AnyOf(Str, Num);
    private static readonly Shape StrNumOrNull = new AnyOf(Str, Num, Null);
    private static readonly Shape Strings = new ListOf(Str);
    private static readonly Shape StringOrList = new AnyOf(Str, Strings);
    private static readonly Shape ListOrDict = new AnyOf(new Obj { Entries = StrNumOrNull }, new ListOf(Str, unique: true));
    private static readonly Shape Options = new Obj { Entries = StrOrNum };

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z]+$")]
    private static partial Regex UlimitPattern();

    private static Obj Named(Shape entry, string kind) => new() { Entries = entry, EntryName = NamePattern(), EntryKind = kind };

    // --- services ------------------------------------------------------------------------------------------------

    private static Obj UpdateConfig() => new(
        K("parallelism", Int), K("delay", Duration), K("failure_action", Str), K("monitor", Duration),
        K("max_failure_ratio", Num), K("order", new Scalar("a string", n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String,
            n => n!.GetValue<string>() is "start-first" or "stop-first" ? null : $"must be one of start-first, stop-first, got \"{n!.GetValue<string>()}\""), since: 4));

    private static readonly Shape Deploy = Nullable(new Obj(
        K("mode", Str),
        K("endpoint_mode", Str, 2),
        K("replicas", Int),
        K("labels", ListOrDict),
        K("rollback_config", UpdateConfig(), 7),
        K("update_config", UpdateConfig()),
        K("resources", new Obj(
            K("limits", new Obj(K("cpus", StrOrNum), K("memory", new AnyOf(Str, Int)), K("pids", Int, 9))),
            K("reservations", new Obj(K("cpus", StrOrNum), K("memory", new AnyOf(Str, Int)),
                K("generic_resources", new ListOf(new Obj(K("discrete_resource_spec", new Obj(K("kind", Str), K("value", Num))))), 5))))),
        K("restart_policy", new Obj(K("condition", Str), K("delay", Duration), K("max_attempts", Int), K("window", Duration))),
        K("placement", new Obj(
            K("constraints", Strings),
            K("preferences", new ListOf(new Obj(K("spread", Str))), 3),
            K("max_replicas_per_node", Int, 8)))));

    private static readonly Shape Healthcheck = new Obj(
        K("disable", Bool), K("interval", Duration), K("retries", Num), K("test", StringOrList), K("timeout", Duration),
        K("start_period", Duration, 4), K("start_interval", Duration, 12));

    private static readonly Shape Ports = new ListOf(new AnyOf(PortSpec, new Obj(
        K("mode", Str, 2), K("target", Int, 2), K("published", Int, 2), K("protocol", Str, 2))), unique: true);

    // docker's schema leaves bind/volume/tmpfs open and requires `type`.
    private static readonly Shape Volumes = new ListOf(new AnyOf(Str, new Obj(
        K("type", Str, 2), K("source", Str, 2), K("target", Str, 2), K("read_only", Bool, 2), K("consistency", Str, 2),
        K("bind", new Obj(K("propagation", Str)) { Open = true }, 2),
        K("volume", new Obj(K("nocopy", Bool)) { Open = true }, 2),
        K("tmpfs", new Obj(K("size", NonNegativeInt)) { Open = true }, 6))
    { Required = ["type"] }), unique: true);

    // docker's schema leaves the long syntax of a service's secrets and configs open.
    private static readonly Shape FileReferences = new ListOf(new AnyOf(Str, new Obj(
        K("source", Str), K("target", Str), K("uid", Str), K("gid", Str), K("mode", Num))
    { Open = true }));

    private static readonly Shape ServiceNetworks = new AnyOf(
        new ListOf(Str, unique: true),
        Named(Nullable(new Obj(K("aliases", new ListOf(Str, unique: true)), K("ipv4_address", Str), K("ipv6_address", Str),
            K("driver_opts", Options, 13))), "network name"));

    private static readonly Shape Ulimits = new Obj
    {
        Entries = new AnyOf(Int, new Obj(K("hard", Int), K("soft", Int)) { Required = ["soft", "hard"] }),
        EntryName = UlimitPattern(),
        EntryKind = "ulimit name",
    };

    private static readonly Shape Service = new Obj(
        K("deploy", Deploy),
        K("build", new AnyOf(Str, new Obj { Open = true })),
        K("cap_add", new ListOf(Str, unique: true)),
        K("cap_drop", new ListOf(Str, unique: true)),
        K("cgroupns_mode", Str, 9),
        K("cgroup_parent", Str),
        K("command", StringOrList),
        K("configs", FileReferences, 3),
        K("container_name", Str),
        K("credential_spec", new Obj(K("config", Str, 8), K("file", Str), K("registry", Str)), 3),
        K("depends_on", new ListOf(Str, unique: true)),
        K("devices", new ListOf(Str, unique: true)),
        K("dns", StringOrList),
        K("dns_search", StringOrList),
        K("domainname", Str),
        K("entrypoint", StringOrList),
        K("env_file", StringOrList),
        K("environment", ListOrDict),
        K("expose", new ListOf(new AnyOf(Str, Num), unique: true)),
        K("external_links", new ListOf(Str, unique: true)),
        K("extra_hosts", ListOrDict),
        K("healthcheck", Healthcheck),
        K("hostname", Str),
        K("image", Str),
        K("init", Bool, 7),
        K("ipc", Str),
        K("isolation", Str, 5),
        K("labels", ListOrDict),
        K("links", new ListOf(Str, unique: true)),
        K("logging", new Obj(K("driver", Str), K("options", new Obj { Entries = StrNumOrNull }))),
        K("mac_address", Str),
        K("network_mode", Str),
        K("networks", ServiceNetworks),
        K("oom_score_adj", Int, 13),
        K("pid", Nullable(Str)),
        K("ports", Ports),
        K("privileged", Bool),
        K("read_only", Bool),
        K("restart", Str),
        K("secrets", FileReferences, 1),
        K("security_opt", new ListOf(Str, unique: true)),
        K("shm_size", StrOrNum),
        K("stdin_open", Bool),
        K("stop_grace_period", Duration),
        K("stop_signal", Str),
        K("sysctls", ListOrDict),
        K("tmpfs", StringOrList),
        K("tty", Bool),
        K("ulimits", Ulimits),
        K("user", Str),
        K("userns_mode", Str),
        K("volumes", Volumes),
        K("working_dir", Str))
    { ExtensionsSince = 7 };

    // --- top-level objects ---------------------------------------------------------------------------------------

    private static readonly Shape External = new AnyOf(Bool, new Obj(K("name", Str)));

    private static readonly Shape Network = Nullable(new Obj(
        K("name", Str, 5), K("driver", Str), K("driver_opts", Options),
        K("ipam", new Obj(K("driver", Str), K("config", new ListOf(new Obj(K("subnet", Str)))))),
        K("external", External), K("internal", Bool), K("attachable", Bool, 2), K("labels", ListOrDict))
    { ExtensionsSince = 7 });

    private static readonly Shape Volume = Nullable(new Obj(
        K("name", Str, 4), K("driver", Str), K("driver_opts", Options), K("external", External), K("labels", ListOrDict))
    { ExtensionsSince = 7 });

    private static readonly Shape Secret = new Obj(
        K("name", Str, 5), K("file", Str), K("external", External), K("labels", ListOrDict),
        K("driver", Str, 8), K("driver_opts", Options, 8), K("template_driver", Str, 8))
    { ExtensionsSince = 7 };

    private static readonly Shape Config = new Obj(
        K("name", Str, 5), K("file", Str), K("external", External), K("labels", ListOrDict), K("template_driver", Str, 8))
    { ExtensionsSince = 7 };

    private static readonly Shape Top = new Obj(
        K("version", StrOrNum),
        K("services", Named(Service, "service name")),
        K("networks", Named(Network, "network name")),
        K("volumes", Named(Volume, "volume name")),
        K("secrets", Named(Secret, "secret name"), 1),
        K("configs", Named(Config, "config name"), 3))
    { ExtensionsSince = 4 };

    // --- helpers -------------------------------------------------------------------------------------------------

    private static bool IsInteger(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.IsInteger(v.GetValue<double>());

    /// <summary>How an error shows the value found: `string "three"`, `number 2.5`, `a mapping`.</summary>
    internal static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "a mapping",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"string \"{Shorten(v.GetValue<string>())}\"",
            JsonValueKind.Number => $"number {v.ToJsonString()}",
            _ => $"boolean {v.ToJsonString()}",
        },
        _ => node.ToJsonString(),
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static readonly string[] DurationUnits = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"];

    internal static bool IsGoDuration(string text)
    {
        var s = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (s == "0") return true;
        if (s.Length == 0) return false;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1) return false;
            var unit = DurationUnits.Where(u => string.CompareOrdinal(s, i, u, 0, u.Length) == 0).MaxBy(u => u.Length);
            if (unit is null) return false;
            i += unit.Length;
        }
        return true;
    }

    internal static bool IsPortSpec(string spec)
    {
        var s = spec;
        var slash = s.LastIndexOf('/');
        if (slash >= 0)
        {
            if (s[(slash + 1)..].ToLowerInvariant() is not ("tcp" or "udp" or "sctp")) return false;
            s = s[..slash];
        }
        // [ip:]published:target, the IP possibly a bracketed IPv6 address
        string? ip = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0) return false;
            ip = s[1..close];
            s = s[(close + 2)..];
        }
        var parts = s.Split(':');
        if (parts.Length == 3 && ip is null) { ip = parts[0]; parts = parts[1..]; }
        if (parts.Length > 2) return false;
        if (ip is { Length: > 0 } && !System.Net.IPAddress.TryParse(ip, out _)) return false;
        if (parts.Length == 2 && parts[0].Length > 0 && !IsPortRange(parts[0])) return false;
        return IsPortRange(parts[^1]);
    }

    private static bool IsPortRange(string text)
    {
        var bounds = text.Split('-');
        if (bounds.Length > 2) return false;
        var numbers = new List<int>();
        foreach (var b in bounds)
        {
            if (!int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 65535) return false;
            numbers.Add(n);
        }
        return numbers.Count == 1 || numbers[0] <= numbers[1];
    }
}
