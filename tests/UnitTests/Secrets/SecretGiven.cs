using System.Collections.Immutable;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;

namespace EventSwarm.UnitTests.Secrets;

/// <summary>Builders for secrets and configs; a secret's ID is its name, and its sealed data a readable stand-in.</summary>
public static class SecretGiven
{
    public static SecretCreated Secret(string name, double at = 0) => new(name, new SecretSpec { Name = name }, $"sealed:{name}:1", At(at));

    public static ConfigCreated Config(string name, double at = 0) => new(name, new ConfigSpec { Name = name }, "aGVsbG8=", At(at));

    public static SecretRotated Rotated(string name, long version, double at = 0) => new(name, version, $"sealed:{name}:{version}", At(at));

    public static ServiceSpec WithSecrets(this ServiceSpec spec, params string[] names) =>
        spec with
        {
            TaskTemplate = spec.TaskTemplate with
            {
                Container = spec.TaskTemplate.Container with
                {
                    Secrets = [.. names.Select(n => new SecretReference(n, n, new FileTarget(n, "0", "0", FileTarget.DefaultMode)))],
                },
            },
        };

    public static ServiceSpec WithConfigs(this ServiceSpec spec, params string[] names) =>
        spec with
        {
            TaskTemplate = spec.TaskTemplate with
            {
                Container = spec.TaskTemplate.Container with
                {
                    Configs = [.. names.Select(n => new ConfigReference(n, n, new FileTarget("/" + n, "0", "0", FileTarget.DefaultMode)))],
                },
            },
        };

    /// <summary>A task made of <paramref name="spec"/> pinned to the given version of each of its secrets.</summary>
    public static TaskCreated PinnedTo(this TaskCreated task, long version) => task with
    {
        Spec = task.Spec with
        {
            Container = task.Spec.Container with
            {
                Secrets = [.. task.Spec.Container.Secrets.Select(r => r with { DataVersion = version })],
                Configs = task.Spec.Container.Configs.IsDefault ? [] : [.. task.Spec.Container.Configs.Select(r => r with { DataVersion = version })],
            },
        },
    };

    public static ImmutableDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableDictionary(l => l.Key, l => l.Value);
}
