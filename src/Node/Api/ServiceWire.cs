using System.Collections.Immutable;
using Docker.DotNet.Models;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;
using DomainEndpointSpec = EventSwarm.Domain.Networking.EndpointSpec;
using DomainMount = EventSwarm.Domain.Services.Mount;
using DomainRestartPolicy = EventSwarm.Domain.Services.RestartPolicy;
using DomainPortConfig = EventSwarm.Domain.Networking.PortConfig;
using DomainServiceSpec = EventSwarm.Domain.Services.ServiceSpec;
using WireEndpointSpec = Docker.DotNet.Models.EndpointSpec;
using WireServiceSpec = Docker.DotNet.Models.ServiceSpec;

namespace EventSwarm.Node.Api;

/// <summary>
/// A service spec as clients send it: Docker's model plus the top-level Networks that API versions before 1.25
/// used (deprecated, still accepted by the engine, and still sent by some clients).
/// </summary>
public sealed class ServiceSpecBody : WireServiceSpec
{
    public IList<NetworkAttachmentConfig>? Networks { get; set; }
}

/// <summary>Between Docker's ServiceSpec on the wire and ours; what the wire allows but we cannot run is refused by name.</summary>
public static class ServiceWire
{
    public static DomainServiceSpec ToDomain(WireServiceSpec wire)
    {
        var container = wire.TaskTemplate?.ContainerSpec
            ?? throw new BadRequestException("mismatched Runtime and *Spec fields: TaskTemplate.ContainerSpec must be provided");
        if (wire.Mode?.ReplicatedJob is not null || wire.Mode?.GlobalJob is not null)
            throw new BadRequestException("job modes (replicated-job, global-job) are not supported yet");
        if (wire.Mode?.Global is not null && wire.Mode?.Replicated is not null)
            throw new BadRequestException("must specify only one service mode");

        var template = wire.TaskTemplate!;
        var restart = template.RestartPolicy;
        return new DomainServiceSpec
        {
            Name = wire.Name ?? "",
            Labels = ToImmutable(wire.Labels),
            Mode = wire.Mode?.Global is not null ? EventSwarm.Domain.Services.ServiceMode.Global : EventSwarm.Domain.Services.ServiceMode.Replicated(checked((long)(wire.Mode?.Replicated?.Replicas ?? 1))),
            TaskTemplate = new TaskTemplate
            {
                Container = new EventSwarm.Domain.Services.ContainerSpec
                {
                    Image = container.Image ?? "",
                    Command = [.. container.Command ?? []],
                    Args = [.. container.Args ?? []],
                    Env = [.. container.Env ?? []],
                    Labels = ToImmutable(container.Labels),
                    Mounts = [.. (container.Mounts ?? []).Select(ToDomain)],
                    StopGracePeriod = container.StopGracePeriod ?? TimeSpan.FromSeconds(10),
                },
                RestartPolicy = new DomainRestartPolicy(
                    ParseCondition(restart?.Condition),
                    restart?.Delay ?? DomainRestartPolicy.Default.Delay,
                    checked((long)(restart?.MaxAttempts ?? 0)),
                    restart?.Window ?? TimeSpan.Zero),
                Placement = new EventSwarm.Domain.Services.Placement([.. template.Placement?.Constraints ?? []]),
                Reservations = new Reservations(
                    template.Resources?.Reservations?.NanoCPUs ?? 0,
                    template.Resources?.Reservations?.MemoryBytes ?? 0),
                ForceUpdate = checked((long)template.ForceUpdate),
                Networks = ToDomain(template.Networks, (wire as ServiceSpecBody)?.Networks),
            },
            Endpoint = ToDomain(wire.EndpointSpec),
        };
    }

