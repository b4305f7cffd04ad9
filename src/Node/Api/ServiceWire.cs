using System.Collections.Immutable;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Node.Api.Services;
using DomainEndpointSpec = EventSwarm.Domain.Networking.EndpointSpec;
using DomainMount = EventSwarm.Domain.Services.Mount;
using DomainPortConfig = EventSwarm.Domain.Networking.PortConfig;
using DomainRestartPolicy = EventSwarm.Domain.Services.RestartPolicy;
using DomainServiceMode = EventSwarm.Domain.Services.ServiceMode;
using DomainServiceSpec = EventSwarm.Domain.Services.ServiceSpec;
using WireEndpointSpec = Docker.DotNet.Models.EndpointSpec;

namespace EventSwarm.Node.Api;

/// <summary>
/// Between Docker's ServiceSpec on the wire and ours, in one place. Every field the Engine API v1.41 accepts is
/// kept; what the wire allows but EventSwarm cannot run at all is refused by name. On the way out, the shape is what
/// Docker's daemon writes (daemon/cluster/convert/service.go): e.g. a restart policy always has its condition and
/// max attempts, an update config always its parallelism, max failure ratio, failure action and order.
/// </summary>
public static class ServiceWire
{
    /// <summary>
    /// Docker's counts are uint64 and any of them is accepted (2^63-1 replicas fill progressively); the log keeps
    /// them as signed 64-bit, so only 2^63 … 2^64-1 cannot be represented: refused by field name instead of the
    /// overflow's 500.
    /// </summary>
    private static long Representable(ulong value, string field) =>
        value <= long.MaxValue ? (long)value
            : throw new BadRequestException($"invalid {field} value {value}: must be at most {long.MaxValue}");

    public static DomainServiceSpec ToDomain(ServiceSpecJson wire)
    {
        var template = wire.TaskTemplate ?? throw new BadRequestException("mismatched Runtime and *Spec fields: TaskTemplate.ContainerSpec must be provided");
        if (template.PluginSpec is { ValueKind: not JsonValueKind.Null } || template.Runtime is "plugin")
            throw new BadRequestException("plugin services (TaskTemplate.PluginSpec) are not supported: EventSwarm runs containers");
        if (template.NetworkAttachmentSpec is { ValueKind: not JsonValueKind.Null } || template.Runtime is "attachment")
            throw new BadRequestException("unsupported runtime");
        if (template.Runtime is not (null or "" or "container"))
            throw new BadRequestException($"unknown task runtime type: {template.Runtime}");
        var container = template.ContainerSpec ?? throw new BadRequestException("mismatched Runtime and *Spec fields: TaskTemplate.ContainerSpec must be provided");
        if (wire.Mode?.ReplicatedJob is not null || wire.Mode?.GlobalJob is not null)
            throw new BadRequestException("job modes (replicated-job, global-job) are not supported yet");
        if (wire.Mode?.Global is not null && wire.Mode?.Replicated is not null)
            throw new BadRequestException("must specify only one service mode");

        var restart = template.RestartPolicy;
        var reservations = template.Resources?.Reservations;
        var limits = template.Resources?.Limits;
        return new DomainServiceSpec
        {
            Name = wire.Name ?? "",
            Labels = ToImmutable(wire.Labels),
            Mode = wire.Mode?.Global is not null ? DomainServiceMode.Global : DomainServiceMode.Replicated(Representable(wire.Mode?.Replicated?.Replicas ?? 1, "Mode.Replicated.Replicas")),
            UpdateConfig = ToDomain(wire.UpdateConfig),
            RollbackConfig = ToDomain(wire.RollbackConfig),
            Networks = [.. (wire.Networks ?? []).Select(ToDomain)],
            TaskTemplate = new TaskTemplate
            {
                Container = ToDomain(container),
                RestartPolicy = restart is null
                    ? null
                    : new DomainRestartPolicy(ParseCondition(restart.Condition), ToDuration(restart.Delay), Representable(restart.MaxAttempts ?? 0, "TaskTemplate.RestartPolicy.MaxAttempts"), ToDuration(restart.Window)),
                Placement = template.Placement is not { } placement ? null : new EventSwarm.Domain.Services.Placement([.. placement.Constraints ?? []])
                {
                    Preferences = [.. (placement.Preferences ?? []).Where(p => p.Spread is not null).Select(p => new PlacementPreference(p.Spread!.SpreadDescriptor ?? ""))],
                    MaxReplicas = checked((long)(placement.MaxReplicas ?? 0)),
                    Platforms = [.. (placement.Platforms ?? []).Select(p => new EventSwarm.Domain.Services.Platform(p.Architecture ?? "", p.OS ?? ""))],
                },
                Reservations = reservations is null ? null : new Reservations(reservations.NanoCPUs ?? 0, reservations.MemoryBytes ?? 0)
                {
                    GenericResources = [.. (reservations.GenericResources ?? []).Select(ToDomain)],
                },
                Limits = limits is null ? null : new Limits(limits.NanoCPUs ?? 0, limits.MemoryBytes ?? 0, limits.Pids ?? 0),
                LogDriver = ToDomain(template.LogDriver),
                ForceUpdate = checked((long)template.ForceUpdate),
                Networks = [.. (template.Networks ?? []).Select(ToDomain)],
            },
            Endpoint = ToDomain(wire.EndpointSpec),
            HasEndpointSpec = wire.EndpointSpec is not null,
        };
    }

