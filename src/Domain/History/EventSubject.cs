using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Domain.History;

/// <summary>The kinds of object the log keeps a history of: one archive stream per object.</summary>
public enum SubjectKind { Swarm, Node, Service, Task, Network, Secret, Config, Stack }

/// <summary>
/// The object an event belongs to (its stream in the archive, "service/ID") and the service and node it concerns:
/// a task's events concern its service and node, so `audit --service` and `explain` find them without replaying
/// the log. Computed once, when the event is applied, from the states before and after it.
/// </summary>
public sealed record EventSubject(SubjectKind Kind, string Id, string? ServiceId = null, string? NodeId = null)
{
    public string StreamKey => $"{Kind.ToString().ToLowerInvariant()}/{Id}";

    /// <summary>The subject of <paramref name="event"/>, applied to <paramref name="before"/> to give <paramref name="after"/>.</summary>
    /// <remarks>
    /// A service's and a node's own events carry their id as ServiceId / NodeId too, so one filter ("service=web")
    /// finds the service's events and its tasks' alike. A task's service and node come from the task as it is
    /// after the event (the node it was just assigned to), else as it was before (a removed task).
    /// </remarks>
    public static EventSubject Of(DomainEvent @event, ClusterState before, ClusterState after) => @event switch
    {
        SwarmInitialized e => new(SubjectKind.Swarm, e.ClusterId, NodeId: e.NodeId),
        ClusterForcedNew e => Swarm(before, after) with { NodeId = e.NodeId },
        SwarmEvent => Swarm(before, after),

        NodeEvent e => new(SubjectKind.Node, NodeIdOf(e), NodeId: NodeIdOf(e)),

        ServiceEvent e => Service(ServiceIdOf(e)),
        // The allocator's endpoint for a service belongs to the service's stream: it is how its VIPs and ports came to be.
        ServiceEndpointAllocated e => Service(e.ServiceId),

        TaskCreated e => new(SubjectKind.Task, e.TaskId, e.ServiceId, e.NodeId),
        TaskAssigned e => Task(e.TaskId, before, after) with { NodeId = e.NodeId },
        TaskStatusReported e => Task(e.TaskId, before, after) with { NodeId = e.NodeId },
        TaskEvent e => Task(TaskIdOf(e), before, after),
        TaskAddressesAllocated e => Task(e.TaskId, before, after),

        NetworkCreated e => new(SubjectKind.Network, e.NetworkId),
        NetworkRemoved e => new(SubjectKind.Network, e.NetworkId),

        SecretEvent e => new(SubjectKind.Secret, SecretIdOf(e)),
        ConfigEvent e => new(SubjectKind.Config, ConfigIdOf(e)),

        StackDeployed e => new(SubjectKind.Stack, e.Stack),
        StackRemoved e => new(SubjectKind.Stack, e.Stack),

        // Who may use the web view is the swarm's, as its join tokens are.
        Web.WebTokenEvent => Swarm(before, after),

        _ => throw new ArgumentException($"no subject is known for {@event.GetType().Name}", nameof(@event)),
    };

    private static EventSubject Swarm(ClusterState before, ClusterState after) =>
        new(SubjectKind.Swarm, after.Swarm?.ClusterId ?? before.Swarm?.ClusterId ?? "swarm");

    private static EventSubject Service(string serviceId) => new(SubjectKind.Service, serviceId, serviceId);

    private static EventSubject Task(string taskId, ClusterState before, ClusterState after)
    {
        var task = after.Tasks.GetValueOrDefault(taskId) ?? before.Tasks.GetValueOrDefault(taskId);
        return new(SubjectKind.Task, taskId, task?.ServiceId, task?.NodeId);
    }

    private static string NodeIdOf(NodeEvent e) => e switch
    {
        NodeJoined x => x.NodeId,
        NodeDescribed x => x.NodeId,
        NodeStatusChanged x => x.NodeId,
        NodeAvailabilityChanged x => x.NodeId,
        NodeLabelsChanged x => x.NodeId,
        NodeRoleChanged x => x.NodeId,
        NodeRemoved x => x.NodeId,
        _ => throw new ArgumentException($"no node is known for {e.GetType().Name}", nameof(e)),
    };

    private static string ServiceIdOf(ServiceEvent e) => e switch
    {
        ServiceCreated x => x.ServiceId,
        ServiceScaled x => x.ServiceId,
        ServiceUpdated x => x.ServiceId,
        ServiceRolledBack x => x.ServiceId,
        ServiceUpdateStarted x => x.ServiceId,
        ServiceUpdatePaused x => x.ServiceId,
        ServiceUpdateCompleted x => x.ServiceId,
        ServiceRemoved x => x.ServiceId,
        _ => throw new ArgumentException($"no service is known for {e.GetType().Name}", nameof(e)),
    };

    private static string TaskIdOf(TaskEvent e) => e switch
    {
        TaskCreated x => x.TaskId,
        TaskUnschedulable x => x.TaskId,
        TaskAssigned x => x.TaskId,
        TaskDesiredStateChanged x => x.TaskId,
        TaskStatusReported x => x.TaskId,
        TaskRemoved x => x.TaskId,
        TaskOrphaned x => x.TaskId,
        _ => throw new ArgumentException($"no task is known for {e.GetType().Name}", nameof(e)),
    };

    private static string SecretIdOf(SecretEvent e) => e switch
    {
        SecretCreated x => x.SecretId,
        SecretUpdated x => x.SecretId,
        SecretRotated x => x.SecretId,
        SecretDataPruned x => x.SecretId,
        SecretRemoved x => x.SecretId,
        _ => throw new ArgumentException($"no secret is known for {e.GetType().Name}", nameof(e)),
    };

    private static string ConfigIdOf(ConfigEvent e) => e switch
    {
        ConfigCreated x => x.ConfigId,
        ConfigUpdated x => x.ConfigId,
        ConfigRotated x => x.ConfigId,
        ConfigDataPruned x => x.ConfigId,
        ConfigRemoved x => x.ConfigId,
        _ => throw new ArgumentException($"no config is known for {e.GetType().Name}", nameof(e)),
    };
}
