using System.Globalization;
using EventSwarm.Application.History;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;
using EventSwarm.Node.Api.Services;
using EventSwarm.Node.Cli;
using EventSwarm.Node.Cli.Nodes;
using Service = EventSwarm.Domain.Services.Service;

namespace EventSwarm.Node.Web.Pages;

/// <summary>
/// What every page shows around its own content: the instant it shows (now, or a past log index), the range the time
/// control moves over, the events around that instant, and who is looking (an operator sees controls, now only).
/// </summary>
/// <param name="Path">The page's local path, without <c>at</c>: the forms' <c>return</c>, the links' base.</param>
/// <param name="At">The past log index shown; null for now (the page then follows the event stream).</param>
/// <param name="ShownIndex">The log index the state shown is at (its last event).</param>
/// <param name="ShownTime">When the event at <paramref name="ShownIndex"/> was committed (the clock "ago" is read against in the past).</param>
public sealed record PageFrame(
    string Title,
    string Path,
    long? At,
    long ShownIndex,
    DateTimeOffset ShownTime,
    long FirstIndex,
    long LastIndex,
    IReadOnlyList<EventLine> Events,
    WebUser? User,
    string FormField,
    string FormToken)
{
    public bool IsPast => At is not null;

    /// <summary>Changes are made to the swarm as it is now: a page of the past offers none (the API refuses them too).</summary>
    public bool CanOperate => User is { IsOperator: true } && !IsPast;

    /// <summary>A link to another page at the same instant: travelling, every link keeps <c>at</c>.</summary>
    public string Link(string path) => At is { } at ? $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}at={at.ToString(CultureInfo.InvariantCulture)}" : path;

    /// <summary>This page at another log index.</summary>
    public string AtIndex(long index) => $"{Path}?at={index.ToString(CultureInfo.InvariantCulture)}";

    public string Ago(DateTimeOffset time) => Units.HumanDuration(ShownTime - time) + " ago";
}

/// <summary>One event of the log around the instant shown: when, who (the caller, or the control loop), what.</summary>
public sealed record EventLine(long Index, DateTimeOffset At, string Who, string What, bool IsShown);

public sealed record NodeRow(
    string Id, string Hostname, string Role, string ManagerStatus, string State, string Availability, string Address, int Tasks,
    long ReservedNanoCpus, long NanoCpus, long ReservedMemoryBytes, long MemoryBytes, string Message);

public sealed record ServiceRow(string Id, string Name, string Mode, long Running, long Desired, string Image, string Ports, string UpdateStatus, bool IsGlobal)
{
    public string Replicas => $"{Running}/{Desired}";
}

public sealed record TaskRow(string Id, string Name, bool IsHistory, string Image, string Node, string DesiredState, string CurrentState, string Error);

public sealed record ServiceDetail(ServiceRow Row, long Version, bool HasPreviousSpec, string FullImage, IReadOnlyList<TaskRow> Tasks, IReadOnlyList<ServiceVersionJson> Versions);

public sealed record NetworkRow(string Id, string Name, string Driver, string Scope, string Subnet, IReadOnlyList<string> Services);

/// <summary>A secret or a config: its name, ID, dates and users; never its data.</summary>
public sealed record FileObjectRow(string Kind, string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<string> Services);

/// <summary>The pages' rows from a state, as the CLI's listings compute them (pure: the endpoints give the state).</summary>
public static class PageModels
{
    /// <summary>
    /// `node ls` with what `node inspect` adds: tasks per node and CPU and memory reserved, from the same per-node
    /// load the scheduler reads (the active tasks from Assigned on).
    /// </summary>
    public static IReadOnlyList<NodeRow> Nodes(ClusterState state, Func<Domain.Nodes.Node, string> managerStatus) =>
    [
        .. state.Nodes.Values
            .OrderBy(n => n.Description.Hostname, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal)
            .Select(n =>
            {
                var usage = state.UsageOf(n.Id);
                return new NodeRow(n.Id, n.Description.Hostname, Word(n.Role), n.Role == NodeRole.Manager ? managerStatus(n) : "", NodeText.Capitalize(Word(n.Status)),
                    NodeText.Capitalize(Word(n.Availability)), n.Address, usage.Tasks, usage.NanoCpus, n.Description.NanoCpus, usage.MemoryBytes,
                    n.Description.MemoryBytes, n.StatusMessage);
            }),
    ];

