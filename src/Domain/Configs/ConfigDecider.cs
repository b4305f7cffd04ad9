using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Domain.Configs;

public sealed record CreateConfig(string ConfigId, ConfigSpec Spec, string Data, DateTimeOffset At);
public sealed record UpdateConfigLabels(string Config, long Version, ConfigSpec Spec, bool HasData, DateTimeOffset At);
public sealed record RotateConfig(string Config, string Data, DateTimeOffset At);
public sealed record RemoveConfig(string Config, DateTimeOffset At);

/// <summary>Swarm's rules for configs (swarmkit manager/controlapi/config.go), in its words, plus rotation in place.</summary>
public static class ConfigDecider
{
    public static Decision Decide(CreateConfig command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        if (state.Configs.Values.Any(c => c.Spec.Name == command.Spec.Name))
            return Decision.Conflict($"config {command.Spec.Name} already exists");
        return Decision.Of(new ConfigCreated(command.ConfigId, command.Spec, command.Data, command.At));
    }

    public static Decision Decide(UpdateConfigLabels command, ClusterState state)
    {
        var found = state.LookupConfig(command.Config);
        if (found.Match is not { } config) return Decision.Refused(found.Refusal("config", command.Config)!);
        if (command.Version != config.Version)
            return Decision.Internal($"update out of sequence: config '{config.Spec.Name}' is at version {config.Version}, the update was for version {command.Version}");
        if (command.HasData || command.Spec with { Labels = config.Spec.Labels } != config.Spec)
            return Decision.Invalid("only updates to Labels are allowed");
        return Decision.Of(new ConfigUpdated(config.Id, command.Spec, command.At));
    }

    public static Decision Decide(RotateConfig command, ClusterState state)
    {
        var found = state.LookupConfig(command.Config);
        if (found.Match is not { } config) return Decision.Refused(found.Refusal("config", command.Config)!);
        var next = config.Current.Number + 1;
        return Decision.Of(new ConfigRotated(config.Id, next, command.Data, command.At));
    }

    public static Decision Decide(RemoveConfig command, ClusterState state)
    {
        var found = state.LookupConfig(command.Config);
        if (found.Match is not { } config) return Decision.Refused(found.Refusal("config", command.Config)!);
        return FileObjects.InUse("config", config.Spec.Name, state.Services.Values.Where(s => s.UsesConfig(config.Id)))
            ?? Decision.Of(new ConfigRemoved(config.Id, command.At));
    }
}
