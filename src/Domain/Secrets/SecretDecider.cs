using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Domain.Secrets;

/// <summary>The data arrives sealed: the handler encrypts it before anything is decided, so no decision (and no event) ever holds it in clear.</summary>
public sealed record CreateSecret(string SecretId, SecretSpec Spec, string SealedData, DateTimeOffset At);
/// <param name="HasData">Whether the update carried data: Swarm refuses any change but the labels.</param>
public sealed record UpdateSecretLabels(string Secret, long Version, SecretSpec Spec, bool HasData, DateTimeOffset At);
/// <param name="DataVersion">The version the data was sealed for (the current one plus one).</param>
public sealed record RotateSecret(string SecretId, long DataVersion, string SealedData, DateTimeOffset At);
public sealed record RemoveSecret(string Secret, DateTimeOffset At);

/// <summary>Swarm's rules for secrets (swarmkit manager/controlapi/secret.go), in its words, plus rotation in place.</summary>
public static class SecretDecider
{
    public static Decision Decide(CreateSecret command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        if (state.Secrets.Values.Any(s => s.Spec.Name == command.Spec.Name))
            return Decision.Conflict($"secret {command.Spec.Name} already exists");
        return Decision.Of(new SecretCreated(command.SecretId, command.Spec, command.SealedData, command.At));
    }

    public static Decision Decide(UpdateSecretLabels command, ClusterState state)
    {
        var found = state.LookupSecret(command.Secret);
        if (found.Match is not { } secret) return Decision.Refused(found.Refusal("secret", command.Secret)!);
        if (command.Version != secret.Version)
            return Decision.Internal($"update out of sequence: secret '{secret.Spec.Name}' is at version {secret.Version}, the update was for version {command.Version}");
        if (command.HasData || command.Spec with { Labels = secret.Spec.Labels } != secret.Spec)
            return Decision.Invalid("only updates to Labels are allowed");
        return Decision.Of(new SecretUpdated(secret.Id, command.Spec, command.At));
    }

    public static Decision Decide(RotateSecret command, ClusterState state)
    {
        if (!state.Secrets.TryGetValue(command.SecretId, out var secret)) return Decision.NotFound($"secret {command.SecretId} not found");
        // Two rotations raced: the data was sealed for a version another one took.
        if (command.DataVersion != secret.Current.Number + 1)
            return Decision.Conflict($"secret '{secret.Spec.Name}' was rotated meanwhile (now at version {secret.Current.Number}); rotate again");
        return Decision.Of(new SecretRotated(secret.Id, command.DataVersion, command.SealedData, command.At));
    }

    public static Decision Decide(RemoveSecret command, ClusterState state)
    {
        var found = state.LookupSecret(command.Secret);
        if (found.Match is not { } secret) return Decision.Refused(found.Refusal("secret", command.Secret)!);
        return FileObjects.InUse("secret", secret.Spec.Name, state.Services.Values.Where(s => s.UsesSecret(secret.Id)))
            ?? Decision.Of(new SecretRemoved(secret.Id, command.At));
    }
}
