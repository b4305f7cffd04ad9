using System.Collections.Immutable;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>A loaded compose document as the stack it asks for, plus what docker would warn about while converting.</summary>
public sealed record ConvertedStack(StackSpec Spec, ImmutableArray<string> Warnings);

/// <summary>
/// The loaded compose document as Swarm objects, named, labelled and defaulted as docker/cli's
/// cli/compose/convert does, so that `eventswarm stack deploy` and `docker stack deploy` of one file give the same services.
/// </summary>
public static partial class ComposeConverter
{
    private const string DefaultNetwork = "default";

    /// <param name="readFile">Reads a secret's or config's `file:` (absolute paths; the loader resolved them).</param>
    public static ConvertedStack Convert(string stackName, LoadedCompose loaded, Func<string, byte[]> readFile)
    {
        var document = loaded.Document;
        var warnings = new List<string>();
        var stack = new Namespace(stackName);
        var version = Scalar(document["version"], "version");

        var networks = Declarations(document, "networks", (name, o) => NetworkDeclaration.Read(name, o, version, warnings));
        var volumes = Declarations(document, "volumes", (name, o) => VolumeDeclaration.Read(name, o, version, warnings));
        var secrets = Declarations(document, "secrets", (name, o) => FileObjectDeclaration.Read("secret", name, o, version, loaded.WorkingDirectory, warnings));
        var configs = Declarations(document, "configs", (name, o) => FileObjectDeclaration.Read("config", name, o, version, loaded.WorkingDirectory, warnings));

        // docker deploys from a Go map: in no order it promises. Sorted, a deploy reads the same every time.
        var services = (ObjectOrNull(document["services"], "services") ?? new JsonObject())
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => (Name: s.Key, Definition: ObjectOrNull(s.Value, $"services.{s.Key}") ?? new JsonObject()))
            .ToList();

        var (stackNetworks, externalNetworks) = ConvertNetworks(stack, networks, services.Select(s => ServiceNetworkNames(s.Name, s.Definition)), warnings);
        var stackSecrets = ConvertFileObjects("secret", stack, secrets, readFile);
        var stackConfigs = ConvertFileObjects("config", stack, configs, readFile);

        var context = new StackContext(stack, networks, volumes, secrets, configs, loaded.WorkingDirectory, warnings);
        var specs = services.Select(s => ConvertService(context, s.Name, s.Definition)).ToImmutableArray();

