using System.Collections.Immutable;
using System.Globalization;
using EventSwarm.Domain;
using EventSwarm.Domain.History;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.History;

public enum DiffAction { Added, Removed, Changed }

/// <summary>One field of an object that differs between two instants: "replicas 1 → 5".</summary>
public sealed record FieldChange(string Field, string? Old, string? New)
{
    public override string ToString() => $"{Field} {Old ?? "(none)"} → {New ?? "(none)"}";
}

/// <summary>An object added, removed or changed between two instants, with the fields that changed.</summary>
/// <param name="Name">Its name as operators know it (a task's is service.slot, a node's its hostname).</param>
public sealed record ObjectChange(SubjectKind Kind, string Id, string Name, DiffAction Action, ImmutableArray<FieldChange> Fields)
{
    /// <summary>"+ service web", "- task web.2", "~ service web: replicas 1 → 3, image nginx:1 → nginx:2".</summary>
    public string Line => Action switch
    {
        DiffAction.Added => $"+ {Kind.ToString().ToLowerInvariant()} {Name}",
        DiffAction.Removed => $"- {Kind.ToString().ToLowerInvariant()} {Name}",
        _ => $"~ {Kind.ToString().ToLowerInvariant()} {Name}: {string.Join(", ", Fields)}",
    };
}

/// <summary>
/// What changed between two states of the cluster, object by object: services, tasks, nodes, networks, secrets,
/// configs and stacks added, removed or changed, and for a change the fields operators ask about (a service's
/// replicas, image, env, ports, mode, labels, update config…; a node's availability, role and state; a task's state
/// and node). Pure: the two states come from the history. A secret's data never appears, only its version number.
/// </summary>
public static class StateDiff
{
    public static IReadOnlyList<ObjectChange> Between(ClusterState from, ClusterState to) =>
    [
        .. Compare(SubjectKind.Service, from.Services, to.Services, s => s.Spec.Name, ServiceFields),
        .. Compare(SubjectKind.Task, from.Tasks, to.Tasks, t => t.Name, TaskFields),
        .. Compare(SubjectKind.Node, from.Nodes, to.Nodes, n => n.Description.Hostname, NodeFields),
        .. Compare(SubjectKind.Network, from.Networks, to.Networks, n => n.Spec.Name, NetworkFields),
        .. Compare(SubjectKind.Secret, from.Secrets, to.Secrets, s => s.Spec.Name,
            (a, b) => FileObjectFields(a.Spec.Name, b.Spec.Name, a.Spec.Labels, b.Spec.Labels, a.Current.Number, b.Current.Number)),
        .. Compare(SubjectKind.Config, from.Configs, to.Configs, c => c.Spec.Name,
            (a, b) => FileObjectFields(a.Spec.Name, b.Spec.Name, a.Spec.Labels, b.Spec.Labels, a.Current.Number, b.Current.Number)),
        .. Compare(SubjectKind.Stack, from.Stacks, to.Stacks, s => s.Name,
            (a, b) => Fields(("version", a.Current.Number.ToString(CultureInfo.InvariantCulture), b.Current.Number.ToString(CultureInfo.InvariantCulture)))),
    ];

