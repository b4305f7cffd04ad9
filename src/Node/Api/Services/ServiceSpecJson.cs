using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Api.Services;

// The service spec as the Engine API v1.41 writes it (moby api/types/swarm service.go, task.go, container.go,
// network.go at v20.10), with Docker's field names. Durations are integer nanoseconds (Go's time.Duration), which
// Docker.DotNet's models hold as TimeSpan and so round to 100 ns; these keep them exact. A null property is absent:
// on the way in it means "default", on the way out it is Go's omitempty. Fields Go writes even when zero are not
// nullable here. Parts without durations (mode, endpoint) stay Docker.DotNet's.

public sealed class ServiceSpecJson
{
    public string? Name { get; init; }
    public IDictionary<string, string>? Labels { get; init; }
    public TaskSpecJson? TaskTemplate { get; init; }
    public ServiceMode? Mode { get; init; }
    public UpdateConfigJson? UpdateConfig { get; init; }
    public UpdateConfigJson? RollbackConfig { get; init; }
    /// <summary>Deprecated since API 1.25 in favour of TaskTemplate.Networks; still accepted and read back.</summary>
    public List<NetworkAttachmentConfigJson>? Networks { get; init; }
    public EndpointSpec? EndpointSpec { get; init; }
}

public sealed class UpdateConfigJson
{
    public ulong Parallelism { get; init; }
    public long? Delay { get; init; }
    public string? FailureAction { get; init; }
    public long? Monitor { get; init; }
    public float MaxFailureRatio { get; init; }
    public string? Order { get; init; }
}

public sealed class TaskSpecJson
{
    public ContainerSpecJson? ContainerSpec { get; init; }
    public JsonElement? PluginSpec { get; init; }
    public JsonElement? NetworkAttachmentSpec { get; init; }
    public ResourceRequirementsJson? Resources { get; init; }
    public RestartPolicyJson? RestartPolicy { get; init; }
    public PlacementJson? Placement { get; init; }
    public List<NetworkAttachmentConfigJson>? Networks { get; init; }
    public DriverJson? LogDriver { get; init; }
    public ulong ForceUpdate { get; init; }
    public string? Runtime { get; init; }
}

public sealed class ResourceRequirementsJson
{
    public LimitJson? Limits { get; init; }
    public ResourcesJson? Reservations { get; init; }
}

public sealed class LimitJson
{
    public long? NanoCPUs { get; init; }
    public long? MemoryBytes { get; init; }
    public long? Pids { get; init; }
}

public sealed class ResourcesJson
{
    public long? NanoCPUs { get; init; }
    public long? MemoryBytes { get; init; }
    public List<GenericResourceJson>? GenericResources { get; init; }
}

public sealed class GenericResourceJson
{
    public NamedGenericResourceJson? NamedResourceSpec { get; init; }
    public DiscreteGenericResourceJson? DiscreteResourceSpec { get; init; }
}

public sealed class NamedGenericResourceJson
{
    public string? Kind { get; init; }
    public string? Value { get; init; }
}

public sealed class DiscreteGenericResourceJson
{
    public string? Kind { get; init; }
    public long? Value { get; init; }
}

public sealed class RestartPolicyJson
{
    public string? Condition { get; init; }
    public long? Delay { get; init; }
    public ulong? MaxAttempts { get; init; }
    public long? Window { get; init; }
}

public sealed class PlacementJson
{
    public List<string>? Constraints { get; init; }
    public List<PlacementPreferenceJson>? Preferences { get; init; }
    public ulong? MaxReplicas { get; init; }
    public List<PlatformJson>? Platforms { get; init; }
}

public sealed class PlacementPreferenceJson
{
    public SpreadOverJson? Spread { get; init; }
}

public sealed class SpreadOverJson
{
    public string SpreadDescriptor { get; init; } = "";
}

public sealed class PlatformJson
{
    public string? Architecture { get; init; }
    public string? OS { get; init; }
}

public sealed class DriverJson
{
    public string? Name { get; init; }
    public IDictionary<string, string>? Options { get; init; }
}

public sealed class NetworkAttachmentConfigJson
{
    public string? Target { get; init; }
    public List<string>? Aliases { get; init; }
    public IDictionary<string, string>? DriverOpts { get; init; }
}

public sealed class ContainerSpecJson
{
    public string? Image { get; init; }
    public IDictionary<string, string>? Labels { get; init; }
    public List<string>? Command { get; init; }
    public List<string>? Args { get; init; }
    public string? Hostname { get; init; }
    public List<string>? Env { get; init; }
    public string? Dir { get; init; }
    public string? User { get; init; }
    public List<string>? Groups { get; init; }
    public PrivilegesJson? Privileges { get; init; }
    public bool? Init { get; init; }
    public string? StopSignal { get; init; }
    public bool? TTY { get; init; }
    public bool? OpenStdin { get; init; }
    public bool? ReadOnly { get; init; }
    public List<MountJson>? Mounts { get; init; }
    public long? StopGracePeriod { get; init; }
    public HealthcheckJson? Healthcheck { get; init; }
    public List<string>? Hosts { get; init; }
    public DnsConfigJson? DNSConfig { get; init; }
    public List<SecretReferenceJson>? Secrets { get; init; }
    public List<ConfigReferenceJson>? Configs { get; init; }
    public string? Isolation { get; init; }
    public IDictionary<string, string>? Sysctls { get; init; }
    public List<string>? CapabilityAdd { get; init; }
    public List<string>? CapabilityDrop { get; init; }
    public List<UlimitJson>? Ulimits { get; init; }
}

