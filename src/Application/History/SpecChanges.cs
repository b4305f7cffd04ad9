using EventSwarm.Domain.Services;

namespace EventSwarm.Application.History;

/// <summary>
/// A spec change as an operator reads it: "image nginx:1.25 → nginx:1.27", "env +LOG_LEVEL", "replicas 1 → 5".
/// Environment variables and labels are named, never their values (a value may be a password). Fields not
/// named here read as "other settings" (`service history` shows every field).
/// </summary>
public static class SpecChanges
{
    public static IReadOnlyList<string> Between(ServiceSpec before, ServiceSpec after)
    {
        var changes = new List<string>();
        var (a, b) = (before.TaskTemplate.Container, after.TaskTemplate.Container);
        if (a.Image != b.Image) changes.Add($"image {a.Image} → {b.Image}");
        if (before.Mode != after.Mode) changes.Add($"mode {HistoryNames.ModeText(before.Mode)} → {HistoryNames.ModeText(after.Mode)}");
        if (Keys(a.Env) is var envBefore && Keys(b.Env) is var envAfter && !a.Env.SequenceEqual(b.Env))
            changes.Add("env " + Delta(envBefore, envAfter, a.Env, b.Env));
        if (!SameMap(before.Labels, after.Labels)) changes.Add("labels " + Delta([.. before.Labels.Keys], [.. after.Labels.Keys],
            [.. before.Labels.Select(l => $"{l.Key}={l.Value}")], [.. after.Labels.Select(l => $"{l.Key}={l.Value}")]));
        var (ca, cb) = (before.TaskTemplate.EffectivePlacement.Constraints, after.TaskTemplate.EffectivePlacement.Constraints);
        if (!ca.SequenceEqual(cb)) changes.Add($"constraints [{string.Join(", ", ca)}] → [{string.Join(", ", cb)}]");
        if (!a.Command.SequenceEqual(b.Command) || !a.Args.SequenceEqual(b.Args)) changes.Add("command");
        if (!before.Endpoint.Equals(after.Endpoint)) changes.Add("published ports");
        if (!before.Networks.SequenceEqual(after.Networks) || !before.TaskTemplate.Networks.SequenceEqual(after.TaskTemplate.Networks)) changes.Add("networks");
        if (!a.Secrets.SequenceEqual(b.Secrets)) changes.Add("secrets");
        if (!a.Configs.SequenceEqual(b.Configs)) changes.Add("configs");
        if (!a.Mounts.SequenceEqual(b.Mounts)) changes.Add("mounts");
        if (!Equals(before.TaskTemplate.Reservations, after.TaskTemplate.Reservations) || !Equals(before.TaskTemplate.Limits, after.TaskTemplate.Limits))
            changes.Add("resources");
        if (!Equals(before.TaskTemplate.RestartPolicy, after.TaskTemplate.RestartPolicy)) changes.Add("restart policy");
        if (!Equals(before.UpdateConfig, after.UpdateConfig) || !Equals(before.RollbackConfig, after.RollbackConfig)) changes.Add("update config");
        if (before.TaskTemplate.ForceUpdate != after.TaskTemplate.ForceUpdate) changes.Add("forced update");
        if (before.Name != after.Name) changes.Add($"name {before.Name} → {after.Name}");
        if (changes.Count == 0) changes.Add(before.Equals(after) ? "no change" : "other settings");
        return changes;
    }

    private static List<string> Keys(IEnumerable<string> env) => [.. env.Select(v => v.Split('=', 2)[0])];

    private static bool SameMap(IReadOnlyDictionary<string, string> x, IReadOnlyDictionary<string, string> y) =>
        x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>"+ADDED -REMOVED ~CHANGED" by name.</summary>
    private static string Delta(List<string> keysBefore, List<string> keysAfter, IEnumerable<string> before, IEnumerable<string> after)
    {
        var valuesBefore = before.ToHashSet();
        var changed = after.Where(v => !valuesBefore.Contains(v)).Select(v => v.Split('=', 2)[0]).Where(keysBefore.Contains).Distinct();
        var parts = keysAfter.Except(keysBefore).Select(k => "+" + k)
            .Concat(keysBefore.Except(keysAfter).Select(k => "-" + k))
            .Concat(changed.Select(k => "~" + k))
            .ToList();
        return parts.Count == 0 ? "reordered" : string.Join(" ", parts);
    }
}
