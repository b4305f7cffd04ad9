using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.Infrastructure.Stacks;

// One compose service as docker/cli's convert.Service makes it (cli/compose/convert/service.go): every part the
// stock CLI sends is sent here the same way, including the empty ones Swarm reads back (a Placement, Privileges).
public static partial class ComposeConverter
{
    private static IEnumerable<string> ServiceNetworkNames(string service, JsonObject definition)
    {
        var names = ServiceNetworks(definition["networks"], $"services.{service}.networks").Select(n => n.Name).ToList();
        return names.Count == 0 ? [DefaultNetwork] : names;
    }

    private static ServiceSpec ConvertService(StackContext context, string service, JsonObject definition)
    {
        try
        {
            return ConvertService(context, service, definition, $"services.{service}");
        }
        catch (ComposeException e) when (!e.Message.StartsWith($"service {service}: ", StringComparison.Ordinal))
        {
            // docker's convert.Services: every error of a service names it.
            throw new ComposeException($"service {service}: {e.Message}");
        }
    }

    private static ServiceSpec ConvertService(StackContext context, string service, JsonObject s, string what)
    {
        var stack = context.Stack;
        var deploy = ObjectOrNull(s["deploy"], $"{what}.deploy") ?? [];
        var secrets = ConvertSecretReferences(context, s, what);
        var credentialSpec = ObjectOrNull(s["credential_spec"], $"{what}.credential_spec");
        var configs = ConvertConfigReferences(context, s, credentialSpec, what);

        var endpoint = ConvertEndpoint(String(deploy, "endpoint_mode", $"{what}.deploy"), s["ports"], $"{what}.ports", context.Warnings);
        var mode = ConvertMode(String(deploy, "mode", $"{what}.deploy"), Integer(deploy, "replicas", $"{what}.deploy"));
        var mounts = ConvertMounts(context, s["volumes"], $"{what}.volumes");
        var resources = ObjectOrNull(deploy["resources"], $"{what}.deploy.resources") ?? [];
        var restartPolicy = ConvertRestartPolicy(String(s, "restart", what), ObjectOrNull(deploy["restart_policy"], $"{what}.deploy.restart_policy"), $"{what}.deploy.restart_policy");
        var healthcheck = ConvertHealthcheck(ObjectOrNull(s["healthcheck"], $"{what}.healthcheck"), $"{what}.healthcheck", context.Warnings);
        var networks = ConvertServiceNetworks(context, service, s["networks"], $"{what}.networks");
        var credential = ConvertCredentialSpec(stack, credentialSpec, configs);
        var logging = ObjectOrNull(s["logging"], $"{what}.logging");
        var (capAdd, capDrop) = EffectiveCapabilities(StringList(s["cap_add"], $"{what}.cap_add"), StringList(s["cap_drop"], $"{what}.cap_drop"));
        var placement = ObjectOrNull(deploy["placement"], $"{what}.deploy.placement") ?? [];

        if (Integer(s, "oom_score_adj", what) is not (null or 0))
            context.Warnings.Add($"service {service}: oom_score_adj is not supported by EventSwarm and is ignored");

        var image = String(s, "image", what) ?? "";
        return new ServiceSpec
        {
            Name = stack.Scope(service),
            // The image label is set last: the file cannot override it.
            Labels = stack.Label(Mapping(deploy["labels"], $"{what}.deploy.labels")).SetItem(StackSpec.ImageLabel, image),
            Mode = mode,
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec
                {
                    Image = ImageWithTag(image),
                    Command = ShellCommand(s["entrypoint"], $"{what}.entrypoint"),
                    Args = ShellCommand(s["command"], $"{what}.command"),
                    Hostname = NullIfEmpty(String(s, "hostname", what)),
                    Hosts = ConvertExtraHosts(s["extra_hosts"], $"{what}.extra_hosts"),
                    DnsConfig = ConvertDnsConfig(StringList(s["dns"], $"{what}.dns"), StringList(s["dns_search"], $"{what}.dns_search")),
                    Healthcheck = healthcheck,
                    Env = ConvertEnvironment(s["environment"], $"{what}.environment"),
                    Labels = stack.Label(Mapping(s["labels"], $"{what}.labels")),
                    Dir = NullIfEmpty(String(s, "working_dir", what)),
                    User = NullIfEmpty(String(s, "user", what)),
                    Mounts = mounts,
                    StopGracePeriod = OptionalDuration(s, "stop_grace_period", what),
                    StopSignal = NullIfEmpty(String(s, "stop_signal", what)),
                    Tty = Bool(s, "tty", what),
                    OpenStdin = Bool(s, "stdin_open", what),
                    Secrets = secrets,
                    Configs = configs,
                    ReadOnly = Bool(s, "read_only", what),
                    // docker always sends Privileges, empty unless a credential spec is given.
                    Privileges = new Privileges(credential, null),
                    // The engine API reads "default" back as no isolation (ServiceWire), so does this.
                    Isolation = String(s, "isolation", what) is { Length: > 0 } isolation and not "default" ? isolation : null,
                    Init = OptionalBool(s, "init", what),
                    Sysctls = Mapping(s["sysctls"], $"{what}.sysctls"),
                    CapabilityAdd = capAdd,
                    CapabilityDrop = capDrop,
                    Ulimits = ConvertUlimits(ObjectOrNull(s["ulimits"], $"{what}.ulimits"), $"{what}.ulimits"),
                },
                LogDriver = logging is null ? null : new Driver(String(logging, "driver", $"{what}.logging") ?? "")
                {
                    Options = StringMap(logging["options"], $"{what}.logging.options") ?? ImmutableDictionary<string, string>.Empty,
                },
                Limits = ConvertLimits(ObjectOrNull(resources["limits"], $"{what}.deploy.resources.limits"), $"{what}.deploy.resources.limits"),
                Reservations = ConvertReservations(ObjectOrNull(resources["reservations"], $"{what}.deploy.resources.reservations"), $"{what}.deploy.resources.reservations"),
                RestartPolicy = restartPolicy,
                // docker always sends a Placement, empty when the file has none.
                Placement = new Placement(StringList(placement["constraints"], $"{what}.deploy.placement.constraints"))
                {
                    Preferences = [.. (ArrayOrNull(placement["preferences"], $"{what}.deploy.placement.preferences") ?? [])
                        .Select(p => new PlacementPreference(String(ObjectOrNull(p, $"{what}.deploy.placement.preferences") ?? [], "spread", $"{what}.deploy.placement.preferences") ?? ""))],
                    MaxReplicas = Integer(placement, "max_replicas_per_node", $"{what}.deploy.placement") ?? 0,
                },
                Networks = networks,
            },
            Endpoint = endpoint,
            HasEndpointSpec = true,
            UpdateConfig = ConvertUpdateConfig(ObjectOrNull(deploy["update_config"], $"{what}.deploy.update_config"), $"{what}.deploy.update_config"),
            RollbackConfig = ConvertUpdateConfig(ObjectOrNull(deploy["rollback_config"], $"{what}.deploy.rollback_config"), $"{what}.deploy.rollback_config"),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // ---- mode, endpoint

    private static ServiceMode ConvertMode(string? mode, long? replicas)
    {
        if (replicas < 0) throw new ComposeException($"invalid replicas value {replicas}: must be a non-negative integer");
        return mode switch
        {
            null or "" or "replicated" => ServiceMode.Replicated(replicas ?? 1),
            "global" => replicas is null ? ServiceMode.Global : throw new ComposeException("replicas can only be used with replicated or replicated-job mode"),
            "replicated-job" or "global-job" => throw new ComposeException("job modes (replicated-job, global-job) are not supported yet"),
            _ => throw new ComposeException($"unknown mode: {mode}"),
        };
    }

    private static EndpointSpec ConvertEndpoint(string? endpointMode, JsonNode? ports, string what, List<string> warnings)
    {
        var mode = endpointMode?.ToLowerInvariant() switch
        {
            null or "" or "vip" => EndpointMode.Vip,
            "dnsrr" => EndpointMode.Dnsrr,
            _ => throw new ComposeException($"invalid resolution mode: \"{endpointMode}\""),
        };
        var configs = new List<(string Protocol, long Target, long Published, string Mode)>();
        foreach (var entry in ArrayOrNull(ports, what) ?? [])
        {
            if (entry is JsonObject port)
                configs.Add((String(port, "protocol", what) ?? "", Integer(port, "target", what) ?? 0, Integer(port, "published", what) ?? 0, String(port, "mode", what) ?? ""));
            else
                configs.AddRange(ParsePortSpec(Scalar(entry, what) ?? "", what, warnings));
        }
        // swarm.PortConfig.Compare: published, target, protocol, mode, as the strings were written.
        var sorted = configs
            .OrderBy(p => p.Published).ThenBy(p => p.Target)
            .ThenBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.Mode, StringComparer.Ordinal);
        return new EndpointSpec(mode, [.. sorted.Select(p => new PortConfig(
            p.Protocol.ToLowerInvariant() switch
            {
                "" or "tcp" => PortProtocol.Tcp,
                "udp" => PortProtocol.Udp,
                var other => throw new ComposeException($"invalid protocol '{other}': EventSwarm publishes tcp or udp ports"),
            },
            PortNumber(p.Target, "target port"),
            PortNumber(p.Published, "published port"),
            p.Mode.ToLowerInvariant() switch
            {
                "" or "ingress" => PublishMode.Ingress,
                "host" => PublishMode.Host,
                var other => throw new ComposeException($"invalid publish mode '{other}': must be ingress or host"),
            }))]);
    }