    /// <summary>
    /// The spec as GET /services/{id}?insertDefaults=true writes it (the docker CLI's `service inspect` asks so):
    /// Swarm fills what was not given with its defaults (swarmkit api/defaults InterpolateService) — update and
    /// rollback configs, a restart policy and its delay, the stop grace period, DNS config, placement, resources.
    /// </summary>
    public static ServiceSpecJson ToWireWithDefaults(DomainServiceSpec spec)
    {
        var template = spec.TaskTemplate;
        var container = template.Container;
        var filled = spec with
        {
            UpdateConfig = WithDefaultMonitor(spec.UpdateConfig),
            RollbackConfig = WithDefaultMonitor(spec.RollbackConfig),
            TaskTemplate = template with
            {
                Container = container with
                {
                    StopGracePeriod = container.StopGracePeriod ?? EventSwarm.Domain.Services.ContainerSpec.DefaultStopGracePeriod,
                    DnsConfig = container.DnsConfig ?? new DnsConfig(),
                },
                RestartPolicy = template.RestartPolicy is { } restart
                    ? restart with { Delay = restart.Delay ?? DomainRestartPolicy.DefaultDelay }
                    : DomainRestartPolicy.Default with { Delay = DomainRestartPolicy.DefaultDelay },
                Placement = template.Placement ?? EventSwarm.Domain.Services.Placement.None,
            },
        };
        var wire = ToWire(filled);
        return wire.TaskTemplate!.Resources is not null
            ? wire
            : new ServiceSpecJson
            {
                Name = wire.Name,
                Labels = wire.Labels,
                Mode = wire.Mode,
                UpdateConfig = wire.UpdateConfig,
                RollbackConfig = wire.RollbackConfig,
                Networks = wire.Networks,
                EndpointSpec = wire.EndpointSpec,
                TaskTemplate = ToWire(filled.TaskTemplate, forService: true, emptyResources: true),
            };
    }

    /// <summary>
    /// A config given without a monitor (the daemon keeps 0 as unset) reads back with Swarm's 5 s, as InterpolateService
    /// fills Update.Monitor and Rollback.Monitor: `docker stack deploy` of a file with update_config sends none.
    /// </summary>
    private static UpdateConfig WithDefaultMonitor(UpdateConfig? config) => config switch
    {
        null => SwarmDefaultUpdateConfig,
        { Monitor.Nanoseconds: 0 } => config with { Monitor = SwarmDefaultUpdateConfig.Monitor },
        _ => config,
    };

    /// <summary>Swarm's default update and rollback config: one task at a time, watched 5 s, pause on failure, stop first.</summary>
    private static UpdateConfig SwarmDefaultUpdateConfig { get; } = new() { Parallelism = 1, Monitor = Duration.FromSeconds(5) };

