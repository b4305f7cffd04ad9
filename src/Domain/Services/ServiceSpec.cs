using System.Collections.Immutable;
using EventSwarm.Domain.Networking;

namespace EventSwarm.Domain.Services;

/// <summary>
/// A service as its owner wrote it. Shaped like Swarm's ServiceSpec (Engine API v1.41) so that the Docker API maps
/// onto it one to one, and every field a client sent reads back unchanged, those EventSwarm does not act on yet too.
/// </summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ServiceMode Mode { get; init; } = ServiceMode.Replicated(1);
    public required TaskTemplate TaskTemplate { get; init; }
    /// <summary>How tasks are replaced on an update; null leaves Swarm's defaults (parallelism 1, stop-first, pause).</summary>
    public UpdateConfig? UpdateConfig { get; init; }
    public UpdateConfig? RollbackConfig { get; init; }
    /// <summary>
    /// The top-level networks of API versions before 1.25: deprecated, still accepted and kept as sent. Used only
    /// when the task template names no network (Docker's populateNetworkID), and only then resolved to IDs.
    /// </summary>
    public ImmutableArray<ServiceNetwork> Networks { get; init; } = [];
    public EndpointSpec Endpoint { get; init; } = EndpointSpec.Default;
    /// <summary>
    /// False when the client sent no EndpointSpec: the endpoint is then the default (VIP, no ports), and Docker
    /// reads such a spec back without one. Logs from before this field always had one.
    /// </summary>
    public bool HasEndpointSpec { get; init; } = true;

    /// <summary>The networks its tasks join: the task template's, or when it names none, the deprecated top-level ones.</summary>
    public ImmutableArray<ServiceNetwork> TaskNetworks =>
        !TaskTemplate.Networks.IsDefaultOrEmpty ? TaskTemplate.Networks : Networks.IsDefault ? [] : Networks;

    /// <summary>What its tasks are made from: the template, on the networks the service joins.</summary>
    public TaskTemplate TaskTemplateForTasks =>
        !TaskTemplate.Networks.IsDefaultOrEmpty || Networks.IsDefaultOrEmpty ? TaskTemplate : TaskTemplate with { Networks = Networks };

    /// <summary>
    /// Whether tasks made from <paramref name="other"/> differ from this spec's: the template, and the parts of the
    /// endpoint a container is made with (an ingress attachment, host-mode ports). Other port changes are the
    /// routing mesh's business and replace no task, nor do changes of the update and rollback configs.
    /// </summary>
    public bool TasksDifferFrom(ServiceSpec other) =>
        TaskTemplateForTasks != other.TaskTemplateForTasks
        || Endpoint.HasIngressPorts != other.Endpoint.HasIngressPorts
        || !SpecEquality.Same(HostPorts, other.HostPorts);

    /// <summary>The host-mode ports its containers publish, without their names (a name is the spec's alone).</summary>
    public ImmutableArray<PortConfig> HostPorts =>
        Endpoint.Ports.IsDefaultOrEmpty ? [] : [.. Endpoint.Ports.Where(p => p.Mode == PublishMode.Host).Select(p => p.WithoutName())];

    public bool Equals(ServiceSpec? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public enum ServiceModeKind { Replicated, Global }

public sealed record ServiceMode(ServiceModeKind Kind, long Replicas)
{
    public static ServiceMode Replicated(long replicas) => new(ServiceModeKind.Replicated, replicas);
    public static ServiceMode Global { get; } = new(ServiceModeKind.Global, 0);
    public bool IsGlobal => Kind == ServiceModeKind.Global;
}

public enum UpdateFailureAction { Pause, Continue, Rollback }

public enum UpdateOrder { StopFirst, StartFirst }

/// <summary>Swarm's UpdateConfig, used for updates and for rollbacks. Kept as sent; the rolling updater acts on it.</summary>
public sealed record UpdateConfig
{
    /// <summary>Tasks replaced at once; 0 means all at once.</summary>
    public long Parallelism { get; init; }
    public Duration Delay { get; init; }
    public UpdateFailureAction FailureAction { get; init; } = UpdateFailureAction.Pause;
    /// <summary>How long a replaced task is watched for failure; zero leaves Swarm's default (5 s).</summary>
    public Duration Monitor { get; init; }
    public float MaxFailureRatio { get; init; }
    public UpdateOrder Order { get; init; } = UpdateOrder.StopFirst;
}

/// <summary>What every task of the service is made from; a task keeps the copy it was created with.</summary>
public sealed record TaskTemplate
{
    /// <summary>The networks its tasks join, by network ID once the service is recorded (names are resolved on the way in).</summary>
    public ImmutableArray<ServiceNetwork> Networks { get; init; } = [];
    public required ContainerSpec Container { get; init; }
    // The four parts below are kept as sent, null when not sent: Docker reads a spec back without the parts it was
    // created without. The Effective properties are what the control loops act on (Swarm's defaults for null).
    public RestartPolicy? RestartPolicy { get; init; }
    public Placement? Placement { get; init; }
    public Reservations? Reservations { get; init; }
    public Limits? Limits { get; init; }
    /// <summary>The log driver of its containers; null keeps the engine's default.</summary>
    public Driver? LogDriver { get; init; }
    /// <summary>Bumped by `service update --force` to replace tasks whose spec is otherwise unchanged.</summary>
    public long ForceUpdate { get; init; }

    public RestartPolicy EffectiveRestartPolicy => RestartPolicy ?? Services.RestartPolicy.Default;
    public Placement EffectivePlacement => Placement ?? Services.Placement.None;
    public Reservations EffectiveReservations => Reservations ?? Services.Reservations.None;
    public Limits EffectiveLimits => Limits ?? Services.Limits.None;

    public bool Equals(TaskTemplate? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

/// <summary>One network a service's tasks join, with extra DNS names for them on it and options for its driver.</summary>
public sealed record ServiceNetwork(string Target, ImmutableArray<string> Aliases)
{
    public ImmutableDictionary<string, string> DriverOpts { get; init; } = ImmutableDictionary<string, string>.Empty;

    public bool Equals(ServiceNetwork? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public enum RestartCondition { None, OnFailure, Any }

/// <summary>
/// Swarm's restart policy. A delay or window that was not given stays null, as Docker reads it back without them;
/// the supervisor uses Swarm's defaults then (5 s apart, unbounded window). Zero attempts means unlimited.
/// </summary>
public sealed record RestartPolicy(RestartCondition Condition, Duration? Delay, long MaxAttempts, Duration? Window)
{
    public static RestartPolicy Default { get; } = new(RestartCondition.Any, null, 0, null);

    public static Duration DefaultDelay { get; } = Duration.FromSeconds(5);

    public TimeSpan EffectiveDelay => (Delay ?? DefaultDelay).ToTimeSpan();

    public TimeSpan EffectiveWindow => (Window ?? Duration.Zero).ToTimeSpan();
}

public sealed record Placement(ImmutableArray<string> Constraints)
{
    public static Placement None { get; } = new(ImmutableArray<string>.Empty);

    /// <summary>Spread descriptors such as "node.labels.zone", in order of precedence.</summary>
    public ImmutableArray<PlacementPreference> Preferences { get; init; } = [];
    /// <summary>Tasks of the service per node; 0 is no limit.</summary>
    public long MaxReplicas { get; init; }
    public ImmutableArray<Platform> Platforms { get; init; } = [];

    public bool Equals(Placement? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public sealed record PlacementPreference(string SpreadDescriptor);

public sealed record Platform(string Architecture, string OS);

public sealed record Reservations(long NanoCpus, long MemoryBytes)
{
    public static Reservations None { get; } = new(0, 0);

    /// <summary>User-defined resources (GPUs and the like) a node must advertise to take the task.</summary>
    public ImmutableArray<GenericResource> GenericResources { get; init; } = [];

    public bool Equals(Reservations? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

/// <summary>Either a named resource (Value) or a discrete count (Count), as Swarm's GenericResource.</summary>
public sealed record GenericResource(string Kind, string? Value, long? Count);

/// <summary>Upper bounds applied to each container; 0 is no limit.</summary>
public sealed record Limits(long NanoCpus, long MemoryBytes, long Pids)
{
    public static Limits None { get; } = new(0, 0, 0);
}

/// <summary>A driver by name with its options: a log driver, a volume driver.</summary>
public sealed record Driver(string Name)
{
    public ImmutableDictionary<string, string> Options { get; init; } = ImmutableDictionary<string, string>.Empty;

    public bool Equals(Driver? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}
