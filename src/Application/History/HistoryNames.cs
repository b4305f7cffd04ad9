using System.Globalization;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.History;

/// <summary>
/// What the audit and explain need to know while walking the history, folded from the events as they pass: the
/// names of objects (a removed service's name lives only in its past events), each service's spec before the
/// event being described (so that "scaled 1 → 5" can name the old count), and the tasks' slots and nodes. The
/// current state fills in what happened before the events read (a selection that starts late).
/// </summary>
public sealed class HistoryNames(ClusterState current)
{
    private readonly Dictionary<string, ServiceSpec> _specs = new();
    private readonly Dictionary<string, ServiceSpec> _previous = new();
    private readonly Dictionary<string, string> _names = new();
    private readonly Dictionary<string, (string ServiceId, long Slot, string? NodeId)> _tasks = new();

    public ClusterState Current => current;

    public ServiceSpec? SpecOf(string serviceId) =>
        _specs.GetValueOrDefault(serviceId) ?? current.Services.GetValueOrDefault(serviceId)?.Spec;

    public string ServiceName(string? serviceId) => serviceId is null ? "" :
        _specs.TryGetValue(serviceId, out var spec) ? spec.Name
        : current.Services.TryGetValue(serviceId, out var service) ? service.Spec.Name
        : serviceId;

    /// <summary>A node by host name, as `node ls` shows it; its ID when the name was never seen.</summary>
    public string NodeName(string? nodeId) => nodeId is null ? "" :
        _names.TryGetValue("node/" + nodeId, out var name) ? name
        : current.Nodes.TryGetValue(nodeId, out var node) && node.Description.Hostname.Length > 0 ? node.Description.Hostname
        : nodeId;

    public string NameOf(string kind, string id) => _names.GetValueOrDefault($"{kind}/{id}") ?? kind switch
    {
        "network" => current.Networks.GetValueOrDefault(id)?.Spec.Name,
        "secret" => current.Secrets.GetValueOrDefault(id)?.Spec.Name,
        "config" => current.Configs.GetValueOrDefault(id)?.Spec.Name,
        _ => null,
    } ?? id;

    public (string ServiceId, long Slot, string? NodeId)? TaskOf(string taskId) =>
        _tasks.TryGetValue(taskId, out var task) ? task
        : current.Tasks.TryGetValue(taskId, out var t) ? (t.ServiceId, t.Slot, t.NodeId)
        : null;

    /// <summary>The IDs of services ever named <paramref name="name"/> in the events seen (a removed service too).</summary>
    public IEnumerable<string> ServicesNamed(string name) =>
        _specs.Where(s => s.Value.Name == name).Select(s => s.Key)
            .Concat(current.Services.Values.Where(s => s.Spec.Name == name).Select(s => s.Id)).Distinct();

    /// <summary>Takes the event in: call after describing it.</summary>
    public void Observe(HistoryEntry entry)
    {
        switch (entry.Recorded.Event)
        {
            case ServiceCreated e: _specs[e.ServiceId] = e.Spec; break;
            case ServiceUpdated e:
                if (SpecOf(e.ServiceId) is { } before) _previous[e.ServiceId] = before;
                _specs[e.ServiceId] = e.Spec;
                break;
            case ServiceScaled e when SpecOf(e.ServiceId) is { } spec:
                _previous[e.ServiceId] = spec;
                _specs[e.ServiceId] = spec with { Mode = ServiceMode.Replicated(e.Replicas) };
                break;
            case ServiceRolledBack e when PreviousOf(e.ServiceId) is { } previous:
                if (SpecOf(e.ServiceId) is { } leaving && !e.Automatic) _previous[e.ServiceId] = leaving;
                else _previous.Remove(e.ServiceId);
                _specs[e.ServiceId] = previous;
                break;
            case NodeJoined e: _names["node/" + e.NodeId] = e.Description.Hostname.Length > 0 ? e.Description.Hostname : e.NodeId; break;
            case NodeDescribed e when e.Description.Hostname.Length > 0: _names["node/" + e.NodeId] = e.Description.Hostname; break;
            case NetworkCreated e: _names["network/" + e.NetworkId] = e.Spec.Name; break;
            case SecretCreated e: _names["secret/" + e.SecretId] = e.Spec.Name; break;
            case ConfigCreated e: _names["config/" + e.ConfigId] = e.Spec.Name; break;
            case TaskCreated e: _tasks[e.TaskId] = (e.ServiceId, e.Slot, e.NodeId); break;
            case TaskAssigned e when TaskOf(e.TaskId) is { } task: _tasks[e.TaskId] = task with { NodeId = e.NodeId }; break;
        }
    }

    private ServiceSpec? PreviousOf(string serviceId) =>
        _previous.GetValueOrDefault(serviceId) ?? current.Services.GetValueOrDefault(serviceId)?.PreviousSpec;