    public static ServiceSpecJson ToWire(DomainServiceSpec spec) => new()
    {
        Name = spec.Name,
        Labels = spec.Labels,
        Mode = spec.Mode.IsGlobal
            ? new Docker.DotNet.Models.ServiceMode { Global = new Docker.DotNet.Models.GlobalService() }
            : new Docker.DotNet.Models.ServiceMode { Replicated = new Docker.DotNet.Models.ReplicatedService { Replicas = (ulong)spec.Mode.Replicas } },
        TaskTemplate = ToWire(spec.TaskTemplate, forService: true),
        UpdateConfig = ToWire(spec.UpdateConfig),
        RollbackConfig = ToWire(spec.RollbackConfig),
        Networks = spec.Networks.IsDefaultOrEmpty ? null : [.. spec.Networks.Select(ToWire)],
        EndpointSpec = spec.HasEndpointSpec ? ToWire(spec.Endpoint) : null,
    };

    /// <summary>
    /// A service's runtime Endpoint.Spec. Swarm's allocator copies the spec's endpoint there when it allocates the
    /// service (swarmkit allocator AllocateService), and it allocates only a service with something to give: VIPs
    /// or published ports (IsServiceAllocated). Until then, or when the client sent no endpoint, it reads empty.
    /// </summary>
    public static WireEndpointSpec ToWireEndpoint(DomainServiceSpec spec, ServiceEndpoint allocated) =>
        spec.HasEndpointSpec && (!allocated.VirtualIps.IsDefaultOrEmpty || !allocated.Ports.IsDefaultOrEmpty) ? ToWire(spec.Endpoint) : new WireEndpointSpec();

    public static WireEndpointSpec ToWire(DomainEndpointSpec endpoint) => new()
    {
        Mode = endpoint.Mode == EndpointMode.Dnsrr ? "dnsrr" : "vip",
        Ports = endpoint.Ports.IsDefaultOrEmpty ? null : [.. endpoint.Ports.Select(ToWire)],
    };

    public static Docker.DotNet.Models.PortConfig ToWire(DomainPortConfig port) => new()
    {
        Protocol = port.Protocol.Name(),
        TargetPort = (uint)port.TargetPort,
        // 0 asks the swarm for a port; the engine leaves it out rather than write 0.
        PublishedPort = port.PublishedPort == 0 ? null : (uint)port.PublishedPort,
        PublishMode = port.Mode == PublishMode.Host ? "host" : "ingress",
        Name = port.Name,
    };

    /// <summary>A task template; Docker names the runtime in a service's spec only, not in a task's copy.</summary>
    public static TaskSpecJson ToWire(TaskTemplate template, bool forService = false, bool emptyResources = false) => new()
    {
        ContainerSpec = ToWire(template.Container),
        Resources = template.Limits is null && template.Reservations is null ? (emptyResources ? new ResourceRequirementsJson() : null) : new ResourceRequirementsJson
        {
            Limits = template.Limits is not { } limits ? null : new LimitJson
            {
                NanoCPUs = OmitZero(limits.NanoCpus),
                MemoryBytes = OmitZero(limits.MemoryBytes),
                Pids = OmitZero(limits.Pids),
            },
            Reservations = template.Reservations is not { } reservations ? null : new ResourcesJson
            {
                NanoCPUs = OmitZero(reservations.NanoCpus),
                MemoryBytes = OmitZero(reservations.MemoryBytes),
                GenericResources = reservations.GenericResources.IsDefaultOrEmpty ? null : [.. reservations.GenericResources.Select(ToWire)],
            },
        },
        // Docker writes a restart policy's condition and max attempts always, its delay and window only when given.
        RestartPolicy = template.RestartPolicy is not { } restart ? null : new RestartPolicyJson
        {
            Condition = restart.Condition switch
            {
                RestartCondition.None => "none",
                RestartCondition.OnFailure => "on-failure",
                _ => "any",
            },
            Delay = restart.Delay?.Nanoseconds,
            MaxAttempts = (ulong)restart.MaxAttempts,
            Window = restart.Window?.Nanoseconds,
        },
        Placement = template.Placement is not { } placement ? null : new PlacementJson
        {
            Constraints = NullIfEmpty(placement.Constraints),
            Preferences = placement.Preferences.IsDefaultOrEmpty
                ? null
                : [.. placement.Preferences.Select(p => new PlacementPreferenceJson { Spread = new SpreadOverJson { SpreadDescriptor = p.SpreadDescriptor } })],
            MaxReplicas = placement.MaxReplicas == 0 ? null : (ulong)placement.MaxReplicas,
            Platforms = placement.Platforms.IsDefaultOrEmpty
                ? null
                : [.. placement.Platforms.Select(p => new PlatformJson { Architecture = NullIfEmpty(p.Architecture), OS = NullIfEmpty(p.OS) })],
        },
        Networks = template.Networks.IsDefaultOrEmpty ? null : [.. template.Networks.Select(ToWire)],
        LogDriver = ToWire(template.LogDriver),
        ForceUpdate = (ulong)template.ForceUpdate,
        Runtime = forService ? "container" : null,
    };

