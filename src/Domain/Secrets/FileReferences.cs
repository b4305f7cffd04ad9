using System.Collections.Immutable;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Domain.Secrets;

/// <summary>
/// A container's references to secrets and configs: resolved to IDs when a service is recorded (a name may be
/// reused after a removal; an ID never is), and pinned to the current version of their data when a task is made,
/// so a task reads the same bytes for its whole life and a rotation is a rolling replacement of tasks.
/// </summary>
public static class FileReferences
{
    /// <summary>Where a secret with a relative target appears in a Linux container (Swarm's default).</summary>
    public const string SecretsDirectory = "/run/secrets";

    public static Decision? Resolve(ContainerSpec requested, ClusterState state, out ContainerSpec resolved)
    {
        resolved = requested;
        var secrets = new List<SecretReference>();
        var missing = new List<string>();
        foreach (var reference in requested.Secrets.OrEmpty())
        {
            var secret = Referenced(state.Secrets, reference.SecretId, reference.SecretName, s => s.Spec.Name);
            if (secret is null) missing.Add(string.IsNullOrEmpty(reference.SecretName) ? reference.SecretId ?? "" : reference.SecretName);
            else secrets.Add(reference with { SecretId = secret.Id, SecretName = secret.Spec.Name, File = reference.File ?? DefaultTarget(secret.Spec.Name), DataVersion = 0 });
        }
        if (missing.Count > 0) return FileObjects.NotFound("secret", missing);
        if (FileObjects.ConflictingTarget("secret", secrets.Select(s => (s.SecretName, s.File))) is { } secretClash) return secretClash;

        var configs = new List<ConfigReference>();
        foreach (var reference in requested.Configs.OrEmpty())
        {
            var config = Referenced(state.Configs, reference.ConfigId, reference.ConfigName, c => c.Spec.Name);
            if (config is null) missing.Add(string.IsNullOrEmpty(reference.ConfigName) ? reference.ConfigId ?? "" : reference.ConfigName);
            else configs.Add(reference with
            {
                ConfigId = config.Id,
                ConfigName = config.Spec.Name,
                File = reference.File ?? (reference.Runtime ? null : DefaultTarget("/" + config.Spec.Name)),
                DataVersion = 0,
            });
        }
        if (missing.Count > 0) return FileObjects.NotFound("config", missing);
        if (FileObjects.ConflictingTarget("config", configs.Select(c => (c.ConfigName, c.File))) is { } configClash) return configClash;

        resolved = requested with
        {
            Secrets = requested.Secrets.IsDefault ? requested.Secrets : [.. secrets],
            Configs = requested.Configs.IsDefault ? requested.Configs : [.. configs],
        };
        return null;
    }

    /// <summary>
    /// swarmkit's check of a reference: the object of its ID, if its name (when given) is that object's; a reference
    /// by name alone (what a client that did not look the ID up sends) is the object of that name.
    /// </summary>
    private static T? Referenced<T>(ImmutableSortedDictionary<string, T> objects, string? id, string? name, Func<T, string> nameOf) where T : class =>
        objects.GetValueOrDefault(id ?? "") is { } byId && (string.IsNullOrEmpty(name) || nameOf(byId) == name)
            ? byId
            : string.IsNullOrEmpty(id) ? objects.Values.FirstOrDefault(o => nameOf(o) == name) : null;

    /// <summary>The template a new task is made from: each reference pinned to the current version of its data.</summary>
    public static TaskTemplate Pin(TaskTemplate template, ClusterState state)
    {
        var container = template.Container;
        if (container.Secrets.IsDefaultOrEmpty && container.Configs.IsDefaultOrEmpty) return template;
        return template with
        {
            Container = container with
            {
                Secrets = container.Secrets.IsDefault ? container.Secrets : [.. container.Secrets.Select(r =>
                    state.Secrets.TryGetValue(r.SecretId, out var s) ? r with { DataVersion = s.Current.Number } : r)],
                Configs = container.Configs.IsDefault ? container.Configs : [.. container.Configs.Select(r =>
                    state.Configs.TryGetValue(r.ConfigId, out var c) ? r with { DataVersion = c.Current.Number } : r)],
            },
        };
    }

    /// <summary>
    /// Whether a task reads the current version of every secret and config it uses. A task made before versions
    /// were pinned (0) counts as current: it cannot say which version it has.
    /// </summary>
    public static bool IsCurrent(SwarmTask task, ClusterState state)
    {
        var container = task.Spec.Container;
        foreach (var r in container.Secrets.OrEmpty())
            if (r.DataVersion != 0 && state.Secrets.TryGetValue(r.SecretId, out var s) && s.Current.Number != r.DataVersion) return false;
        foreach (var r in container.Configs.OrEmpty())
            if (r.DataVersion != 0 && state.Configs.TryGetValue(r.ConfigId, out var c) && c.Current.Number != r.DataVersion) return false;
        return true;
    }

    /// <summary>
    /// The versions of a secret's or config's data that tasks may still read: those of tasks whose container has
    /// not ended (one that is shutting down still reads its files). Older ones can be pruned from the state.
    /// </summary>
    public static ImmutableHashSet<long> VersionsInUse(string objectId, ClusterState state) =>
        [.. Readers(objectId, state).Select(r => r.DataVersion)];

    /// <summary>The tasks whose container has not ended and read a secret or config, with the version each reads.</summary>
    public static IEnumerable<(SwarmTask Task, long DataVersion)> Readers(string objectId, ClusterState state) =>
        state.TasksReading(objectId).Where(t => !t.Status.State.IsTerminal())
            .SelectMany(t => t.Spec.Container.Secrets.OrEmpty().Where(r => r.SecretId == objectId).Select(r => (t, r.DataVersion))
                .Concat(t.Spec.Container.Configs.OrEmpty().Where(r => r.ConfigId == objectId).Select(r => (t, r.DataVersion))));

    private static FileTarget DefaultTarget(string name) => new(name, "0", "0", FileTarget.DefaultMode);
}
