using System.Collections.Immutable;
using Docker.DotNet.Models;
using EventSwarm.Domain.Services;
using DomainMount = EventSwarm.Domain.Services.Mount;
using DomainRestartPolicy = EventSwarm.Domain.Services.RestartPolicy;
using DomainServiceSpec = EventSwarm.Domain.Services.ServiceSpec;
using WireServiceSpec = Docker.DotNet.Models.ServiceSpec;

namespace EventSwarm.Node.Api;

/// <summary>Between Docker's ServiceSpec on the wire and ours; what the wire allows but we cannot run is refused by name.</summary>
public static class ServiceWire
{
    public static DomainServiceSpec ToDomain(WireServiceSpec wire)
    {
        var container = wire.TaskTemplate?.ContainerSpec
            ?? throw new BadRequestException("TaskTemplate.ContainerSpec must be provided");
        if (wire.Mode?.ReplicatedJob is not null || wire.Mode?.GlobalJob is not null)
            throw new BadRequestException("job modes (replicated-job, global-job) are not supported yet");
        if (wire.Mode?.Global is not null && wire.Mode?.Replicated is not null)
            throw new BadRequestException("a service is either replicated or global, not both");

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
            },
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
        EndpointSpec = new EndpointSpec { Mode = "vip" },
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
        ForceUpdate = (ulong)template.ForceUpdate,
    };

    private static DomainMount ToDomain(Docker.DotNet.Models.Mount mount) => new(
        mount.Type?.ToLowerInvariant() switch
        {
            "volume" or null or "" => MountType.Volume,
            "bind" => MountType.Bind,
            "tmpfs" => MountType.Tmpfs,
            var other => throw new BadRequestException($"invalid mount type '{other}': must be one of volume, bind, tmpfs"),
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
        _ => throw new BadRequestException($"invalid restart condition '{condition}': must be one of none, on-failure, any"),
    };

    private static ImmutableDictionary<string, string> ToImmutable(IDictionary<string, string>? labels) =>
        labels is null ? ImmutableDictionary<string, string>.Empty : labels.ToImmutableDictionary();
}