    private static EventSwarm.Domain.Services.ContainerSpec ToDomain(ContainerSpecJson container)
    {
        return new EventSwarm.Domain.Services.ContainerSpec
        {
            Image = container.Image ?? "",
            Labels = ToImmutable(container.Labels),
            Command = [.. container.Command ?? []],
            Args = [.. container.Args ?? []],
            Hostname = NullIfEmpty(container.Hostname),
            Env = [.. container.Env ?? []],
            Dir = NullIfEmpty(container.Dir),
            User = NullIfEmpty(container.User),
            Groups = [.. container.Groups ?? []],
            Privileges = container.Privileges is not { } privileges
                ? null
                : new Privileges(
                    privileges.CredentialSpec is { } credential ? new CredentialSpec(NullIfEmpty(credential.Config), NullIfEmpty(credential.File), NullIfEmpty(credential.Registry)) : null,
                    privileges.SELinuxContext is { } selinux
                        ? new SeLinuxContext(selinux.Disable, NullIfEmpty(selinux.User), NullIfEmpty(selinux.Role), NullIfEmpty(selinux.Type), NullIfEmpty(selinux.Level))
                        : null),
            Init = container.Init,
            StopSignal = NullIfEmpty(container.StopSignal),
            Tty = container.TTY ?? false,
            OpenStdin = container.OpenStdin ?? false,
            ReadOnly = container.ReadOnly ?? false,
            Mounts = [.. (container.Mounts ?? []).Select(ToDomain)],
            StopGracePeriod = ToDuration(container.StopGracePeriod),
            Healthcheck = container.Healthcheck is not { } health
                ? null
                : new Healthcheck
                {
                    Test = [.. health.Test ?? []],
                    Interval = ToDuration(health.Interval) ?? Duration.Zero,
                    Timeout = ToDuration(health.Timeout) ?? Duration.Zero,
                    StartPeriod = ToDuration(health.StartPeriod) ?? Duration.Zero,
                    Retries = health.Retries ?? 0,
                },
            Hosts = [.. container.Hosts ?? []],
            DnsConfig = container.DNSConfig is not { } dns
                ? null
                : new DnsConfig { Nameservers = [.. dns.Nameservers ?? []], Search = [.. dns.Search ?? []], Options = [.. dns.Options ?? []] },
            // "default" is what ToWire writes when none was given: read back, it is none again, or a client sending
            // back the spec it read (`docker service scale`) would change the template and replace every task.
            Isolation = container.Isolation is "default" ? null : NullIfEmpty(container.Isolation),
            Sysctls = ToImmutable(container.Sysctls),
            CapabilityAdd = [.. container.CapabilityAdd ?? []],
            CapabilityDrop = [.. container.CapabilityDrop ?? []],
            Ulimits = [.. (container.Ulimits ?? []).Select(u => new Ulimit(u.Name, u.Soft, u.Hard))],
            Secrets = [.. (container.Secrets ?? []).Select(r => new SecretReference(r.SecretID ?? "", r.SecretName ?? "", ToDomain(r.File)))],
            Configs = [.. (container.Configs ?? []).Select(r => new ConfigReference(r.ConfigID ?? "", r.ConfigName ?? "", ToDomain(r.File), r.Runtime is { ValueKind: JsonValueKind.Object }))],
        };
    }