    private static int PortNumber(long port, string name) =>
        port is < 0 or > 65535 ? throw new ComposeException($"invalid {name} {port}: must be between 0 and 65535") : (int)port;

    /// <summary>
    /// The short syntax, `[ip:][published[-end]:]target[-end][/protocol]`, as go-connections' ParsePortSpec and
    /// docker's ConvertPortToPortConfig read it: one port per target, a published range with a single target
    /// publishes it on each; the IP is dropped with docker's warning (Swarm listens on every address).
    /// </summary>
    private static IEnumerable<(string Protocol, long Target, long Published, string Mode)> ParsePortSpec(string raw, string what, List<string> warnings)
    {
        var parts = raw.Split(':');
        var (ip, hostPort, containerPort) = parts.Length switch
        {
            1 => ("", "", parts[0]),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => (string.Join(':', parts[..^2]), parts[^2], parts[^1]),
        };
        var slash = containerPort.IndexOf('/');
        var protocol = slash < 0 ? "tcp" : containerPort[(slash + 1)..];
        containerPort = slash < 0 ? containerPort : containerPort[..slash];
        if (containerPort.Length == 0) throw new ComposeException($"no port specified: {raw}<empty>");
        if (protocol.Length == 0) protocol = "tcp";
        protocol = protocol.ToLowerInvariant();
        if (protocol is not ("tcp" or "udp" or "sctp")) throw new ComposeException($"invalid proto: {protocol}");
        if (ip.StartsWith('[') && ip.EndsWith(']')) ip = ip[1..^1];
        if (ip.Length > 0 && !IPAddress.TryParse(ip, out _)) throw new ComposeException($"invalid IP address: {ip}");
        var (start, end) = PortRange(containerPort) ?? throw new ComposeException($"invalid containerPort: {containerPort}");
        var (hostStart, hostEnd) = (0, 0);
        if (hostPort.Length > 0)
        {
            (hostStart, hostEnd) = PortRange(hostPort) ?? throw new ComposeException($"invalid hostPort: {hostPort}");
            if (end - start != hostEnd - hostStart && end != start)
                throw new ComposeException($"invalid ranges specified for container and host Ports: {containerPort} and {hostPort}");
        }
        if (ip.Length > 0 && IPAddress.Parse(ip) is var address && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
        {
            var hostAndPort = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]:{hostPort}" : $"{ip}:{hostPort}";
            warnings.Add($"ignoring IP-address ({hostAndPort}:{containerPort}/{protocol}) service will listen on '0.0.0.0'");
        }
        var count = end - start + 1;
        for (var i = 0; i < count; i++)
        {
            if (hostPort.Length == 0)
                yield return (protocol, start + i, 0, "ingress");
            else if (count == 1)
                for (var published = hostStart; published <= hostEnd; published++) yield return (protocol, start, published, "ingress");
            else
                yield return (protocol, start + i, hostStart + i, "ingress");
        }
    }