        return new ConvertedStack(
            new StackSpec
            {
                Name = stackName,
                Services = specs,
                Networks = stackNetworks,
                ExternalNetworks = externalNetworks,
                Secrets = stackSecrets,
                ExternalSecrets = ReferencedExternals(specs.SelectMany(s => s.TaskTemplate.Container.Secrets.Select(r => r.SecretName)), secrets),
                Configs = stackConfigs,
                ExternalConfigs = ReferencedExternals(specs.SelectMany(s => s.TaskTemplate.Container.Configs.Select(r => r.ConfigName)), configs),
                Files = loaded.Files,
            },
            [.. warnings]);
    }

    /// <summary>docker's convert.Namespace: `&lt;stack&gt;_&lt;name&gt;`, and the stack label added to (a copy of) labels.</summary>
    private sealed record Namespace(string Name)
    {
        public string Scope(string name) => Name + "_" + name;

        public ImmutableDictionary<string, string> Label(ImmutableDictionary<string, string> labels) => labels.SetItem(StackSpec.NamespaceLabel, Name);
    }

    private sealed record StackContext(
        Namespace Stack,
        IReadOnlyDictionary<string, NetworkDeclaration> Networks,
        IReadOnlyDictionary<string, VolumeDeclaration> Volumes,
        IReadOnlyDictionary<string, FileObjectDeclaration> Secrets,
        IReadOnlyDictionary<string, FileObjectDeclaration> Configs,
        string WorkingDirectory,
        List<string> Warnings);

    private static Dictionary<string, T> Declarations<T>(JsonObject document, string section, Func<string, JsonObject, T> read) =>
        (ObjectOrNull(document[section], section) ?? []).ToDictionary(
            p => p.Key,
            p => read(p.Key, ObjectOrNull(p.Value, $"{section}.{p.Key}") ?? []),
            StringComparer.Ordinal);

    /// <summary>
    /// docker's convert.Networks: only the networks some service joins (a service that names none joins
    /// `default`), each created as `&lt;stack&gt;_&lt;name&gt;` (or its `name:`), overlay unless told otherwise; the
    /// external ones are only looked up.
    /// </summary>
    private static (ImmutableArray<NetworkSpec> Created, ImmutableArray<string> External) ConvertNetworks(
        Namespace stack, IReadOnlyDictionary<string, NetworkDeclaration> declared, IEnumerable<IEnumerable<string>> serviceNetworks, List<string> warnings)
    {
        var created = new List<NetworkSpec>();
        var external = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in serviceNetworks.SelectMany(n => n).Distinct().Order(StringComparer.Ordinal))
        {
            var network = declared.GetValueOrDefault(key) ?? NetworkDeclaration.Undeclared;
            if (network.External)
            {
                // docker's validateExternalNetworks: the engine's own networks (`host` for host networking) exist
                // on every node and are not looked up.
                if (IsUserDefined(network.Name ?? key)) external.Add(network.Name ?? key);
                continue;
            }
            network.WarnUnsupported(key, warnings);
            created.Add(new NetworkSpec
            {
                Name = network.Name ?? stack.Scope(key),
                // docker's createNetworks: "overlay" when the file names no driver.
                Driver = string.IsNullOrEmpty(network.Driver) ? "overlay" : network.Driver,
                Subnet = network.Subnets.FirstOrDefault(),
                Attachable = network.Attachable,
                Labels = stack.Label(network.Labels),
            });
        }
        return ([.. created.OrderBy(n => n.Name, StringComparer.Ordinal)], [.. external]);
    }

    /// <summary>docker's convert.Secrets and convert.Configs: every one the file declares and does not mark external.</summary>
    private static ImmutableArray<StackFileObject> ConvertFileObjects(
        string kind, Namespace stack, IReadOnlyDictionary<string, FileObjectDeclaration> declared, Func<string, byte[]> readFile)
    {
        var objects = new List<StackFileObject>();
        foreach (var (key, declaration) in declared.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (declaration.External) continue;
            if (!string.IsNullOrEmpty(declaration.Driver))
                throw new ComposeException($"{kind} {key}: {kind} driver '{declaration.Driver}' is not available: EventSwarm keeps {kind} data in its own log");
            if (!string.IsNullOrEmpty(declaration.TemplateDriver))
                throw new ComposeException($"{kind} {key}: template driver '{declaration.TemplateDriver}' is not supported");
            var path = declaration.File ?? throw new ComposeException($"{kind} {key}: one of file, external (or driver) must be given");
            byte[] data;
            try
            {
                data = readFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The reason only, never the content: the file is a secret's.
                throw new ComposeException($"{kind} {key}: cannot read {path}: {e.Message}");
            }
            objects.Add(new StackFileObject(declaration.Name ?? stack.Scope(key), stack.Label(declaration.Labels), [.. data]));
        }
        return [.. objects];
    }

    /// <summary>The external secrets or configs the services refer to: they must exist when the stack is deployed.</summary>
    private static ImmutableArray<string> ReferencedExternals(IEnumerable<string> referencedNames, IReadOnlyDictionary<string, FileObjectDeclaration> declared)
    {
        var externalNames = declared.Where(d => d.Value.External).Select(d => d.Value.Name ?? d.Key).ToHashSet(StringComparer.Ordinal);
        return [.. referencedNames.Where(externalNames.Contains).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>versions.GreaterThanOrEqualTo: dotted numbers compared one by one; a file without `version` is the newest format.</summary>
    private static bool VersionAtLeast(string? version, string minimum)
    {
        if (string.IsNullOrEmpty(version)) return true;
        var a = version.Split('.');
        var b = minimum.Split('.');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length && int.TryParse(a[i], out var ai) ? ai : 0;
            var y = i < b.Length && int.TryParse(b[i], out var bi) ? bi : 0;
            if (x != y) return x > y;
        }
        return true;
    }

    /// <summary>
    /// `external: true` or the deprecated `external: {name: x}`; an external object without `name:` is known by its
    /// key (docker's LoadNetworks, LoadVolumes, loadFileObjectConfig).
    /// </summary>
    private static (bool External, string? Name) ReadExternal(string kind, string key, JsonObject o, string? version, string deprecatedSince, List<string> warnings)
    {
        var name = String(o, "name", $"{kind}s.{key}");
        var external = o["external"];
        switch (external)
        {
            case null:
                return (false, string.IsNullOrEmpty(name) ? null : name);
            case JsonObject named:
                var externalName = String(named, "name", $"{kind}s.{key}.external");
                if (!string.IsNullOrEmpty(externalName))
                {
                    if (!string.IsNullOrEmpty(name))
                        throw new ComposeException($"{kind} {key}: {kind}.external.name and {kind}.name conflict; only use {kind}.name");
                    if (VersionAtLeast(version, deprecatedSince))
                        warnings.Add($"{kind} {key}: {kind}.external.name is deprecated in favor of {kind}.name");
                    return (true, externalName);
                }
                return (true, string.IsNullOrEmpty(name) ? key : name);
            default:
                var isExternal = Bool(o, "external", $"{kind}s.{key}");
                return (isExternal, isExternal && string.IsNullOrEmpty(name) ? key : string.IsNullOrEmpty(name) ? null : name);
        }
    }

    private sealed record NetworkDeclaration(
        string? Name, string? Driver, ImmutableDictionary<string, string>? DriverOptions, string? IpamDriver, ImmutableArray<string> Subnets,
        bool External, bool Internal, bool Attachable, ImmutableDictionary<string, string> Labels)
    {
        /// <summary>A network a service names without declaring it (`default`): all defaults.</summary>
        public static NetworkDeclaration Undeclared { get; } = new(null, null, null, null, [], false, false, false, ImmutableDictionary<string, string>.Empty);

        public static NetworkDeclaration Read(string key, JsonObject o, string? version, List<string> warnings)
        {
            var what = $"networks.{key}";
            var (external, name) = ReadExternal("network", key, o, version, "3.5", warnings);
            var ipam = ObjectOrNull(o["ipam"], $"{what}.ipam");
            return new NetworkDeclaration(
                name,
                String(o, "driver", what),
                StringMap(o["driver_opts"], $"{what}.driver_opts"),
                ipam is null ? null : String(ipam, "driver", $"{what}.ipam"),
                [.. (ArrayOrNull(ipam?["config"], $"{what}.ipam.config") ?? [])
                    .Select(c => ObjectOrNull(c, $"{what}.ipam.config") is { } pool ? String(pool, "subnet", $"{what}.ipam.config") : null)
                    .OfType<string>()],
                external,
                Bool(o, "internal", what),
                Bool(o, "attachable", what),
                Mapping(o["labels"], $"{what}.labels"));
        }

        /// <summary>What docker would pass to the network driver but EventSwarm's networks cannot hold: said, not silently lost.</summary>
        public void WarnUnsupported(string key, List<string> warnings)
        {
            if (DriverOptions is { Count: > 0 }) warnings.Add($"network {key}: driver_opts are not supported by EventSwarm and are ignored");
            if (Internal) warnings.Add($"network {key}: internal is not supported by EventSwarm and is ignored");
            if (!string.IsNullOrEmpty(IpamDriver) && IpamDriver != "default") warnings.Add($"network {key}: ipam driver {IpamDriver} is not supported by EventSwarm and is ignored");
            if (Subnets.Length > 1) warnings.Add($"network {key}: EventSwarm gives a network one subnet: {Subnets[0]} is used, the others are ignored");
        }
    }

    private sealed record VolumeDeclaration(string? Name, string? Driver, ImmutableDictionary<string, string>? DriverOptions, bool External, ImmutableDictionary<string, string> Labels)
    {
        public static VolumeDeclaration Read(string key, JsonObject o, string? version, List<string> warnings)
        {
            var what = $"volumes.{key}";
            var driver = String(o, "driver", what);
            var options = StringMap(o["driver_opts"], $"{what}.driver_opts");
            var labels = Mapping(o["labels"], $"{what}.labels");
            var external = o["external"] is not null && (o["external"] is JsonObject || Bool(o, "external", what));
            if (external)
            {
                // docker's LoadVolumes: an external volume is the engine's; the file cannot also describe it.
                string? conflict = !string.IsNullOrEmpty(driver) ? "driver" : options is { Count: > 0 } ? "driver_opts" : labels.Count > 0 ? "labels" : null;
                if (conflict is not null) throw new ComposeException($"conflicting parameters \"external\" and \"{conflict}\" specified for volume \"{key}\"");
            }
            var (isExternal, name) = ReadExternal("volume", key, o, version, "3.4", warnings);
            return new VolumeDeclaration(name, driver, options, isExternal, labels);
        }
    }

    private sealed record FileObjectDeclaration(string? Name, string? File, bool External, ImmutableDictionary<string, string> Labels, string? Driver, string? TemplateDriver)
    {
        public static FileObjectDeclaration Read(string kind, string key, JsonObject o, string? version, string workingDirectory, List<string> warnings)
        {
            var what = $"{kind}s.{key}";
            var (external, name) = ReadExternal(kind, key, o, version, "3.5", warnings);
            var driver = String(o, "driver", what);
            var file = String(o, "file", what);
            if (!external && !string.IsNullOrEmpty(driver) && !string.IsNullOrEmpty(file))
                throw new ComposeException($"{kind} {key}: {kind}.driver and {kind}.file conflict; only use {kind}.driver");
            // The loader makes `file:` absolute; done again here (idempotent) so a document from elsewhere reads the same.
            if (!external && string.IsNullOrEmpty(driver) && file is not null && !Path.IsPathRooted(file))
                file = Path.GetFullPath(Path.Combine(workingDirectory, file));
            return new FileObjectDeclaration(name, external ? null : file, external, Mapping(o["labels"], $"{what}.labels"), driver, String(o, "template_driver", what));
        }
    }
}