    /// <summary>`service ls`: REPLICAS counts running tasks that are meant to run, over the replicas (or, global, the runnable tasks).</summary>
    public static IReadOnlyList<ServiceRow> Services(ClusterState state) =>
        [.. state.Services.Values.OrderBy(s => s.Spec.Name, StringComparer.Ordinal).Select(s => Row(s, state))];

    public static ServiceRow Row(Service service, ClusterState state)
    {
        // The same count `service ls` and the metrics take.
        var (running, desired) = Api.ServiceEndpoints.Replicas(service, state);
        var global = service.Spec.Mode.IsGlobal;
        var ports = service.Endpoint.Ports.IsDefaultOrEmpty ? service.Spec.Endpoint.Ports : service.Endpoint.Ports;
        return new ServiceRow(service.Id, service.Spec.Name, global ? "global" : "replicated", running, desired,
            ShortImage(service.Spec.TaskTemplate.Container.Image), PortsColumn(ports), UpdateStatusText(service.UpdateStatus), global);
    }

    /// <summary>docker's PORTS column: <c>*:8000-&gt;8000/tcp</c>, host-mode ports too.</summary>
    public static string PortsColumn(IEnumerable<PortConfig> ports) =>
        string.Join(", ", ports.Where(p => p.PublishedPort > 0).Select(p => $"*:{p.PublishedPort}->{p.TargetPort}/{p.ProtocolName}"));

    /// <summary>`service inspect --pretty`'s UpdateStatus: the state, and its message when there is one.</summary>
    public static string UpdateStatusText(UpdateStatus? status) => status is null ? ""
        : Api.ServiceEndpoints.UpdateStateName(status.State) + (string.IsNullOrEmpty(status.Message) ? "" : $": {status.Message}");