    public static WireServiceSpec ToWire(DomainServiceSpec spec) => new()
    {
        Name = spec.Name,
        Labels = spec.Labels,
        Mode = spec.Mode.IsGlobal
            ? new Docker.DotNet.Models.ServiceMode { Global = new GlobalService() }
            : new Docker.DotNet.Models.ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)spec.Mode.Replicas } },
        TaskTemplate = ToWire(spec.TaskTemplate),
        EndpointSpec = ToWire(spec.Endpoint),
    };

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
    };

    public static TaskSpec ToWire(TaskTemplate template) => new()
    {
        ContainerSpec = new Docker.DotNet.Models.ContainerSpec
        {
            Image = template.Container.Image,
            Command = template.Container.Command.IsDefaultOrEmpty ? null : [.. template.Container.Command],
            Args = template.Container.Args.IsDefaultOrEmpty ? null : [.. template.Container.Args],
            Env = template.Container.Env.IsDefaultOrEmpty ? null : [.. template.Container.Env],
            Labels = template.Container.Labels.IsEmpty ? null : template.Container.Labels,
            Mounts = template.Container.Mounts.IsDefaultOrEmpty ? null : [.. template.Container.Mounts.Select(ToWire)],
            StopGracePeriod = template.Container.StopGracePeriod,
        },
        RestartPolicy = new SwarmRestartPolicy
        {
            Condition = template.RestartPolicy.Condition switch
            {
                RestartCondition.None => "none",
                RestartCondition.OnFailure => "on-failure",
                _ => "any",
            },
            Delay = template.RestartPolicy.Delay,
            MaxAttempts = (ulong)template.RestartPolicy.MaxAttempts,
            Window = template.RestartPolicy.Window,
        },
        Placement = new Docker.DotNet.Models.Placement
        {
            Constraints = template.Placement.Constraints.IsDefaultOrEmpty ? null : [.. template.Placement.Constraints],
        },
        Resources = new ResourceRequirements
        {
            Reservations = new SwarmResources { NanoCPUs = template.Reservations.NanoCpus, MemoryBytes = template.Reservations.MemoryBytes },
        },
        Networks = template.Networks.IsDefaultOrEmpty
            ? null
            : [.. template.Networks.Select(n => new NetworkAttachmentConfig { Target = n.Target, Aliases = n.Aliases.IsDefaultOrEmpty ? null : [.. n.Aliases] })],
        ForceUpdate = (ulong)template.ForceUpdate,
    };

    /// <summary>The task template's networks, then any given only in the deprecated top-level field (as the engine merges them).</summary>
    private static ImmutableArray<ServiceNetwork> ToDomain(IList<NetworkAttachmentConfig>? template, IList<NetworkAttachmentConfig>? deprecated)
    {
        // Duplicates within one list are left for the decider to refuse; the same network in both is one attachment.
        var networks = (template ?? []).Select(ToDomain).ToList();
        networks.AddRange((deprecated ?? []).Select(ToDomain).Where(n => networks.All(t => t.Target != n.Target)).ToList());
        return [.. networks];
    }

    private static ServiceNetwork ToDomain(NetworkAttachmentConfig attachment) => new(attachment.Target ?? "", [.. attachment.Aliases ?? []]);

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
        });

    // The range itself is the validator's to check; only what does not fit an int is refused here.
    private static int PortNumber(uint? port, string name) =>
        port is > 65535 ? throw new BadRequestException($"invalid {name} {port}: must be between 1 and 65535") : (int)(port ?? 0);

    private static DomainMount ToDomain(Docker.DotNet.Models.Mount mount) => new(
        mount.Type?.ToLowerInvariant() switch
        {
            "volume" or null or "" => MountType.Volume,
            "bind" => MountType.Bind,
            "tmpfs" => MountType.Tmpfs,
            _ => throw new BadRequestException($"invalid MountType: \"{mount.Type}\""),
        },
        string.IsNullOrEmpty(mount.Source) ? null : mount.Source,
        mount.Target ?? "",
        mount.ReadOnly ?? false);

    private static Docker.DotNet.Models.Mount ToWire(DomainMount mount) => new()
    {
        Type = mount.Type.ToString().ToLowerInvariant(),
        Source = mount.Source,
        Target = mount.Target,
        ReadOnly = mount.ReadOnly ? true : null,
    };

    private static RestartCondition ParseCondition(string? condition) => condition switch
    {
        null or "" or "any" => RestartCondition.Any,
        "none" => RestartCondition.None,
        "on-failure" => RestartCondition.OnFailure,
        _ => throw new BadRequestException($"invalid RestartCondition: \"{condition}\""),
    };

    private static ImmutableDictionary<string, string> ToImmutable(IDictionary<string, string>? labels) =>
        labels is null ? ImmutableDictionary<string, string>.Empty : labels.ToImmutableDictionary();
}
