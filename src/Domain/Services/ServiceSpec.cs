using System.Collections.Immutable;
using EventSwarm.Domain.Networking;

namespace EventSwarm.Domain.Services;

/// <summary>A service as its owner wrote it. Shaped like Swarm's ServiceSpec so that the Docker API maps onto it one to one.</summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ServiceMode Mode { get; init; } = ServiceMode.Replicated(1);
    public required TaskTemplate TaskTemplate { get; init; }
    public EndpointSpec Endpoint { get; init; } = EndpointSpec.Default;

    /// <summary>
    /// Whether tasks made from <paramref name="other"/> differ from this spec's: the template, and the parts of the
    /// endpoint a container is made with (an ingress attachment, host-mode ports). Other port changes are the
    /// routing mesh's business and replace no task.
    /// </summary>
    public bool TasksDifferFrom(ServiceSpec other) =>
        TaskTemplate != other.TaskTemplate
        || Endpoint.HasIngressPorts != other.Endpoint.HasIngressPorts
        || !SpecEquality.Same(HostPorts, other.HostPorts);

    public ImmutableArray<PortConfig> HostPorts =>
        Endpoint.Ports.IsDefaultOrEmpty ? [] : [.. Endpoint.Ports.Where(p => p.Mode == PublishMode.Host)];

    public bool Equals(ServiceSpec? other) =>
        other is not null && Name == other.Name && SpecEquality.Same(Labels, other.Labels) && Mode == other.Mode && TaskTemplate == other.TaskTemplate
        && Endpoint == other.Endpoint;

    public override int GetHashCode() => HashCode.Combine(Name, SpecEquality.Hash(Labels), Mode, TaskTemplate, Endpoint);
}

public enum ServiceModeKind { Replicated, Global }

public sealed record ServiceMode(ServiceModeKind Kind, long Replicas)
{
    public static ServiceMode Replicated(long replicas) => new(ServiceModeKind.Replicated, replicas);
    public static ServiceMode Global { get; } = new(ServiceModeKind.Global, 0);
    public bool IsGlobal => Kind == ServiceModeKind.Global;
}

/// <summary>What every task of the service is made from; a task keeps the copy it was created with.</summary>
public sealed record TaskTemplate
{
    /// <summary>The networks its tasks join, by network ID once the service is recorded (names are resolved on the way in).</summary>
    public ImmutableArray<ServiceNetwork> Networks { get; init; } = [];
    public required ContainerSpec Container { get; init; }
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.Default;
    public Placement Placement { get; init; } = Placement.None;
    public Reservations Reservations { get; init; } = Reservations.None;
    /// <summary>Bumped by `service update --force` to replace tasks whose spec is otherwise unchanged.</summary>
    public long ForceUpdate { get; init; }

    public bool Equals(TaskTemplate? other) =>
        other is not null && Container == other.Container && RestartPolicy == other.RestartPolicy && Placement == other.Placement
        && Reservations == other.Reservations && ForceUpdate == other.ForceUpdate && SpecEquality.Same(Networks, other.Networks);

    public override int GetHashCode() => HashCode.Combine(Container, RestartPolicy, Placement, Reservations, ForceUpdate, SpecEquality.Hash(Networks));
}

/// <summary>One network a service's tasks join, with extra DNS names for them on it.</summary>
public sealed record ServiceNetwork(string Target, ImmutableArray<string> Aliases)
{
    public bool Equals(ServiceNetwork? other) => other is not null && Target == other.Target && SpecEquality.Same(Aliases, other.Aliases);

    public override int GetHashCode() => HashCode.Combine(Target, SpecEquality.Hash(Aliases));
}

public sealed record ContainerSpec
{
    public required string Image { get; init; }
    /// <summary>The entrypoint (docker's --entrypoint); empty keeps the image's.</summary>
    public ImmutableArray<string> Command { get; init; } = [];
    /// <summary>Arguments after the image on the command line; the image's CMD when empty.</summary>
    public ImmutableArray<string> Args { get; init; } = [];
    public ImmutableArray<string> Env { get; init; } = [];
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<Mount> Mounts { get; init; } = [];
    /// <summary>Swarm's default: SIGTERM, then SIGKILL after 10 s.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    public bool Equals(ContainerSpec? other) =>
        other is not null && Image == other.Image
        && SpecEquality.Same(Command, other.Command) && SpecEquality.Same(Args, other.Args) && SpecEquality.Same(Env, other.Env)
        && SpecEquality.Same(Labels, other.Labels) && SpecEquality.Same(Mounts, other.Mounts) && StopGracePeriod == other.StopGracePeriod;

    public override int GetHashCode() =>
        HashCode.Combine(Image, SpecEquality.Hash(Command), SpecEquality.Hash(Args), SpecEquality.Hash(Env), SpecEquality.Hash(Labels), SpecEquality.Hash(Mounts), StopGracePeriod);
}

public enum MountType { Volume, Bind, Tmpfs }

public sealed record Mount(MountType Type, string? Source, string Target, bool ReadOnly = false);

public enum RestartCondition { None, OnFailure, Any }

/// <summary>Defaults are Swarm's: restart on any exit, 5 s apart, unlimited attempts, unbounded window.</summary>
public sealed record RestartPolicy(RestartCondition Condition, TimeSpan Delay, long MaxAttempts, TimeSpan Window)
{
    public static RestartPolicy Default { get; } = new(RestartCondition.Any, TimeSpan.FromSeconds(5), 0, TimeSpan.Zero);
}

public sealed record Placement(ImmutableArray<string> Constraints)
{
    public static Placement None { get; } = new(ImmutableArray<string>.Empty);

    public bool Equals(Placement? other) => other is not null && SpecEquality.Same(Constraints, other.Constraints);

    public override int GetHashCode() => SpecEquality.Hash(Constraints);
}

public sealed record Reservations(long NanoCpus, long MemoryBytes)
{
    public static Reservations None { get; } = new(0, 0);
}