    private static (int Start, int End)? PortRange(string text)
    {
        var dash = text.IndexOf('-');
        var (first, last) = dash < 0 ? (text, text) : (text[..dash], text[(dash + 1)..]);
        if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start) || start > 65535) return null;
        if (first == last) return (start, start);
        if (!int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var end) || end > 65535 || end < start) return null;
        return (start, end);
    }

    // ---- networks

    private static List<(string Name, JsonObject? Config)> ServiceNetworks(JsonNode? node, string what) => node switch
    {
        null => [],
        JsonArray list => [.. list.Select(n => (Scalar(n, what) ?? "", (JsonObject?)null))],
        JsonObject map => [.. map.Select(p => (p.Key, ObjectOrNull(p.Value, $"{what}.{p.Key}")))],
        _ => throw new ComposeException($"{what} must be a list or a mapping"),
    };

    /// <summary>
    /// docker's convertServiceNetworks: `&lt;stack&gt;_default` for a service that names none; on every user-defined
    /// network the service's short name is an alias (so `WORDPRESS_DB_HOST: mysql` resolves); sorted by target.
    /// </summary>
    private static ImmutableArray<ServiceNetwork> ConvertServiceNetworks(StackContext context, string service, JsonNode? node, string what)
    {
        var named = ServiceNetworks(node, what);
        if (named.Count == 0) named = [(DefaultNetwork, null)];
        var attachments = new List<ServiceNetwork>();
        foreach (var (name, config) in named)
        {
            var declared = context.Networks.GetValueOrDefault(name);
            if (declared is null && name != DefaultNetwork) throw new ComposeException($"undefined network \"{name}\"");
            var target = declared?.Name ?? context.Stack.Scope(name);
            var aliases = config is null ? [] : StringList(config["aliases"], $"{what}.{name}.aliases");
            // The engine's own networks take no aliases.
            if (IsUserDefined(target)) aliases = aliases.Add(service);
            if (config is not null && (config["ipv4_address"] is not null || config["ipv6_address"] is not null))
                context.Warnings.Add($"service {service}: network {name}: ipv4_address and ipv6_address are not supported by Swarm and are ignored");
            attachments.Add(new ServiceNetwork(target, aliases)
            {
                DriverOpts = config is null ? ImmutableDictionary<string, string>.Empty : StringMap(config["driver_opts"], $"{what}.{name}.driver_opts") ?? ImmutableDictionary<string, string>.Empty,
            });
        }
        return [.. attachments.OrderBy(a => a.Target, StringComparer.Ordinal)];
    }

    /// <summary>container.NetworkMode.IsUserDefined: not one of the networks every engine has (default, bridge, host, none, container:…).</summary>
    private static bool IsUserDefined(string network) =>
        network is not ("default" or "bridge" or "host" or "none") && !network.StartsWith("container:", StringComparison.Ordinal);

    // ---- mounts

    private static ImmutableArray<Mount> ConvertMounts(StackContext context, JsonNode? node, string what)
    {
        var mounts = ImmutableArray.CreateBuilder<Mount>();
        foreach (var entry in ArrayOrNull(node, what) ?? [])
        {
            var volume = entry is JsonObject o ? VolumeSpec.Read(o, what) : VolumeSpec.Parse(Scalar(entry, what) ?? "", what);
            mounts.Add(ConvertMount(context, volume.WithResolvedBindSource(context.WorkingDirectory)));
        }
        return mounts.ToImmutable();
    }

    /// <summary>A service's volume entry, short or long, as docker's volumespec.VolumeConfig.</summary>
    private sealed record VolumeSpec(string Type, string Source, string Target, bool ReadOnly)
    {
        public string? Propagation { get; init; }
        public bool HasBind { get; init; }
        public bool? NoCopy { get; init; }
        public string? Subpath { get; init; }
        public long? TmpfsSize { get; init; }
        public bool HasOther { get; init; }

        public static VolumeSpec Read(JsonObject o, string what)
        {
            var bind = ObjectOrNull(o["bind"], $"{what}.bind");
            var volume = ObjectOrNull(o["volume"], $"{what}.volume");
            var tmpfs = ObjectOrNull(o["tmpfs"], $"{what}.tmpfs");
            return new VolumeSpec(String(o, "type", what) ?? "", String(o, "source", what) ?? "", String(o, "target", what) ?? "", Bool(o, "read_only", what))
            {
                HasBind = bind is not null,
                Propagation = bind is null ? null : NullIfEmpty(String(bind, "propagation", $"{what}.bind")),
                NoCopy = volume is null ? null : Bool(volume, "nocopy", $"{what}.volume"),
                Subpath = volume is null ? null : NullIfEmpty(String(volume, "subpath", $"{what}.volume")),
                TmpfsSize = tmpfs is null ? null : OptionalSize(tmpfs, "size", $"{what}.tmpfs") ?? 0,
                HasOther = o["image"] is not null || o["cluster"] is not null,
            };
        }

        private static readonly string[] Propagations = ["private", "rprivate", "shared", "rshared", "slave", "rslave"];

        /// <summary>docker's volumespec.Parse: `[source:]target[:options]`; a source starting with '.', '/' or '~' is a bind.</summary>
        public static VolumeSpec Parse(string spec, string what)
        {
            if (spec.Length == 0) throw new ComposeException("invalid empty volume spec");
            if (spec.Length <= 2) return new VolumeSpec("volume", "", spec, false);
            var fields = new List<string>();
            var buffer = new System.Text.StringBuilder();
            foreach (var c in spec + '\0')
            {
                if (c == ':' && buffer.Length == 1 && char.IsLetter(buffer[0]))
                    buffer.Append(c); // a Windows drive letter
                else if (c is ':' or '\0')
                {
                    if (buffer.Length == 0) throw new ComposeException($"invalid spec: {spec}: empty section between colons");
                    if (fields.Count == 3) throw new ComposeException($"invalid spec: {spec}: too many colons");
                    fields.Add(buffer.ToString());
                    buffer.Clear();
                }
                else buffer.Append(c);
            }
            var (source, target) = fields.Count == 1 ? ("", fields[0]) : (fields[0], fields[1]);
            var result = new VolumeSpec(IsFilePath(source) ? "bind" : "volume", source, target, false);
            if (fields.Count == 3)
            {
                foreach (var option in fields[2].Split(','))
                {
                    result = option switch
                    {
                        "ro" => result with { ReadOnly = true },
                        "rw" => result with { ReadOnly = false },
                        "nocopy" => result with { NoCopy = true },
                        _ when Propagations.Contains(option) => result with { HasBind = true, Propagation = option },
                        _ => result, // docker ignores options it does not know
                    };
                }
            }
            return result;
        }

        private static bool IsFilePath(string source) =>
            source.Length > 0 && (source[0] is '.' or '/' or '~' || source.StartsWith(@"\\", StringComparison.Ordinal)
                                  || (source.Length > 1 && char.IsLetter(source[0]) && source[1] == ':'));

        /// <summary>docker's resolveVolumePaths: `~` is $HOME, a relative bind source is relative to the first file's directory.</summary>
        public VolumeSpec WithResolvedBindSource(string workingDirectory)
        {
            if (Type != "bind" || Source.Length == 0) return this;
            var source = Source;
            if (source.StartsWith('~') && Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home)
                source = home + source[1..];
            if (!source.StartsWith('/') && !(source.Length > 1 && char.IsLetter(source[0]) && source[1] == ':') && !source.StartsWith(@"\\", StringComparison.Ordinal))
                source = Path.GetFullPath(Path.Combine(workingDirectory, source));
            return this with { Source = source };
        }
    }

    /// <summary>docker's convertVolumeToMount and its handle*ToMount, with their refusals.</summary>
    private static Mount ConvertMount(StackContext context, VolumeSpec volume)
    {
        var stack = context.Stack;
        switch (volume.Type)
        {
            case "volume" or "":
                if (volume.TmpfsSize is not null) throw new ComposeException("tmpfs options are incompatible with type volume");
                if (volume.HasBind) throw new ComposeException("bind options are incompatible with type volume");
                if (volume.HasOther) throw new ComposeException("image and cluster options are incompatible with type volume");
                if (volume.Source.Length == 0) return new Mount(MountType.Volume, null, volume.Target, volume.ReadOnly);
                var declared = context.Volumes.GetValueOrDefault(volume.Source) ?? throw new ComposeException($"undefined volume \"{volume.Source}\"");
                if (volume.Subpath is not null) context.Warnings.Add($"volume {volume.Source}: subpath is not supported by EventSwarm and is ignored");
                var options = new VolumeOptions(volume.NoCopy ?? false);
                if (!declared.External)
                {
                    options = options with
                    {
                        Labels = stack.Label(declared.Labels),
                        DriverConfig = !string.IsNullOrEmpty(declared.Driver) || declared.DriverOptions is not null
                            ? new Driver(declared.Driver ?? "") { Options = declared.DriverOptions ?? ImmutableDictionary<string, string>.Empty }
                            : null,
                    };
                }
                return new Mount(MountType.Volume, declared.Name ?? stack.Scope(volume.Source), volume.Target, volume.ReadOnly) { VolumeOptions = options };
            case "bind":
                if (volume.Source.Length == 0) throw new ComposeException("invalid bind source, source cannot be empty");
                if (volume.NoCopy is not null || volume.Subpath is not null) throw new ComposeException("volume options are incompatible with type bind");
                if (volume.TmpfsSize is not null) throw new ComposeException("tmpfs options are incompatible with type bind");
                if (volume.HasOther) throw new ComposeException("image and cluster options are incompatible with type bind");
                return new Mount(MountType.Bind, volume.Source, volume.Target, volume.ReadOnly)
                {
                    BindOptions = volume.HasBind ? new BindOptions(volume.Propagation, false) : null,
                };
            case "tmpfs":
                if (volume.Source.Length != 0) throw new ComposeException("invalid tmpfs source, source must be empty");
                if (volume.HasBind) throw new ComposeException("bind options are incompatible with type tmpfs");
                if (volume.NoCopy is not null || volume.Subpath is not null) throw new ComposeException("volume options are incompatible with type tmpfs");
                if (volume.HasOther) throw new ComposeException("image and cluster options are incompatible with type tmpfs");
                return new Mount(MountType.Tmpfs, null, volume.Target, volume.ReadOnly)
                {
                    TmpfsOptions = volume.TmpfsSize is { } size ? new TmpfsOptions(size, 0) : null,
                };
            case "npipe" or "image" or "cluster":
                throw new ComposeException($"volume type {volume.Type} is not supported by EventSwarm (volume, bind and tmpfs are)");
            default:
                throw new ComposeException("volume type must be volume, bind, tmpfs, npipe, or cluster");
        }
    }

    // ---- secrets and configs

    /// <summary>
    /// docker's convertServiceSecrets: each reference by the secret's full name (the server resolves names to IDs,
    /// as the stock CLI does with a lookup), file target defaulting to the source, uid and gid "0", mode 0444; a
    /// target used twice is refused; sorted by name so that a redeploy does not restart services for nothing.
    /// </summary>
    private static ImmutableArray<SecretReference> ConvertSecretReferences(StackContext context, JsonObject s, string what)
    {
        var references = FileReferences("secret", context.Stack, context.Secrets, s["secrets"], $"{what}.secrets")
            .Select(r => new SecretReference("", r.Name, r.File))
            .ToList();
        var target = references.GroupBy(r => r.File!.Name).FirstOrDefault(g => g.Count() > 1);
        if (target is not null) throw new ComposeException($"duplicate secret target for {target.Skip(1).First().SecretName} not allowed");
        return [.. references.OrderBy(r => r.SecretName, StringComparer.Ordinal)];
    }

    /// <summary>docker's convertServiceConfigObjs: as secrets, plus the runtime reference of a credential spec's config.</summary>
    private static ImmutableArray<ConfigReference> ConvertConfigReferences(StackContext context, JsonObject s, JsonObject? credentialSpec, string what)
    {
        var references = FileReferences("config", context.Stack, context.Configs, s["configs"], $"{what}.configs")
            .Select(r => new ConfigReference("", r.Name, r.File))
            .ToList();
        var target = references.GroupBy(r => r.File!.Name).FirstOrDefault(g => g.Count() > 1);
        if (target is not null) throw new ComposeException($"duplicate config target for {target.Skip(1).First().ConfigName} not allowed");
        if (credentialSpec is not null && String(credentialSpec, "config", $"{what}.credential_spec") is { Length: > 0 } config)
        {
            var declared = context.Configs.GetValueOrDefault(config) ?? throw new ComposeException($"undefined config \"{config}\"");
            references.Add(new ConfigReference("", declared.Name ?? context.Stack.Scope(config), null, Runtime: true));
        }
        return [.. references.OrderBy(r => r.ConfigName, StringComparer.Ordinal)];
    }

    private static IEnumerable<(string Name, FileTarget File)> FileReferences(
        string kind, Namespace stack, IReadOnlyDictionary<string, FileObjectDeclaration> declared, JsonNode? node, string what)
    {
        foreach (var entry in ArrayOrNull(node, what) ?? [])
        {
            var reference = entry as JsonObject;
            var source = reference is null ? Scalar(entry, what) ?? "" : String(reference, "source", what) ?? "";
            var declaration = declared.GetValueOrDefault(source) ?? throw new ComposeException($"undefined {kind} \"{source}\"");
            var target = reference is null ? null : NullIfEmpty(String(reference, "target", what));
            var uid = reference is null ? null : NullIfEmpty(String(reference, "uid", what));
            var gid = reference is null ? null : NullIfEmpty(String(reference, "gid", what));
            var mode = reference is null ? null : Integer(reference, "mode", what);
            if (mode is < 0 or > uint.MaxValue) throw new ComposeException($"{what}: invalid mode {mode}");
            yield return (declaration.Name ?? stack.Scope(source), new FileTarget(target ?? source, uid ?? "0", gid ?? "0", mode is { } m ? (uint)m : FileTarget.DefaultMode));
        }
    }

    /// <summary>
    /// docker's convertCredentialSpec: one of config, file or registry. A config is named here by its full name
    /// (docker puts the config's ID, which it looks up; the server resolves names).
    /// </summary>
    private static CredentialSpec? ConvertCredentialSpec(Namespace stack, JsonObject? spec, ImmutableArray<ConfigReference> configs)
    {
        if (spec is null) return null;
        var config = NullIfEmpty(String(spec, "config", "credential_spec"));
        var file = NullIfEmpty(String(spec, "file", "credential_spec"));
        var registry = NullIfEmpty(String(spec, "registry", "credential_spec"));
        var given = new[] { (config, "\"Config\""), (file, "\"File\""), (registry, "\"Registry\"") }.Where(g => g.Item1 is not null).Select(g => g.Item2).ToList();
        switch (given.Count)
        {
            case 0:
                return null;
            case 2:
                throw new ComposeException($"invalid credential spec: cannot specify both {given[0]} and {given[1]}");
            case > 2:
                throw new ComposeException($"invalid credential spec: cannot specify both {string.Join(", ", given[..^1])}, and {given[^1]}");
        }
        if (config is not null)
        {
            var runtime = configs.FirstOrDefault(c => c.Runtime && (c.ConfigName == config || c.ConfigName == stack.Scope(config)))
                          ?? throw new ComposeException($"invalid credential spec: spec specifies config {config}, but no such config can be found");
            return new CredentialSpec(runtime.ConfigName, null, null);
        }
        return new CredentialSpec(null, file, registry);
    }

    // ---- the container

    /// <summary>docker's convertEnvironment: `KEY=value`, or `KEY` alone for a key without a value; sorted.</summary>
    private static ImmutableArray<string> ConvertEnvironment(JsonNode? node, string what)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in MappingWithNulls(node, what)) variables[key] = value;
        return [.. variables.Select(v => v.Value is null ? v.Key : v.Key + "=" + v.Value).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// extra_hosts as docker's HostsList (a list of `host:ip` or `host=ip`, or a map, sorted), written as Swarm's
    /// `IP HOSTNAME`; brackets around an IPv6 address dropped.
    /// </summary>
    private static ImmutableArray<string> ConvertExtraHosts(JsonNode? node, string what)
    {
        IEnumerable<(string Host, string Ip)> pairs = node switch
        {
            null => [],
            JsonObject map => map.Where(p => p.Value is not null)
                .Select(p => (p.Key, Scalar(p.Value, $"{what}.{p.Key}") ?? ""))
                .OrderBy(p => p.Key + ":" + p.Item2, StringComparer.Ordinal),
            JsonArray list => list.Select(e => Scalar(e, what) ?? "")
                .Select(e => e.IndexOf('=') is var eq and >= 0 ? (e[..eq], e[(eq + 1)..]) : e.IndexOf(':') is var colon and >= 0 ? (e[..colon], e[(colon + 1)..]) : (null!, null!))
                .Where(p => p.Item1 is not null),
            _ => throw new ComposeException($"{what} must be a mapping or a list"),
        };
        return [.. pairs.Select(p => (p.Host, Ip: p.Ip.Length > 2 && p.Ip[0] == '[' && p.Ip[^1] == ']' ? p.Ip[1..^1] : p.Ip)).Select(p => p.Ip + " " + p.Host)];
    }

    /// <summary>docker's convertDNSConfig: only when dns or dns_search is given; a nameserver that is not an IP address is dropped.</summary>
    private static DnsConfig? ConvertDnsConfig(ImmutableArray<string> dns, ImmutableArray<string> search)
    {
        if (dns.IsEmpty && search.IsEmpty) return null;
        return new DnsConfig { Nameservers = [.. dns.Select(GoIpAddress).OfType<string>()], Search = search };
    }

    /// <summary>netip.ParseAddr then String(): dotted quads strictly, IPv6 in its canonical form; null when not an address.</summary>
    private static string? GoIpAddress(string text)
    {
        if (text.Contains(':'))
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6.ToString() : null;
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255)
            ? text
            : null;
    }

    /// <summary>docker's convertHealthcheck: `test` as a string is CMD-SHELL, `disable` is NONE (and excludes a test).</summary>
    private static Healthcheck? ConvertHealthcheck(JsonObject? health, string what, List<string> warnings)
    {
        if (health is null) return null;
        var test = health["test"] switch
        {
            null => [],
            JsonArray list => [.. list.Select(t => Scalar(t, $"{what}.test") ?? "")],
            var command => ImmutableArray.Create("CMD-SHELL", Scalar(command, $"{what}.test") ?? ""),
        };
        if (health["start_interval"] is not null) warnings.Add($"{what}: start_interval is not supported by EventSwarm and is ignored");
        if (Bool(health, "disable", what))
        {
            if (!test.IsEmpty) throw new ComposeException("test and disable can't be set at the same time");
            return new Healthcheck { Test = ["NONE"] };
        }
        return new Healthcheck
        {
            Test = test,
            Timeout = DurationOrZero(health, "timeout", what),
            Interval = DurationOrZero(health, "interval", what),
            Retries = checked((int)(Integer(health, "retries", what) ?? 0)),
            StartPeriod = DurationOrZero(health, "start_period", what),
        };
    }

    /// <summary>docker's EffectiveCapAddCapDrop: CAP_ prefixed and upper-cased, ALL wins, adding wins over dropping; sorted.</summary>
    private static (ImmutableArray<string> Add, ImmutableArray<string> Drop) EffectiveCapabilities(ImmutableArray<string> add, ImmutableArray<string> drop)
    {
        static HashSet<string> Normalize(IEnumerable<string> capabilities)
        {
            var set = capabilities.Select(c =>
            {
                var capability = c.Trim().ToUpperInvariant();
                return capability is "ALL" or "RESET" || capability.StartsWith("CAP_", StringComparison.Ordinal) ? capability : "CAP_" + capability;
            }).ToHashSet(StringComparer.Ordinal);
            return set.Contains("ALL") ? ["ALL"] : set;
        }
        var added = Normalize(add);
        var dropped = Normalize(drop);
        return ([.. added.Where(c => c != "RESET").Order(StringComparer.Ordinal)],
                [.. dropped.Where(c => c != "RESET" && !added.Contains(c)).Order(StringComparer.Ordinal)]);
    }

    /// <summary>docker's convertUlimits: a number is both soft and hard; sorted by name.</summary>
    private static ImmutableArray<Ulimit> ConvertUlimits(JsonObject? ulimits, string what) =>
        ulimits is null
            ? []
            : [.. ulimits.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => u.Value is JsonObject limits
                ? new Ulimit(u.Key, Integer(limits, "soft", $"{what}.{u.Key}") ?? 0, Integer(limits, "hard", $"{what}.{u.Key}") ?? 0)
                : Integer(ulimits, u.Key, what) is var single ? new Ulimit(u.Key, single ?? 0, single ?? 0) : null!)];

    // ---- deploy: resources, restart policy, update and rollback

    private static Limits? ConvertLimits(JsonObject? limits, string what) => limits is null
        ? null
        : new Limits(
            String(limits, "cpus", what) is { Length: > 0 } cpus ? ParseCpus(cpus, $"{what}.cpus") : 0,
            OptionalSize(limits, "memory", what) ?? 0,
            Integer(limits, "pids", what) ?? 0);

    private static Reservations? ConvertReservations(JsonObject? reservations, string what) => reservations is null
        ? null
        : new Reservations(
            String(reservations, "cpus", what) is { Length: > 0 } cpus ? ParseCpus(cpus, $"{what}.cpus") : 0,
            OptionalSize(reservations, "memory", what) ?? 0)
        {
            GenericResources = [.. (ArrayOrNull(reservations["generic_resources"], $"{what}.generic_resources") ?? []).Select(r =>
            {
                var discrete = ObjectOrNull(ObjectOrNull(r, $"{what}.generic_resources")?["discrete_resource_spec"], $"{what}.generic_resources.discrete_resource_spec")
                               ?? throw new ComposeException($"{what}.generic_resources: a generic resource needs a discrete_resource_spec");
                var kindWhat = $"{what}.generic_resources.discrete_resource_spec";
                return new GenericResource(String(discrete, "kind", kindWhat) ?? "", null, Integer(discrete, "value", kindWhat) ?? 0);
            })],
        };

    /// <summary>
    /// docker's convertRestartPolicy: deploy.restart_policy as written; without it, the legacy `restart:` (which
    /// docker also reports as unsupported) still gives one: always and unless-stopped → any, on-failure[:N].
    /// </summary>
    private static RestartPolicy? ConvertRestartPolicy(string? restart, JsonObject? policy, string what)
    {
        if (policy is not null)
        {
            var condition = String(policy, "condition", what);
            return new RestartPolicy(
                condition switch
                {
                    null or "" or "any" => RestartCondition.Any,
                    "none" => RestartCondition.None,
                    "on-failure" => RestartCondition.OnFailure,
                    _ => throw new ComposeException($"invalid RestartCondition: \"{condition}\""),
                },
                OptionalDuration(policy, "delay", what),
                Integer(policy, "max_attempts", what) is not { } attempts ? 0
                    : attempts >= 0 ? attempts : throw new ComposeException($"{what}.max_attempts must not be negative"),
                OptionalDuration(policy, "window", what));
        }
        if (string.IsNullOrEmpty(restart)) return null;
        var colon = restart.IndexOf(':');
        var (name, count) = colon < 0 ? (restart, "") : (restart[..colon], restart[(colon + 1)..]);
        if (colon >= 0 && name.Length == 0) throw new ComposeException("invalid restart policy format: no policy provided before colon");
        var retries = 0;
        if (count.Length > 0 && !int.TryParse(count, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out retries))
            throw new ComposeException("invalid restart policy format: maximum retry count must be an integer");
        if (retries < 0) throw new ComposeException("invalid restart policy: maximum retry count cannot be negative");
        return name switch
        {
            "no" or "" => null,
            "always" or "unless-stopped" => new RestartPolicy(RestartCondition.Any, null, retries, null),
            "on-failure" => new RestartPolicy(RestartCondition.OnFailure, null, retries, null),
            _ => throw new ComposeException($"invalid restart policy: unknown policy '{name}' (must be one of 'no', 'always', 'on-failure', or 'unless-stopped')"),
        };
    }

    /// <summary>docker's convertUpdateConfig: parallelism 1 when the block is there without it; the rest as written.</summary>
    private static UpdateConfig? ConvertUpdateConfig(JsonObject? update, string what)
    {
        if (update is null) return null;
        var parallelism = Integer(update, "parallelism", what) ?? 1;
        if (parallelism < 0) throw new ComposeException($"{what}.parallelism must not be negative");
        var failureAction = String(update, "failure_action", what);
        var order = String(update, "order", what);
        return new UpdateConfig
        {
            Parallelism = parallelism,
            Delay = DurationOrZero(update, "delay", what),
            FailureAction = failureAction switch
            {
                null or "" or "pause" => UpdateFailureAction.Pause,
                "continue" => UpdateFailureAction.Continue,
                "rollback" => UpdateFailureAction.Rollback,
                _ => throw new ComposeException($"unrecognized update failure action {failureAction}"),
            },
            Monitor = DurationOrZero(update, "monitor", what),
            MaxFailureRatio = (float)(Number(update, "max_failure_ratio", what) ?? 0),
            Order = order switch
            {
                null or "" or "stop-first" => UpdateOrder.StopFirst,
                "start-first" => UpdateOrder.StartFirst,
                _ => throw new ComposeException($"unrecognized update order {order}"),
            },
        };
    }
}