    /// <summary>
    /// What an operator's event changed, in a line: "created service web (nginx:alpine, 1 replica)", "scaled service
    /// web 1 → 5", "updated service web: image nginx:1.25 → nginx:1.27". Null for the plumbing that comes with a
    /// command (addresses allocated, task bookkeeping), which the line of the command itself covers. Never a
    /// secret's or config's data.
    /// </summary>
    public string? Describe(DomainEvent @event) => @event switch
    {
        ServiceCreated e => $"created service {e.Spec.Name} ({e.Spec.TaskTemplate.Container.Image}, {ModeText(e.Spec.Mode)})",
        ServiceScaled e => SpecOf(e.ServiceId) is { Mode.IsGlobal: false } before
            ? $"scaled service {ServiceName(e.ServiceId)} {before.Mode.Replicas} → {e.Replicas}"
            : $"scaled service {ServiceName(e.ServiceId)} to {e.Replicas}",
        ServiceUpdated e => SpecOf(e.ServiceId) is { } before
            ? $"updated service {e.Spec.Name}: {string.Join(", ", SpecChanges.Between(before, e.Spec))}"
            : $"updated service {e.Spec.Name}",
        ServiceRolledBack e => (e.Automatic ? $"rolled back service {ServiceName(e.ServiceId)} ({e.Message})" : $"rolled back service {ServiceName(e.ServiceId)}")
            + (SpecOf(e.ServiceId) is { } now && PreviousOf(e.ServiceId) is { } back ? $": {string.Join(", ", SpecChanges.Between(now, back))}" : ""),
        ServiceRemoved e => $"removed service {ServiceName(e.ServiceId)}",
        NodeJoined e => $"node {(e.Description.Hostname.Length > 0 ? e.Description.Hostname : e.NodeId)} joined as {e.Role.ToString().ToLowerInvariant()}",
        NodeAvailabilityChanged e => $"node {NodeName(e.NodeId)} availability → {e.Availability.ToString().ToLowerInvariant()}",
        NodeLabelsChanged e => $"node {NodeName(e.NodeId)} labels: {(e.Labels.IsEmpty ? "(none)" : string.Join(", ", e.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))}",
        NodeRoleChanged e => $"node {NodeName(e.NodeId)} {(e.Role == NodeRole.Manager ? "promoted to manager" : "demoted to worker")}",
        NodeStatusChanged e => $"node {NodeName(e.NodeId)} {e.Status.ToString().ToLowerInvariant()}{(e.Message.Length > 0 ? $" ({e.Message})" : "")}",
        NodeRemoved e => $"removed node {NodeName(e.NodeId)}",
        NodeDescribed => null,
        NetworkCreated e => $"created network {e.Spec.Name} ({e.Subnet})",
        NetworkRemoved e => $"removed network {NameOf("network", e.NetworkId)}",
        SecretCreated e => $"created secret {e.Spec.Name}",
        SecretUpdated e => $"updated secret {e.Spec.Name}",
        SecretRotated e => $"rotated secret {NameOf("secret", e.SecretId)} (data version {e.DataVersion})",
        SecretRemoved e => $"removed secret {NameOf("secret", e.SecretId)}",
        ConfigCreated e => $"created config {e.Spec.Name}",
        ConfigUpdated e => $"updated config {e.Spec.Name}",
        ConfigRotated e => $"rotated config {NameOf("config", e.ConfigId)} (data version {e.DataVersion})",
        ConfigRemoved e => $"removed config {NameOf("config", e.ConfigId)}",
        StackDeployed e => $"deployed stack {e.Stack} (version {e.Version.ToString(CultureInfo.InvariantCulture)})",
        StackRemoved e => $"removed stack {e.Stack}",
        SwarmInitialized => "initialized the swarm",
        SwarmSpecUpdated => "updated the swarm's settings",
        JoinTokenRotated e => $"rotated the {e.Role.ToString().ToLowerInvariant()} join token",
        ClusterForcedNew => "forced a new cluster from this manager",
        ManagerUnlockKeyRotated => "rotated the unlock key",
        ManagerUnlockKeyCleared => "turned autolock off",
        ClusterCaIssued => "issued the cluster's CA",
        Domain.Web.WebTokenIssued e => $"issued web token {e.Name} ({(e.Role == Domain.Web.WebRole.Operator ? "operator" : "read-only")})",
        Domain.Web.WebTokenRevoked e => $"revoked web token {e.Name}",
        ServiceUpdateStarted or ServiceUpdatePaused or ServiceUpdateCompleted or ServiceEndpointAllocated or TaskAddressesAllocated => null,
        SecretDataPruned or ConfigDataPruned => null,
        TaskEvent => null,
        _ => null,
    };

    public static string ModeText(ServiceMode mode) =>
        mode.IsGlobal ? "global" : mode.Replicas == 1 ? "1 replica" : $"{mode.Replicas.ToString(CultureInfo.InvariantCulture)} replicas";
}
