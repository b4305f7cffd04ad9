using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;

namespace EventSwarm.Node.Api.Events;

/// <summary>The object an Engine event is about: its ID and attributes (name, and for an update what changed).</summary>
public sealed record EventActor(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("Attributes")] ImmutableSortedDictionary<string, string> Attributes);

/// <summary>
/// One message of the Engine's <c>GET /events</c> in its own shape (api/types/events.Message). Swarm events carry
/// no legacy <c>status</c>/<c>id</c>/<c>from</c>: dockerd fills those in for container and image events only.
/// </summary>
public sealed record EngineEventMessage(
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("Action")] string Action,
    [property: JsonPropertyName("Actor")] EventActor Actor,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("time")] long Time,
    [property: JsonPropertyName("timeNano")] long TimeNano)
{
    public const string SwarmScope = "swarm";

    public static long NanosOf(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}

/// <summary>
/// The log's events as dockerd reports swarm changes (daemon/events.go generateClusterEvent): one create, update or
/// remove per change of a service, node, network, secret or config, scope "swarm", and for an update the attributes
/// dockerd compares (image, replicas, update state; a node's availability, role and state), each as ".old"/".new".
/// Pure: the states before and after the event say what changed, as swarmkit's watch gives the old and new object.
/// Tasks, the swarm itself and stacks have no events in Docker and none here.
/// </summary>
public static class SwarmEventTranslator
{
    public static IReadOnlyList<EngineEventMessage> Translate(ClusterState before, HistoryEntry entry, ClusterState after) =>
        Translate(before, entry.Recorded, after);

    public static IReadOnlyList<EngineEventMessage> Translate(ClusterState before, RecordedEvent recorded, ClusterState after)
    {
        var at = recorded.Metadata.At;
        return recorded.Event switch
        {
            ServiceCreated e => One(Service(after, e.ServiceId, "create", at)),
            ServiceRemoved e => One(Service(before, e.ServiceId, "remove", at)),
            // The allocator's write changes the service object in swarmkit too (an update naming nothing), but only
            // when the endpoint it writes is new.
            ServiceEndpointAllocated e when before.Services.TryGetValue(e.ServiceId, out var old)
                && after.Services.TryGetValue(e.ServiceId, out var now) && old.Endpoint == now.Endpoint => [],
            ServiceEvent or ServiceEndpointAllocated => One(ServiceUpdate(before, after, ServiceIdOf(recorded.Event), at)),
            NodeJoined e => One(before.Nodes.ContainsKey(e.NodeId) ? NodeUpdate(before, after, e.NodeId, at) : Node(after, e.NodeId, "create", [], at)),
            NodeRemoved e => One(Node(before, e.NodeId, "remove", [], at)),
            NodeEvent e => One(NodeUpdate(before, after, NodeIdOf(e), at)),
            NetworkCreated e => One(Named("network", e.NetworkId, after.Networks.GetValueOrDefault(e.NetworkId)?.Spec.Name, "create", at)),
            NetworkRemoved e => One(Named("network", e.NetworkId, before.Networks.GetValueOrDefault(e.NetworkId)?.Spec.Name, "remove", at)),
            SecretCreated e => One(Named("secret", e.SecretId, e.Spec.Name, "create", at)),
            SecretUpdated e => One(Named("secret", e.SecretId, e.Spec.Name, "update", at)),
            // A new version of the data is a change of the secret object (Swarm has no rotation: it would be an update).
            SecretRotated e => One(Named("secret", e.SecretId, after.Secrets.GetValueOrDefault(e.SecretId)?.Spec.Name, "update", at)),
            SecretRemoved e => One(Named("secret", e.SecretId, before.Secrets.GetValueOrDefault(e.SecretId)?.Spec.Name, "remove", at)),
            ConfigCreated e => One(Named("config", e.ConfigId, e.Spec.Name, "create", at)),
            ConfigUpdated e => One(Named("config", e.ConfigId, e.Spec.Name, "update", at)),
            ConfigRotated e => One(Named("config", e.ConfigId, after.Configs.GetValueOrDefault(e.ConfigId)?.Spec.Name, "update", at)),
            ConfigRemoved e => One(Named("config", e.ConfigId, before.Configs.GetValueOrDefault(e.ConfigId)?.Spec.Name, "remove", at)),
            // Task events, the swarm's own, stacks, address allocations and pruned data versions: dockerd has none.
            _ => [],
        };
    }

    private static IReadOnlyList<EngineEventMessage> One(EngineEventMessage? message) => message is null ? [] : [message];

    private static EngineEventMessage Message(string type, string id, string action, ImmutableSortedDictionary<string, string> attributes, DateTimeOffset at) =>
        new(type, action, new EventActor(id, attributes), EngineEventMessage.SwarmScope, at.ToUnixTimeSeconds(), EngineEventMessage.NanosOf(at));

    private static EngineEventMessage? Named(string type, string id, string? name, string action, DateTimeOffset at) =>
        Message(type, id, action, ImmutableSortedDictionary<string, string>.Empty.Add("name", name ?? ""), at);

    private static EngineEventMessage? Service(ClusterState state, string id, string action, DateTimeOffset at) =>
        state.Services.TryGetValue(id, out var service) ? Named("service", id, service.Spec.Name, action, at) : null;

    /// <summary>daemon/events.go logServiceEvent: the image, the replica count and the update state, when they changed.</summary>
    private static EngineEventMessage? ServiceUpdate(ClusterState before, ClusterState after, string id, DateTimeOffset at)
    {
        if (!after.Services.TryGetValue(id, out var now)) return null;
        var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        attributes["name"] = now.Spec.Name;
        if (before.Services.TryGetValue(id, out var old))
        {
            if (old.Spec.TaskTemplate.Container.Image != now.Spec.TaskTemplate.Container.Image)
                Changed(attributes, "image", old.Spec.TaskTemplate.Container.Image, now.Spec.TaskTemplate.Container.Image);
            if (!old.Spec.Mode.IsGlobal && !now.Spec.Mode.IsGlobal && old.Spec.Mode.Replicas != now.Spec.Mode.Replicas)
                Changed(attributes, "replicas", Number(old.Spec.Mode.Replicas), Number(now.Spec.Mode.Replicas));
            if (now.UpdateStatus is { } status)
            {
                if (old.UpdateStatus is null) attributes["updatestate.new"] = Name(status.State);
                else if (old.UpdateStatus.State != status.State) Changed(attributes, "updatestate", Name(old.UpdateStatus.State), Name(status.State));
            }
        }
        return Message("service", id, "update", attributes.ToImmutable(), at);
    }

    /// <summary>daemon/events.go logNodeEvent: availability, role and state, when they changed.</summary>
    private static EngineEventMessage? NodeUpdate(ClusterState before, ClusterState after, string id, DateTimeOffset at)
    {
        if (!after.Nodes.TryGetValue(id, out var now)) return null;
        var changes = new List<(string, string, string)>();
        if (before.Nodes.TryGetValue(id, out var old))
        {
            if (old.Availability != now.Availability) changes.Add(("availability", Lower(old.Availability), Lower(now.Availability)));
            if (old.Role != now.Role) changes.Add(("role", Lower(old.Role), Lower(now.Role)));
            if (old.Status != now.Status) changes.Add(("state", Lower(old.Status), Lower(now.Status)));
        }
        return Node(after, id, "update", changes, at);
    }

    private static EngineEventMessage? Node(ClusterState state, string id, string action, List<(string Key, string Old, string New)> changes, DateTimeOffset at)
    {
        if (!state.Nodes.TryGetValue(id, out var node)) return null;
        var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        attributes["name"] = node.Description.Hostname;
        foreach (var (key, old, now) in changes) Changed(attributes, key, old, now);
        return Message("node", id, action, attributes.ToImmutable(), at);
    }

    private static void Changed(ImmutableSortedDictionary<string, string>.Builder attributes, string key, string old, string now)
    {
        attributes[key + ".old"] = old;
        attributes[key + ".new"] = now;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>swarmkit's UpdateStatus_UpdateState names, lowered as dockerd lowers them: "rollback_started".</summary>
    public static string Name(UpdateState state) => state switch
    {
        UpdateState.Updating => "updating",
        UpdateState.Paused => "paused",
        UpdateState.Completed => "completed",
        UpdateState.RollbackStarted => "rollback_started",
        UpdateState.RollbackPaused => "rollback_paused",
        UpdateState.RollbackCompleted => "rollback_completed",
        _ => "unknown",
    };

    private static string ServiceIdOf(DomainEvent e) => e switch
    {
        ServiceScaled s => s.ServiceId,
        ServiceUpdated s => s.ServiceId,
        ServiceRolledBack s => s.ServiceId,
        ServiceUpdateStarted s => s.ServiceId,
        ServiceUpdatePaused s => s.ServiceId,
        ServiceUpdateCompleted s => s.ServiceId,
        ServiceEndpointAllocated s => s.ServiceId,
        _ => throw new ArgumentException($"not a service update: {e.GetType().Name}"),
    };

    private static string NodeIdOf(NodeEvent e) => e switch
    {
        NodeDescribed n => n.NodeId,
        NodeStatusChanged n => n.NodeId,
        NodeAvailabilityChanged n => n.NodeId,
        NodeLabelsChanged n => n.NodeId,
        NodeRoleChanged n => n.NodeId,
        NodeJoined n => n.NodeId,
        NodeRemoved n => n.NodeId,
        _ => throw new ArgumentException($"not a node event: {e.GetType().Name}"),
    };
}