    private static FileTarget? ToDomain(FileTargetJson? file) => file is null ? null : new FileTarget(file.Name ?? "", file.UID ?? "0", file.GID ?? "0", file.Mode);

    private static FileTargetJson? ToWire(FileTarget? file) => file is null ? null : new FileTargetJson { Name = file.Name, UID = file.Uid, GID = file.Gid, Mode = file.Mode };

    private static ContainerSpecJson ToWire(EventSwarm.Domain.Services.ContainerSpec container) => new()
    {
        Image = container.Image,
        Labels = container.Labels.IsEmpty ? null : container.Labels,
        Command = NullIfEmpty(container.Command),
        Args = NullIfEmpty(container.Args),
        Hostname = container.Hostname,
        Env = NullIfEmpty(container.Env),
        Dir = container.Dir,
        User = container.User,
        Groups = NullIfEmpty(container.Groups),
        // Docker writes these two without omitempty: every member of a given part appears.
        Privileges = container.Privileges is not { } privileges
            ? null
            : new PrivilegesJson
            {
                CredentialSpec = privileges.CredentialSpec is { } c ? new CredentialSpecJson { Config = c.Config ?? "", File = c.File ?? "", Registry = c.Registry ?? "" } : null,
                SELinuxContext = privileges.SeLinuxContext is { } s
                    ? new SeLinuxContextJson { Disable = s.Disable, User = s.User ?? "", Role = s.Role ?? "", Type = s.Type ?? "", Level = s.Level ?? "" }
                    : null,
            },
        Init = container.Init,
        StopSignal = container.StopSignal,
        TTY = container.Tty ? true : null,
        OpenStdin = container.OpenStdin ? true : null,
        ReadOnly = container.ReadOnly ? true : null,
        Mounts = container.Mounts.IsDefaultOrEmpty ? null : [.. container.Mounts.Select(ToWire)],
        StopGracePeriod = container.StopGracePeriod?.Nanoseconds,
        Healthcheck = container.Healthcheck is not { } health
            ? null
            : new HealthcheckJson
            {
                Test = NullIfEmpty(health.Test),
                Interval = OmitZero(health.Interval.Nanoseconds),
                Timeout = OmitZero(health.Timeout.Nanoseconds),
                StartPeriod = OmitZero(health.StartPeriod.Nanoseconds),
                Retries = health.Retries == 0 ? null : health.Retries,
            },
        Hosts = NullIfEmpty(container.Hosts),
        DNSConfig = container.DnsConfig is not { } dns
            ? null
            : new DnsConfigJson { Nameservers = NullIfEmpty(dns.Nameservers), Search = NullIfEmpty(dns.Search), Options = NullIfEmpty(dns.Options) },
        // Docker writes the isolation it defaults to, "default", when none was given.
        Isolation = container.Isolation ?? "default",
        Sysctls = container.Sysctls.IsEmpty ? null : container.Sysctls,
        CapabilityAdd = NullIfEmpty(container.CapabilityAdd),
        CapabilityDrop = NullIfEmpty(container.CapabilityDrop),
        Ulimits = container.Ulimits.IsDefaultOrEmpty ? null : [.. container.Ulimits.Select(u => new UlimitJson { Name = u.Name, Soft = u.Soft, Hard = u.Hard })],
        Secrets = container.Secrets.IsDefaultOrEmpty ? null
            : [.. container.Secrets.Select(r => new SecretReferenceJson { File = ToWire(r.File), SecretID = r.SecretId, SecretName = r.SecretName })],
        Configs = container.Configs.IsDefaultOrEmpty ? null
            : [.. container.Configs.Select(r => new ConfigReferenceJson
            {
                File = ToWire(r.File),
                Runtime = r.Runtime ? JsonDocument.Parse("{}").RootElement : null,
                ConfigID = r.ConfigId,
                ConfigName = r.ConfigName,
            })],
    };

