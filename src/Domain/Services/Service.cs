using EventSwarm.Domain.Networking;

namespace EventSwarm.Domain.Services;

/// <summary>
/// A service in the projection. <see cref="Version"/> is the log sequence of the last event that changed it:
/// clients send it back on update (optimistic concurrency, Swarm's Meta.Version). Only changes to the service
/// itself move it, so control-loop activity on its tasks never makes a client's update "out of sequence".
/// </summary>
public sealed record Service(
    string Id,
    ServiceSpec Spec,
    ServiceSpec? PreviousSpec,
    long SpecVersion,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The VIPs and resolved published ports the allocator gave it.</summary>
    public ServiceEndpoint Endpoint { get; init; } = ServiceEndpoint.None;

    /// <summary>The task generation of <see cref="PreviousSpec"/>: a rollback restores it, so the tasks not yet updated stay.</summary>
    public long? PreviousSpecVersion { get; init; }

    /// <summary>The highest task generation ever given, so that a generation is never handed out twice after a rollback.</summary>
    public long LatestSpecVersion { get; init; }

    public UpdateStatus? UpdateStatus { get; init; }

    /// <summary>Every version of the spec, oldest first (empty for services recorded before history was kept).</summary>
    public System.Collections.Immutable.ImmutableList<ServiceVersion> Versions { get; init; } = [];

    /// <summary>The next task generation for a spec whose tasks differ from the current one.</summary>
    public long NextSpecVersion => Math.Max(LatestSpecVersion, SpecVersion) + 1;

    /// <summary>What a new task is made from: the template, its secrets and configs pinned to their current data.</summary>
    public TaskTemplate TemplateForNewTask(ClusterState state) => Secrets.FileReferences.Pin(Spec.TaskTemplateForTasks, state);

    /// <summary>
    /// Whether the task runs this service's current spec and the current data of its secrets and configs, so that
    /// no update has to replace it (swarmkit's !IsTaskDirty; Docker's `_up-to-date` task filter).
    /// </summary>
    public bool IsUpToDate(Tasks.SwarmTask task, ClusterState state) =>
        task.SpecVersion == SpecVersion && Secrets.FileReferences.IsCurrent(task, state);

    public bool UsesSecret(string secretId) =>
        !Spec.TaskTemplate.Container.Secrets.IsDefaultOrEmpty && Spec.TaskTemplate.Container.Secrets.Any(r => r.SecretId == secretId);

    public bool UsesConfig(string configId) =>
        !Spec.TaskTemplate.Container.Configs.IsDefaultOrEmpty && Spec.TaskTemplate.Container.Configs.Any(r => r.ConfigId == configId);

    public bool UsesNetwork(Network network) =>
        Spec.TaskNetworks.Any(n => n.Target == network.Id) || (network.Spec.Ingress && Spec.Endpoint.HasIngressPorts);
}