/// <summary>types/swarm SecretReference: the file it becomes, and the secret by ID and name.</summary>
public sealed class SecretReferenceJson
{
    public FileTargetJson? File { get; init; }
    public string? SecretID { get; init; }
    public string? SecretName { get; init; }
}

/// <summary>types/swarm ConfigReference: a file, or (for a credential spec) a runtime config, which is an empty object.</summary>
public sealed class ConfigReferenceJson
{
    public FileTargetJson? File { get; init; }
    public JsonElement? Runtime { get; init; }
    public string? ConfigID { get; init; }
    public string? ConfigName { get; init; }
}

/// <summary>UID and GID are strings on the wire (Go's SecretReferenceFileTarget), the mode an integer (0444 is 292).</summary>
public sealed class FileTargetJson
{
    public string? Name { get; init; }
    public string? UID { get; init; }
    public string? GID { get; init; }
    public uint Mode { get; init; }
}

/// <summary>Go writes both members without omitempty: null when absent.</summary>
public sealed class PrivilegesJson
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public CredentialSpecJson? CredentialSpec { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public SeLinuxContextJson? SELinuxContext { get; init; }
}

public sealed class CredentialSpecJson
{
    public string? Config { get; init; }
    public string? File { get; init; }
    public string? Registry { get; init; }
}

public sealed class SeLinuxContextJson
{
    public bool Disable { get; init; }
    public string? User { get; init; }
    public string? Role { get; init; }
    public string? Type { get; init; }
    public string? Level { get; init; }
}

public sealed class MountJson
{
    public string? Type { get; init; }
    public string? Source { get; init; }
    public string? Target { get; init; }
    public bool? ReadOnly { get; init; }
    public string? Consistency { get; init; }
    public BindOptionsJson? BindOptions { get; init; }
    public VolumeOptionsJson? VolumeOptions { get; init; }
    public TmpfsOptionsJson? TmpfsOptions { get; init; }
}

public sealed class BindOptionsJson
{
    public string? Propagation { get; init; }
    public bool? NonRecursive { get; init; }
}

public sealed class VolumeOptionsJson
{
    public bool? NoCopy { get; init; }
    public IDictionary<string, string>? Labels { get; init; }
    public DriverJson? DriverConfig { get; init; }
}

public sealed class TmpfsOptionsJson
{
    public long? SizeBytes { get; init; }
    public uint? Mode { get; init; }
}

public sealed class HealthcheckJson
{
    public List<string>? Test { get; init; }
    public long? Interval { get; init; }
    public long? Timeout { get; init; }
    public long? StartPeriod { get; init; }
    public int? Retries { get; init; }
}

public sealed class DnsConfigJson
{
    public List<string>? Nameservers { get; init; }
    public List<string>? Search { get; init; }
    public List<string>? Options { get; init; }
}

public sealed class UlimitJson
{
    public string Name { get; init; } = "";
    public long Hard { get; init; }
    public long Soft { get; init; }
}

/// <summary>A service as GET /services writes it.</summary>
public sealed class ServiceJson
{
    public string ID { get; init; } = "";
    public Docker.DotNet.Models.Version Version { get; init; } = new();
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public required ServiceSpecJson Spec { get; init; }
    public ServiceSpecJson? PreviousSpec { get; init; }
    public Docker.DotNet.Models.Endpoint? Endpoint { get; init; }
    public ServiceStatus? ServiceStatus { get; init; }
    public UpdateStatusJson? UpdateStatus { get; init; }
}

/// <summary>Docker's UpdateStatus: the times are omitted until they happen.</summary>
public sealed class UpdateStatusJson
{
    public string? State { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? CompletedAt { get; init; }
    public string? Message { get; init; }
}

/// <summary>A task as GET /tasks writes it.</summary>
public sealed class TaskJson
{
    public string ID { get; init; } = "";
    public Docker.DotNet.Models.Version Version { get; init; } = new();
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    /// <summary>A task's own annotations: Docker writes its labels, empty, always.</summary>
    public IDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required TaskSpecJson Spec { get; init; }
    public string? ServiceID { get; init; }
    public long? Slot { get; init; }
    public string? NodeID { get; init; }
    public Docker.DotNet.Models.TaskStatus? Status { get; init; }
    public Docker.DotNet.Models.TaskState DesiredState { get; init; }
    public List<NetworkAttachment>? NetworksAttachments { get; init; }
}
