using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>A compose file refused: the message names the file, the place (line and column, or the key's path) and the problem.</summary>
public sealed class ComposeException(string message) : Exception(message);

/// <summary>
/// The compose files of one deploy, read as Docker's loader reads them: YAML parsed, `${VAR}` interpolated,
/// checked against the format, merged in order, env_file read into environment, relative paths made absolute.
/// </summary>
/// <param name="Document">The merged document, in the compose format's own shape (keys as written, typed scalars).</param>
/// <param name="Warnings">What docker prints before deploying ("Ignoring unsupported options: build", …).</param>
/// <param name="Files">Each file read, with the SHA-256 of its bytes.</param>
/// <param name="WorkingDirectory">The directory of the first file: relative paths resolve against it.</param>
public sealed record LoadedCompose(JsonObject Document, ImmutableArray<string> Warnings, ImmutableArray<StackFile> Files, string WorkingDirectory);

/// <summary>
/// Reads compose files as docker's `stack deploy` does (cli/command/stack/loader.go over cli/compose/loader): each file
/// parsed (<see cref="ComposeYaml"/>), its version checked, forbidden keys refused, interpolated
/// (<see cref="ComposeInterpolation"/>), validated (<see cref="ComposeSchema"/>), env_file and relative paths resolved;
/// then the files merged in order (<see cref="ComposeMerge"/>) and every service checked to name an image.
///
/// The Document handed to the converter keeps the compose shape: keys as written (snake_case), scalars typed (numbers
/// are numbers, booleans booleans; durations stay strings such as "10s"; sizes such as "512M" stay strings). Short and
/// long forms are left as written — ports "8080:80" or {target, published}, volumes "data:/x" or {type, source, target},
/// secrets "name" or {source, target}, `environment`/`labels`/`deploy.labels`/`extra_hosts`/`sysctls` as a list or a
/// mapping — the converter reads both. Only these are changed, as docker's loader changes them before converting:
/// - `env_file` is read and removed: its variables are put into `environment` (which then is a mapping), the entries
///   written in `environment` winning (docker's resolveEnvironment);
/// - an environment variable without a value (`- FOO`, `FOO:`) or with an empty one takes the value the deploying
///   environment gives it, if any (docker's updateEnvironment);
/// - relative (and `~`) sources of bind volumes, and the `file` of secrets and configs, are made absolute against the
///   working directory;
/// - the old `external: {name: x}` of networks, volumes, secrets and configs becomes `external: true` with `name: x`;
/// - several files are merged into one document (the rule is in <see cref="ComposeMerge"/>).
/// </summary>
public static partial class ComposeLoader
{
    // docker's types.UnsupportedProperties: read, never converted; docker warns and goes on.
    private static readonly string[] Unsupported =
    [
        "build", "cgroupns_mode", "cgroup_parent", "devices", "domainname", "external_links", "ipc", "links", "mac_address",
        "network_mode", "pid", "privileged", "restart", "security_opt", "shm_size", "userns_mode",
    ];

    // docker's types.DeprecatedProperties, with docker's words.
    private static readonly (string Key, string Why)[] Deprecated =
    [
        ("container_name", "Setting the container name is not supported."),
        ("expose", "Exposing ports is unnecessary - services on the same network can access each other's containers on any port."),
    ];

    // docker's types.ForbiddenProperties, with docker's words: the deploy is refused.
    private static readonly (string Key, string Why)[] Forbidden =
    [
        ("extends", "Support for `extends` is not implemented yet."),
        ("volume_driver", "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there."),
        ("volumes_from", "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option."),
        ("cpu_quota", "Set resource limits using deploy.resources"),
        ("cpu_shares", "Set resource limits using deploy.resources"),
        ("cpuset", "Set resource limits using deploy.resources"),
        ("mem_limit", "Set resource limits using deploy.resources"),
        ("memswap_limit", "Set resource limits using deploy.resources"),
    ];

    /// <summary>Reads the files (`-` is standard input's text, passed as <paramref name="stdin"/>), with <paramref name="environment"/> for interpolation.</summary>
    public static LoadedCompose Load(IReadOnlyList<string> paths, IReadOnlyDictionary<string, string> environment, string? stdin = null)
    {
        if (paths.Count == 0) throw new ComposeException("specify a Compose file (with --compose-file)");
        var workingDirectory = paths[0] == "-"
            ? Directory.GetCurrentDirectory()
            : Path.GetDirectoryName(Path.GetFullPath(paths[0])) ?? Directory.GetCurrentDirectory();

        var texts = paths.Select(path => Read(path, stdin)).ToList();
        var lookup = Lookup(environment, workingDirectory);
        var files = texts.Select(t => new StackFile(t.Path, StackDigest.Of(t.Bytes))).ToImmutableArray();

        var unset = new SortedSet<string>(StringComparer.Ordinal);
        var unsupported = new SortedSet<string>(StringComparer.Ordinal);
        var deprecated = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var notices = new List<string>();
        JsonObject? merged = null;
        int? firstMinor = null;
        string? firstVersion = null;

        foreach (var (path, bytes) in texts)
        {
            var document = ComposeYaml.Parse(Decode(bytes), path);
            var (minor, written) = Version(document, path);
            if (firstMinor is null) (firstMinor, firstVersion) = (minor, written);
            else if (firstMinor != minor)
                throw new ComposeException($"{path}: version mismatched between two composefiles: {firstVersion} and {written}");

            RefuseForbidden(document, path);
            foreach (var service in Services(document))
            {
                foreach (var key in Unsupported) if (service.Value.ContainsKey(key)) unsupported.Add(key);
                foreach (var (key, why) in Deprecated) if (service.Value.ContainsKey(key)) deprecated[key] = why;
            }

            var interpolation = new ComposeInterpolation(lookup, path);
            interpolation.Interpolate(document);
            unset.UnionWith(interpolation.Unset);

            ComposeSchema.Validate(document, minor, path);
            Externals(document, path, minor, notices);
            Resolve(document, path, workingDirectory, lookup);

            if (merged is null) merged = document;
            else ComposeMerge.Into(merged, document);
        }

        foreach (var (name, service) in Services(merged!))
            CheckImage(name, service);

        var warnings = ImmutableArray.CreateBuilder<string>();
        foreach (var name in unset) warnings.Add($"The {name} variable is not set. Defaulting to a blank string.");
        if (unsupported.Count > 0) warnings.Add($"Ignoring unsupported options: {string.Join(", ", unsupported)}");
        if (deprecated.Count > 0)
            warnings.Add("Ignoring deprecated options:\n\n" + string.Join("\n\n", deprecated.Select(d => $"{d.Key}: {d.Value}")));
        warnings.AddRange(notices.Distinct());
        return new LoadedCompose(merged!, warnings.ToImmutable(), files, workingDirectory);
    }

    private static (string Path, byte[] Bytes) Read(string path, string? stdin)
    {
        if (path == "-")
            return ("-", Encoding.UTF8.GetBytes(stdin ?? throw new ComposeException("-: no compose file was given on standard input")));
        try
        {
            return (path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ComposeException($"{path}: cannot read the compose file: {e.Message}");
        }
    }

    private static string Decode(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

    /// <summary>
    /// The variables interpolation sees: the deploying environment, then the `.env` file of the working directory for
    /// the variables the environment does not set. That is the Compose Specification's rule (and docker compose's);
    /// docker's own `stack deploy` does not read `.env` — issue 14 asks for it.
    /// </summary>
    private static Func<string, string?> Lookup(IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var dotEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(workingDirectory, ".env");
        if (File.Exists(path))
        {
            foreach (var (name, value) in ComposeEnvFile.Parse(File.ReadAllLines(path), ".env", dotEnvSyntax: true, _ => null))
                if (value is not null) dotEnv[name] = value;
        }
        return name => environment.TryGetValue(name, out var value) ? value : dotEnv.GetValueOrDefault(name);
    }

    /// <summary>The 3.x minor version the file is read as; absent or "3": the newest (docker's schema.Version).</summary>
    private static (int Minor, string Written) Version(JsonObject document, string path)
    {
        if (!document.TryGetPropertyValue("version", out var node)) return (ComposeSchema.Latest, "(none)");
        var written = node is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : node is JsonValue n && n.TryGetValue<double>(out var d) ? d.ToString(CultureInfo.InvariantCulture)
            : node?.ToJsonString() ?? "";
        if (written is "" or "3") return (ComposeSchema.Latest, written);
        var match = VersionPattern().Match(written);
        if (match.Success && int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var minor) && minor <= ComposeSchema.Latest)
            return (minor, written);
        throw new ComposeException($"{path}: version: unsupported Compose file version: {written} (a stack is deployed from version 3.0 to 3.{ComposeSchema.Latest} files, or files without a version: the Compose Specification)");
    }

    [GeneratedRegex(@"^3\.([0-9]+)$")]
    private static partial Regex VersionPattern();

    private static IEnumerable<KeyValuePair<string, JsonObject>> Services(JsonObject document) =>
        document["services"] is JsonObject services
            ? services.Where(s => s.Value is JsonObject).Select(s => KeyValuePair.Create(s.Key, (JsonObject)s.Value!))
            : [];

    private static void RefuseForbidden(JsonObject document, string path)
    {
        var found = (from service in Services(document)
                     from forbidden in Forbidden
                     where service.Value.ContainsKey(forbidden.Key)
                     orderby service.Key, forbidden.Key
                     select $"services.{service.Key}.{forbidden.Key}: {forbidden.Why}").ToList();
        if (found.Count > 0)
            throw new ComposeException($"{path}: compose file contains unsupported options:\n\n{string.Join("\n\n", found)}");
    }

    // docker's loadComposeFile: every service must name a valid image (a stack cannot build one).
    private static void CheckImage(string name, JsonObject service)
    {
        var image = service["image"]?.ToString();
        if (string.IsNullOrEmpty(image))
            throw new ComposeException($"services.{name}.image: invalid image reference for service {name}: no image specified");
        if (!ReferencePattern().IsMatch(image))
        {
            var repository = image.Split('@')[0];
            var lastSlash = repository.LastIndexOf('/');
            var colon = repository.IndexOf(':', lastSlash + 1);
            var name0 = colon >= 0 ? repository[..colon] : repository;
            var problem = name0.Any(char.IsAsciiLetterUpper) && ReferencePattern().IsMatch(image.ToLowerInvariant())
                ? $"invalid reference format: repository name ({name0}) must be lowercase"
                : "invalid reference format";
            throw new ComposeException($"services.{name}.image: invalid image reference for service {name}: {problem}");
        }
    }

    // distribution/reference's grammar, simplified: [domain[:port]/]path[:tag][@digest], path components lowercase.
    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")]
    private static partial Regex ReferencePattern();

    // --- env_file, environment and paths (docker's resolveEnvironment, resolveVolumePaths, loadFileObjectConfig) ---

    private static void Resolve(JsonObject document, string path, string workingDirectory, Func<string, string?> lookup)
    {
        foreach (var (name, service) in Services(document))
        {
            ResolveEnvironment(service, $"services.{name}", path, workingDirectory, lookup);
            ResolveVolumes(service, $"services.{name}", path, workingDirectory, lookup);
        }
        foreach (var kind in new[] { "secrets", "configs" })
        {
            if (document[kind] is not JsonObject objects) continue;
            foreach (var (name, node) in objects)
            {
                if (node is not JsonObject obj || obj["file"] is not JsonValue file || obj["external"] is JsonValue { } ext && ext.TryGetValue<bool>(out var isExternal) && isExternal)
                    continue;
                obj["file"] = Absolute(file.ToString(), workingDirectory, lookup);
            }
        }
    }

    /// <summary>
    /// External networks, volumes, secrets and configs as docker's LoadNetworks / LoadVolumes / loadFileObjectConfig
    /// check them: an external volume cannot also say how to create it; the old `external: {name: x}` becomes
    /// `external: true` with `name: x` (and may not be written beside `name`); an object of the stack's own needs a
    /// `file` (secrets, configs), which docker would otherwise read as the working directory.
    /// </summary>
    private static void Externals(JsonObject document, string path, int minor, List<string> notices)
    {
        foreach (var (section, kind, deprecatedSince) in new[] { ("networks", "network", 5), ("volumes", "volume", 4), ("secrets", "secret", 5), ("configs", "config", 5) })
        {
            if (document[section] is not JsonObject objects) continue;
            foreach (var (name, node) in objects)
            {
                if (node is not JsonObject obj) continue;
                var external = obj["external"];
                var isExternal = external is JsonObject || (external is JsonValue v && v.TryGetValue<bool>(out var b) && b);
                if (isExternal && kind == "volume")
                {
                    foreach (var key in new[] { "driver", "driver_opts", "labels" })
                        if (obj.ContainsKey(key))
                            throw new ComposeException($"{path}: volumes.{name}: conflicting parameters \"external\" and \"{key}\" specified for volume \"{name}\"");
                }
                if (external is JsonObject named)
                {
                    if (named["name"] is { } externalName)
                    {
                        if (obj.ContainsKey("name"))
                            throw new ComposeException($"{path}: {section}.{name}: {kind}.external.name and {kind}.name conflict; only use {kind}.name");
                        if (minor >= deprecatedSince)
                            notices.Add($"{kind} {name}: {kind}.external.name is deprecated in favor of {kind}.name");
                        obj["name"] = externalName.DeepClone();
                    }
                    obj["external"] = true;
                }
                if (!isExternal && kind is "secret" or "config" && !obj.ContainsKey("file") && !obj.ContainsKey("driver"))
                    throw new ComposeException($"{path}: {section}.{name}: file is required (the file holding the {kind}'s data), or external: true for a {kind} that exists already");
                if (!isExternal && kind is "secret" && obj.ContainsKey("file") && obj.ContainsKey("driver"))
                    throw new ComposeException($"{path}: {section}.{name}: {kind}.driver and {kind}.file conflict; only use {kind}.driver");
            }
        }
    }

    private static void ResolveEnvironment(JsonObject service, string at, string path, string workingDirectory, Func<string, string?> lookup)
    {
        if (service["env_file"] is { } envFiles)
        {
            var fromFiles = new JsonObject();
            var names = envFiles is JsonArray list ? list.Select(n => n?.ToString() ?? "").ToList() : [envFiles.ToString()];
            foreach (var envFile in names)
            {
                var file = Absolute(envFile, workingDirectory, lookup);
                string[] lines;
                try { lines = File.ReadAllLines(file); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ComposeException($"{path}: {at}.env_file: cannot read {file}: {e.Message}");
                }
                foreach (var (name, value) in ComposeEnvFile.Parse(lines, $"{path}: {at}.env_file: {file}", dotEnvSyntax: false, lookup))
                    fromFiles[name] = value;
            }
            var environment = fromFiles;
            if (service["environment"] is { } written)
                foreach (var (name, value) in ComposeMerge.AsMapping(written)) environment[name] = value?.DeepClone();
            service.Remove("env_file");
            service["environment"] = environment;
        }

        switch (service["environment"])
        {
            case JsonObject map:
                foreach (var (name, value) in map.ToList())
                    if ((value is null || value.ToString().Length == 0) && lookup(name) is { } fromEnvironment) map[name] = fromEnvironment;
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var entry = list[i]?.ToString() ?? "";
                    var parts = entry.Split('=', 2);
                    if ((parts.Length == 1 || parts[1].Length == 0) && lookup(parts[0]) is { } fromEnvironment) list[i] = $"{parts[0]}={fromEnvironment}";
                }
                break;
        }
    }

    private static void ResolveVolumes(JsonObject service, string at, string path, string workingDirectory, Func<string, string?> lookup)
    {
        if (service["volumes"] is not JsonArray volumes) return;
        for (var i = 0; i < volumes.Count; i++)
        {
            switch (volumes[i])
            {
                case JsonObject mount when mount["type"]?.ToString() == "bind":
                    var source = mount["source"]?.ToString();
                    if (string.IsNullOrEmpty(source))
                        throw new ComposeException($"{path}: {at}.volumes[{i}].source: invalid mount config for type \"bind\": field Source must not be empty");
                    mount["source"] = Absolute(source, workingDirectory, lookup);
                    break;
                case JsonValue value when value.TryGetValue<string>(out var spec):
                    var colon = spec.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0) break;
                    var host = spec[..colon];
                    // docker's volumespec: a source that starts like a path is a bind mount, otherwise a volume's name
                    if (host.StartsWith('.') || host.StartsWith('~'))
                        volumes[i] = Absolute(host, workingDirectory, lookup) + spec[colon..];
                    break;
            }
        }
    }

    private static string Absolute(string path, string workingDirectory, Func<string, string?> lookup)
    {
        if (path.StartsWith('~') && lookup("HOME") is { } home)
            path = home + path[1..];
        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(workingDirectory, path));
    }
}
