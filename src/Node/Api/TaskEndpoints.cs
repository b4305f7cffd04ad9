using Docker.DotNet.Models;
using EventSwarm.Domain;
using EventSwarm.Domain.Tasks;
using EventSwarm.Node.Api.History;
using EventSwarm.Node.Api.Services;
using WireTaskState = Docker.DotNet.Models.TaskState;

namespace EventSwarm.Node.Api;

public static class TaskEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/tasks", (HttpRequest request, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var filters = Filters.Parse(request, "id", "name", "service", "node", "desired-state", "label", "_up-to-date");
            // Swarm resolves the services named in the filter first, and refuses one it does not know.
            foreach (var service in filters.Values("service"))
                if (state.LookupService(service).Refusal("service", service) is { } refused) return ApiErrors.Of(refused);
            var tasks = Candidates(state, filters)
                .Where(t => filters.Match("id", v => t.Id.StartsWith(v, StringComparison.Ordinal)))
                .Where(t => filters.Match("name", v => t.Name.StartsWith(v, StringComparison.Ordinal)))
                .Where(t => filters.Match("service", v => state.FindService(v) is { } s ? s.Id == t.ServiceId : v == t.ServiceName))
                .Where(t => filters.Match("node", v => t.NodeId is not null && state.FindNode(v)?.Id == t.NodeId))
                .Where(t => filters.Match("desired-state", v => MatchesDesired(t.DesiredState, v)))
                // The docker CLI's progress counts only the tasks an update has nothing left to do with.
                .Where(t => filters.Values("_up-to-date").Count == 0 || (state.Services.TryGetValue(t.ServiceId, out var service) && service.IsUpToDate(t, state)))
                .Select(t => ToWire(t, state));
            return Results.Json(tasks, DockerJson.Options);
        });

        app.MapGet("/tasks/{id}", (string id, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            // Several tasks under one prefix is Docker's "task 1 is ambiguous (3 matches found)", never one of them.
            var found = state.LookupTask(id);
            return found.Match is { } task ? Results.Json(ToWire(task, state), DockerJson.Options) : ApiErrors.Of(found.Refusal("task", id)!);
        });
    }

    /// <summary>docker's desired-state filter: "running" also matches tasks held back by a restart delay.</summary>
    private static bool MatchesDesired(Domain.Tasks.TaskState desired, string filter) => filter switch
    {
        "running" => desired is Domain.Tasks.TaskState.Running or Domain.Tasks.TaskState.Ready,
        "shutdown" => desired >= Domain.Tasks.TaskState.Shutdown,
        "accepted" => desired == Domain.Tasks.TaskState.Accepted,
        _ => false,
    };

    public static TaskJson ToWire(SwarmTask task, ClusterState state) => new()
    {
        ID = task.Id,
        Version = new Docker.DotNet.Models.Version { Index = (ulong)task.Version },
        CreatedAt = task.CreatedAt.UtcDateTime,
        UpdatedAt = task.UpdatedAt.UtcDateTime,
        Spec = ServiceWire.ToWire(task.Spec),
        ServiceID = task.ServiceId,
        Slot = task.Slot > 0 ? task.Slot : null,
        NodeID = task.NodeId,
        Status = new Docker.DotNet.Models.TaskStatus
        {
            Timestamp = task.Status.Timestamp.UtcDateTime,
            State = ToWire(task.Status.State),
            Message = task.Status.Message,
            Err = task.Status.Error,
            ContainerStatus = task.Status.ContainerId is null ? null : new ContainerStatus
            {
                ContainerID = task.Status.ContainerId,
                ExitCode = task.Status.ExitCode ?? 0,
            },
        },
        DesiredState = ToWire(task.DesiredState),
        NetworksAttachments = task.Networks.IsDefaultOrEmpty
            ? null
            : [.. task.Networks
                .Where(a => state.Networks.ContainsKey(a.NetworkId))
                .Select(a => new NetworkAttachment
                {
                    Network = NetworkEndpoints.ToSwarmNetwork(state.Networks[a.NetworkId]),
                    Addresses = [NetworkEndpoints.WithPrefix(a.Address, a.NetworkId, state)],
                })],
    };

    private static WireTaskState ToWire(Domain.Tasks.TaskState state) => Enum.Parse<WireTaskState>(state.ToString());

    /// <summary>
    /// The tasks a filtered list can contain, read from the state's indexes: those of the services (or nodes) the
    /// filter names, in ID order, so `docker service ps` at scale reads one service's tasks, not every task. The
    /// filters themselves still decide.
    /// </summary>
    private static IEnumerable<SwarmTask> Candidates(ClusterState state, Filters filters)
    {
        var services = filters.Values("service");
        if (services.Count > 0 && services.All(v => state.FindService(v) is not null))
            return Union(state, services.Select(v => state.TasksOf(state.FindService(v)!.Id)));
        var nodes = filters.Values("node");
        if (nodes.Count > 0)
            return Union(state, nodes.Select(v => state.FindNode(v) is { } node ? state.TasksOn(node.Id) : []));
        return state.Tasks.Values;
    }

    private static IEnumerable<SwarmTask> Union(ClusterState state, IEnumerable<IEnumerable<SwarmTask>> parts)
    {
        var ids = new SortedSet<string>(state.Tasks.KeyComparer);
        foreach (var part in parts)
            foreach (var task in part) ids.Add(task.Id);
        return ids.Select(id => state.Tasks[id]);
    }
}