    private static UpdateConfig? ToDomain(UpdateConfigJson? update) => update is null ? null : new UpdateConfig
    {
        Parallelism = checked((long)update.Parallelism),
        Delay = ToDuration(update.Delay) ?? Duration.Zero,
        Monitor = ToDuration(update.Monitor) ?? Duration.Zero,
        MaxFailureRatio = update.MaxFailureRatio,
        FailureAction = update.FailureAction switch
        {
            null or "" or "pause" => UpdateFailureAction.Pause,
            "continue" => UpdateFailureAction.Continue,
            "rollback" => UpdateFailureAction.Rollback,
            var other => throw new BadRequestException($"unrecognized update failure action {other}"),
        },
        Order = update.Order switch
        {
            null or "" or "stop-first" => UpdateOrder.StopFirst,
            "start-first" => UpdateOrder.StartFirst,
            var other => throw new BadRequestException($"unrecognized update order {other}"),
        },
    };

    private static UpdateConfigJson? ToWire(UpdateConfig? update) => update is null ? null : new UpdateConfigJson
    {
        Parallelism = (ulong)update.Parallelism,
        Delay = OmitZero(update.Delay.Nanoseconds),
        Monitor = OmitZero(update.Monitor.Nanoseconds),
        MaxFailureRatio = update.MaxFailureRatio,
        FailureAction = update.FailureAction switch
        {
            UpdateFailureAction.Continue => "continue",
            UpdateFailureAction.Rollback => "rollback",
            _ => "pause",
        },
        Order = update.Order == UpdateOrder.StartFirst ? "start-first" : "stop-first",
    };

    private static EventSwarm.Domain.Services.GenericResource ToDomain(GenericResourceJson resource) =>
        resource.DiscreteResourceSpec is { } discrete
            ? new EventSwarm.Domain.Services.GenericResource(discrete.Kind ?? "", null, discrete.Value ?? 0)
            : resource.NamedResourceSpec is { } named
                ? new EventSwarm.Domain.Services.GenericResource(named.Kind ?? "", named.Value ?? "", null)
                : throw new BadRequestException("a generic resource needs a NamedResourceSpec or a DiscreteResourceSpec");

    private static GenericResourceJson ToWire(EventSwarm.Domain.Services.GenericResource resource) => resource.Count is { } count
        ? new GenericResourceJson { DiscreteResourceSpec = new DiscreteGenericResourceJson { Kind = NullIfEmpty(resource.Kind), Value = OmitZero(count) } }
        : new GenericResourceJson { NamedResourceSpec = new NamedGenericResourceJson { Kind = NullIfEmpty(resource.Kind), Value = NullIfEmpty(resource.Value) } };

    private static Driver? ToDomain(DriverJson? driver) => driver is null ? null : new Driver(driver.Name ?? "") { Options = ToImmutable(driver.Options) };

    private static DriverJson? ToWire(Driver? driver) => driver is null ? null : new DriverJson
    {
        Name = NullIfEmpty(driver.Name),
        Options = driver.Options.IsEmpty ? null : driver.Options,
    };

    private static ServiceNetwork ToDomain(NetworkAttachmentConfigJson attachment) =>
        new(attachment.Target ?? "", [.. attachment.Aliases ?? []]) { DriverOpts = ToImmutable(attachment.DriverOpts) };

    private static NetworkAttachmentConfigJson ToWire(ServiceNetwork network) => new()
    {
        Target = network.Target,
        Aliases = NullIfEmpty(network.Aliases),
        DriverOpts = network.DriverOpts.IsEmpty ? null : network.DriverOpts,
    };

    private static DomainEndpointSpec ToDomain(WireEndpointSpec? endpoint) => endpoint is null
        ? DomainEndpointSpec.Default
        : new DomainEndpointSpec(
            endpoint.Mode?.ToLowerInvariant() switch
            {
                null or "" or "vip" => EndpointMode.Vip,
                "dnsrr" => EndpointMode.Dnsrr,
                _ => throw new BadRequestException($"invalid resolution mode: \"{endpoint.Mode}\""),
            },
            [.. (endpoint.Ports ?? []).Select(ToDomain)]);