    private static IEnumerable<ObjectChange> Compare<T>(SubjectKind kind, ImmutableSortedDictionary<string, T> from, ImmutableSortedDictionary<string, T> to,
        Func<T, string> name, Func<T, T, IEnumerable<FieldChange>> fields) where T : class
    {
        var changes = new List<ObjectChange>();
        foreach (var (id, before) in from)
        {
            if (!to.TryGetValue(id, out var after)) changes.Add(new ObjectChange(kind, id, name(before), DiffAction.Removed, []));
            else if (!ReferenceEquals(before, after) && fields(before, after).ToImmutableArray() is { Length: > 0 } changed)
                changes.Add(new ObjectChange(kind, id, name(after), DiffAction.Changed, changed));
        }
        foreach (var (id, added) in to)
            if (!from.ContainsKey(id)) changes.Add(new ObjectChange(kind, id, name(added), DiffAction.Added, []));
        // Grouped as a reader scans them: by name, then added before changed before removed for a reused name.
        return changes.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Action).ThenBy(c => c.Id, StringComparer.Ordinal);
    }

    private static IEnumerable<FieldChange> Fields(params (string Field, string? Old, string? New)[] fields) =>
        fields.Where(f => f.Old != f.New).Select(f => new FieldChange(f.Field, f.Old, f.New));

    private static IEnumerable<FieldChange> ServiceFields(Service a, Service b)
    {
        var changes = SpecFields(a.Spec, b.Spec).ToList();
        // Every field of the spec is compared; one none of the named ones covers still shows, by its part's name.
        if (changes.Count == 0 && a.Spec != b.Spec) changes.Add(new FieldChange("spec", $"version {a.Version}", $"version {b.Version}"));
        changes.AddRange(Fields(("update state", a.UpdateStatus?.State.ToString().ToLowerInvariant(), b.UpdateStatus?.State.ToString().ToLowerInvariant())));
        return changes;
    }

    private static IEnumerable<FieldChange> SpecFields(ServiceSpec a, ServiceSpec b)
    {
        ContainerSpec ca = a.TaskTemplate.Container, cb = b.TaskTemplate.Container;
        return Fields(
            ("name", a.Name, b.Name),
            ("mode", a.Mode.IsGlobal ? "global" : "replicated", b.Mode.IsGlobal ? "global" : "replicated"),
            ("replicas", Replicas(a.Mode), Replicas(b.Mode)),
            ("image", ca.Image, cb.Image),
            ("command", Words(ca.Command), Words(cb.Command)),
            ("args", Words(ca.Args), Words(cb.Args)),
            ("env", List(ca.Env), List(cb.Env)),
            ("labels", Labels(a.Labels), Labels(b.Labels)),
            ("container labels", Labels(ca.Labels), Labels(cb.Labels)),
            ("ports", List(a.Endpoint.Ports.OrEmpty().Select(p => p.ToString())), List(b.Endpoint.Ports.OrEmpty().Select(p => p.ToString()))),
            ("endpoint mode", a.Endpoint.Mode.ToString().ToLowerInvariant(), b.Endpoint.Mode.ToString().ToLowerInvariant()),
            ("networks", List(a.TaskNetworks.Select(n => n.Target)), List(b.TaskNetworks.Select(n => n.Target))),
            ("mounts", List(ca.Mounts.OrEmpty().Select(m => $"{m.Type.ToString().ToLowerInvariant()}:{m.Source}:{m.Target}")),
                List(cb.Mounts.OrEmpty().Select(m => $"{m.Type.ToString().ToLowerInvariant()}:{m.Source}:{m.Target}"))),
            ("secrets", List(ca.Secrets.OrEmpty().Select(s => s.SecretName)), List(cb.Secrets.OrEmpty().Select(s => s.SecretName))),
            ("configs", List(ca.Configs.OrEmpty().Select(c => c.ConfigName)), List(cb.Configs.OrEmpty().Select(c => c.ConfigName))),
            ("constraints", List(a.TaskTemplate.EffectivePlacement.Constraints.OrEmpty()), List(b.TaskTemplate.EffectivePlacement.Constraints.OrEmpty())),
            ("restart policy", Restart(a.TaskTemplate.EffectiveRestartPolicy), Restart(b.TaskTemplate.EffectiveRestartPolicy)),
            ("reservations", Resources(a.TaskTemplate.EffectiveReservations.NanoCpus, a.TaskTemplate.EffectiveReservations.MemoryBytes),
                Resources(b.TaskTemplate.EffectiveReservations.NanoCpus, b.TaskTemplate.EffectiveReservations.MemoryBytes)),
            ("limits", Resources(a.TaskTemplate.EffectiveLimits.NanoCpus, a.TaskTemplate.EffectiveLimits.MemoryBytes),
                Resources(b.TaskTemplate.EffectiveLimits.NanoCpus, b.TaskTemplate.EffectiveLimits.MemoryBytes)),
            ("user", ca.User, cb.User),
            ("workdir", ca.Dir, cb.Dir),
            ("health check", ca.Healthcheck is null ? null : Words(ca.Healthcheck.Test), cb.Healthcheck is null ? null : Words(cb.Healthcheck.Test)),
            ("update config", Update(a.UpdateConfig), Update(b.UpdateConfig)),
            ("rollback config", Update(a.RollbackConfig), Update(b.RollbackConfig)),
            ("force update", a.TaskTemplate.ForceUpdate.ToString(CultureInfo.InvariantCulture), b.TaskTemplate.ForceUpdate.ToString(CultureInfo.InvariantCulture)));
    }

    private static IEnumerable<FieldChange> TaskFields(SwarmTask a, SwarmTask b) => Fields(
        ("state", Lower(a.Status.State), Lower(b.Status.State)),
        ("desired state", Lower(a.DesiredState), Lower(b.DesiredState)),
        ("node", a.NodeId, b.NodeId),
        ("error", a.Status.Error, b.Status.Error));

    private static IEnumerable<FieldChange> NodeFields(Node a, Node b) => Fields(
        ("hostname", a.Description.Hostname, b.Description.Hostname),
        ("role", Lower(a.Role), Lower(b.Role)),
        ("availability", Lower(a.Availability), Lower(b.Availability)),
        ("state", Lower(a.Status), Lower(b.Status)),
        ("address", a.Address, b.Address),
        ("labels", Labels(a.Labels), Labels(b.Labels)),
        ("engine", a.Description.EngineVersion, b.Description.EngineVersion));

    private static IEnumerable<FieldChange> NetworkFields(Network a, Network b) => Fields(
        ("name", a.Spec.Name, b.Spec.Name),
        ("driver", a.Spec.Driver, b.Spec.Driver),
        ("subnet", a.Subnet.ToString(), b.Subnet.ToString()),
        ("attachable", a.Spec.Attachable.ToString().ToLowerInvariant(), b.Spec.Attachable.ToString().ToLowerInvariant()),
        ("labels", Labels(a.Spec.Labels), Labels(b.Spec.Labels)));

    private static IEnumerable<FieldChange> FileObjectFields(string nameA, string nameB, ImmutableDictionary<string, string> labelsA,
        ImmutableDictionary<string, string> labelsB, long dataA, long dataB) => Fields(
        ("name", nameA, nameB),
        ("labels", Labels(labelsA), Labels(labelsB)),
        // The version of the data, never the data: a secret's payload is sealed in the log and stays out of answers.
        ("data version", dataA.ToString(CultureInfo.InvariantCulture), dataB.ToString(CultureInfo.InvariantCulture)));

    private static string? Replicas(ServiceMode mode) => mode.IsGlobal ? null : mode.Replicas.ToString(CultureInfo.InvariantCulture);

    private static string Lower<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    private static string? Words(ImmutableArray<string> words) => words.IsDefaultOrEmpty ? null : string.Join(' ', words);

    private static string? List(IEnumerable<string> items) => items.ToList() is { Count: > 0 } list ? $"[{string.Join(", ", list)}]" : null;

    private static string? Labels(ImmutableDictionary<string, string> labels) =>
        List(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static string Restart(RestartPolicy policy) =>
        $"{policy.Condition.ToString().ToLowerInvariant()}, {policy.MaxAttempts} attempts" + (policy.Delay is { } d ? $", delay {Go(d)}" : "");

    private static string? Resources(long nanoCpus, long memoryBytes) => nanoCpus == 0 && memoryBytes == 0
        ? null
        : $"{(nanoCpus / 1e9).ToString("0.###", CultureInfo.InvariantCulture)} CPU, {memoryBytes} bytes";

    private static string? Update(UpdateConfig? config) => config is null
        ? null
        : $"parallelism {config.Parallelism}, delay {Go(config.Delay)}, order {(config.Order == UpdateOrder.StartFirst ? "start-first" : "stop-first")}, " +
          $"on failure {config.FailureAction.ToString().ToLowerInvariant()}, monitor {Go(config.Monitor)}";

    /// <summary>Go's way of writing a duration, as docker prints them: 10s, 1m30s, 500ms.</summary>
    private static string Go(Duration duration)
    {
        var span = TimeSpan.FromTicks(duration.Nanoseconds / 100);
        if (span == TimeSpan.Zero) return "0s";
        if (span < TimeSpan.FromSeconds(1)) return $"{span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
        var text = "";
        if (span.TotalHours >= 1) text += $"{(int)span.TotalHours}h";
        if (span.Minutes > 0 || text.Length > 0) text += $"{span.Minutes}m";
        return text + $"{(span.Seconds + span.Milliseconds / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)}s";
    }

    private static IEnumerable<T> OrEmpty<T>(this ImmutableArray<T> items) => items.IsDefault ? [] : items;
}