    /// <summary>
    /// `service ps`, shut-down tasks included: a slot's (a global service's node's) tasks newest first, its earlier
    /// ones under its newest as <c>\_ name</c>.
    /// </summary>
    public static ServiceDetail Service(Service service, ClusterState state, DateTimeOffset now)
    {
        var rows = new List<TaskRow>();
        var groups = state.TasksOf(service.Id)
            .GroupBy(t => t.Slot > 0 ? t.Slot.ToString(CultureInfo.InvariantCulture) : t.NodeId ?? "")
            .OrderBy(g => g.First().Slot).ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var first = true;
            foreach (var task in group.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id, StringComparer.Ordinal))
            {
                var node = task.NodeId is null ? "" : state.Nodes.TryGetValue(task.NodeId, out var n) ? n.Description.Hostname : task.NodeId;
                var error = task.Status.Error ?? "";
                rows.Add(new TaskRow(task.Id, task.Name, !first, ShortImage(task.Spec.Container.Image), node, NodeText.Capitalize(Word(task.DesiredState)),
                    $"{NodeText.Capitalize(Word(task.Status.State))} {Units.HumanDuration(now - task.Status.Timestamp)} ago", error));
                first = false;
            }
        }
        return new ServiceDetail(Row(service, state), service.Version, service.PreviousSpec is not null, service.Spec.TaskTemplate.Container.Image, rows,
            ServiceHistory.Of(service));
    }

    /// <summary>`network ls` with each network's subnet and the services attached (the ingress network: those publishing through it).</summary>
    public static IReadOnlyList<NetworkRow> Networks(ClusterState state) =>
    [
        .. state.Networks.Values.OrderBy(n => n.Spec.Name, StringComparer.Ordinal).Select(n => new NetworkRow(n.Id, n.Spec.Name, n.Spec.Driver, "swarm",
            n.Subnet.ToString(),
            [
                .. state.Services.Values
                    .Where(s => s.Spec.TaskNetworks.Any(a => a.Target == n.Id || a.Target == n.Spec.Name)
                        || n.Spec.Ingress && s.Spec.Endpoint.Ports.Any(p => p.Mode == PublishMode.Ingress))
                    .Select(s => s.Spec.Name).Order(StringComparer.Ordinal),
            ])),
    ];

    /// <summary>Secrets and configs by name, with the services whose spec refers to them. Their data is never read here.</summary>
    public static IReadOnlyList<FileObjectRow> SecretsAndConfigs(ClusterState state)
    {
        var rows = new List<FileObjectRow>();
        foreach (var secret in state.Secrets.Values.OrderBy(s => s.Spec.Name, StringComparer.Ordinal))
            rows.Add(new FileObjectRow("secret", secret.Id, secret.Spec.Name, secret.CreatedAt, secret.UpdatedAt,
                Users(state, s => s.Spec.TaskTemplate.Container.Secrets.Any(r => r.SecretId == secret.Id))));
        foreach (var config in state.Configs.Values.OrderBy(c => c.Spec.Name, StringComparer.Ordinal))
            rows.Add(new FileObjectRow("config", config.Id, config.Spec.Name, config.CreatedAt, config.UpdatedAt,
                Users(state, s => s.Spec.TaskTemplate.Container.Configs.Any(r => r.ConfigId == config.Id))));
        return rows;
    }

    /// <summary>
    /// The events around <paramref name="index"/> (up to <paramref name="around"/> each side), with who and what as the
    /// audit names them; the names are those of the state before the first one, so "scaled demo 3 → 5" reads right.
    /// </summary>
    public static IReadOnlyList<EventLine> EventsAround(IEventHistory history, long index, int around)
    {
        if (history.LastSequence == 0) return [];
        var from = Math.Max(history.FirstSequence, index - around);
        var to = Math.Min(history.LastSequence, index + around);
        var names = new HistoryNames(from > history.FirstSequence ? history.StateAt(from - 1) : ClusterState.Initial);
        var lines = new List<EventLine>();
        foreach (var entry in history.Read(new EventSelection(from, to)))
        {
            var metadata = entry.Recorded.Metadata;
            var what = names.Describe(entry.Recorded.Event) ?? entry.Recorded.Event switch
            {
                // The audit folds a task's events into its cause's reactions; listed one by one, each says where the task went.
                TaskCreated e => $"task {e.ServiceName}.{(e.Slot > 0 ? e.Slot.ToString(CultureInfo.InvariantCulture) : names.NodeName(e.NodeId))} ({Short(e.TaskId)}) created",
                TaskAssigned e => $"task {Name(names, entry)} assigned to {names.NodeName(e.NodeId)}",
                TaskStatusReported e => $"task {Name(names, entry)} {Word(e.Status.State)}{(string.IsNullOrEmpty(e.Status.Error) ? "" : $": {e.Status.Error}")}",
                TaskDesiredStateChanged e => $"task {Name(names, entry)} desired {Word(e.DesiredState)}",
                _ => $"{Infrastructure.Log.EventJson.NameOf(entry.Recorded.Event)} {entry.Subject.Kind.ToString().ToLowerInvariant()} {Name(names, entry)}",
            };
            names.Observe(entry);
            lines.Add(new EventLine(entry.Sequence, metadata.At, Who(names, metadata.Actor), what, entry.Sequence == index));
        }
        return lines;
    }

    private static string Name(HistoryNames names, HistoryEntry entry) => entry.Subject.Kind switch
    {
        Domain.History.SubjectKind.Service => names.ServiceName(entry.Subject.Id),
        Domain.History.SubjectKind.Node => names.NodeName(entry.Subject.Id),
        Domain.History.SubjectKind.Task => names.TaskOf(entry.Subject.Id) is { } task
            ? $"{names.ServiceName(task.ServiceId)}.{task.Slot.ToString(CultureInfo.InvariantCulture)} ({Short(entry.Subject.Id)})"
            : Short(entry.Subject.Id),
        _ => names.NameOf(entry.Subject.Kind.ToString().ToLowerInvariant(), entry.Subject.Id),
    };

    /// <summary>A worker's report is the node's (actor <c>node:ID</c>): named by its host name, as `node ls` shows it.</summary>
    private static string Who(HistoryNames names, string actor) =>
        actor.StartsWith("node:", StringComparison.Ordinal) ? $"node:{names.NodeName(actor["node:".Length..])}" : actor;

    public static string Short(string id) => id.Length > 12 ? id[..12] : id;

    public static string Cpus(long nanoCpus) => (nanoCpus / 1e9).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>docker's units.BytesSize, as `node inspect --pretty` shows memory: 7.772GiB.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.###", CultureInfo.InvariantCulture) + units[unit];
    }

    private static IReadOnlyList<string> Users(ClusterState state, Func<Service, bool> uses) =>
        [.. state.Services.Values.Where(uses).Select(s => s.Spec.Name).Order(StringComparer.Ordinal)];

    private static string ShortImage(string image) => image.Split('@')[0];

    private static string Word<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