    private static DomainPortConfig ToDomain(Docker.DotNet.Models.PortConfig port) => new(
        port.Protocol?.ToLowerInvariant() switch
        {
            null or "" or "tcp" => PortProtocol.Tcp,
            "udp" => PortProtocol.Udp,
            var other => throw new BadRequestException($"invalid protocol '{other}': must be tcp or udp"),
        },
        PortNumber(port.TargetPort, "target port"),
        PortNumber(port.PublishedPort, "published port"),
        port.PublishMode?.ToLowerInvariant() switch
        {
            null or "" or "ingress" => PublishMode.Ingress,
            "host" => PublishMode.Host,
            var other => throw new BadRequestException($"invalid publish mode '{other}': must be ingress or host"),
        })
    {
        Name = NullIfEmpty(port.Name),
    };

    // The range itself is the validator's to check; only what does not fit an int is refused here.
    private static int PortNumber(uint? port, string name) =>
        port is > 65535 ? throw new BadRequestException($"invalid {name} {port}: must be between 1 and 65535") : (int)(port ?? 0);

    private static DomainMount ToDomain(MountJson mount) => new(
        mount.Type?.ToLowerInvariant() switch
        {
            "volume" or null or "" => MountType.Volume,
            "bind" => MountType.Bind,
            "tmpfs" => MountType.Tmpfs,
            _ => throw new BadRequestException($"invalid MountType: \"{mount.Type}\""),
        },
        string.IsNullOrEmpty(mount.Source) ? null : mount.Source,
        mount.Target ?? "",
        mount.ReadOnly ?? false)
    {
        BindOptions = mount.BindOptions is { } bind ? new BindOptions(NullIfEmpty(bind.Propagation), bind.NonRecursive ?? false) : null,
        VolumeOptions = mount.VolumeOptions is { } volume
            ? new VolumeOptions(volume.NoCopy ?? false) { Labels = ToImmutable(volume.Labels), DriverConfig = ToDomain(volume.DriverConfig) }
            : null,
        TmpfsOptions = mount.TmpfsOptions is { } tmpfs ? new TmpfsOptions(tmpfs.SizeBytes ?? 0, tmpfs.Mode ?? 0) : null,
    };

    private static MountJson ToWire(DomainMount mount) => new()
    {
        Type = mount.Type.ToString().ToLowerInvariant(),
        Source = mount.Source,
        Target = mount.Target,
        ReadOnly = mount.ReadOnly ? true : null,
        BindOptions = mount.BindOptions is { } bind ? new BindOptionsJson { Propagation = bind.Propagation, NonRecursive = bind.NonRecursive ? true : null } : null,
        VolumeOptions = mount.VolumeOptions is { } volume
            ? new VolumeOptionsJson { NoCopy = volume.NoCopy ? true : null, Labels = volume.Labels.IsEmpty ? null : volume.Labels, DriverConfig = ToWire(volume.DriverConfig) }
            : null,
        TmpfsOptions = mount.TmpfsOptions is { } tmpfs ? new TmpfsOptionsJson { SizeBytes = OmitZero(tmpfs.SizeBytes), Mode = tmpfs.Mode == 0 ? null : tmpfs.Mode } : null,
    };

    private static RestartCondition ParseCondition(string? condition) => condition switch
    {
        null or "" or "any" => RestartCondition.Any,
        "none" => RestartCondition.None,
        "on-failure" => RestartCondition.OnFailure,
        _ => throw new BadRequestException($"invalid RestartCondition: \"{condition}\""),
    };

    private static Duration? ToDuration(long? nanoseconds) => nanoseconds is { } ns ? new Duration(ns) : null;

    private static long? OmitZero(long value) => value == 0 ? null : value;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static List<string>? NullIfEmpty(ImmutableArray<string> values) => values.IsDefaultOrEmpty ? null : [.. values];

    private static ImmutableDictionary<string, string> ToImmutable(IDictionary<string, string>? labels) =>
        labels is null ? ImmutableDictionary<string, string>.Empty : labels.ToImmutableDictionary();
}
