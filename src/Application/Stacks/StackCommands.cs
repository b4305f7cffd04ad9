using System.Collections.Immutable;
using EventSwarm.Application.Secrets;
using EventSwarm.Domain;
using EventSwarm.Domain.Stacks;
using Mediator;

namespace EventSwarm.Application.Stacks;

/// <summary>
/// `eventswarm stack deploy`: the whole stack in one command. The data of its secrets travels in clear only as far as
/// the leader's handler (as a secret create's does), which seals it before anything is decided.
/// </summary>
public sealed record DeployStackCommand(StackSpec Spec, bool Prune, Caller Caller) : ICommand<StackOutcome>
{
    public override string ToString() => $"DeployStackCommand {{ Stack = {Spec.Name}, Prune = {Prune}, Caller = {Caller} }}";
}

/// <param name="ToVersion">The version to deploy again; null for the previous one.</param>
public sealed record RollbackStackCommand(string Name, int? ToVersion, Caller Caller) : ICommand<StackOutcome>;

public sealed record RemoveStackCommand(string Name, Caller Caller) : ICommand<StackOutcome>;

/// <summary>The stack's version after the command (its last one for a removal) and what it did to each object.</summary>
public sealed record StackOutcome(int Version, IReadOnlyList<StackChange> Changes);

public sealed class StackCommandHandlers(CommandExecutor executor, ISecretCipher cipher) :
    ICommandHandler<DeployStackCommand, StackOutcome>,
    ICommandHandler<RollbackStackCommand, StackOutcome>,
    ICommandHandler<RemoveStackCommand, StackOutcome>
{
    public async ValueTask<StackOutcome> Handle(DeployStackCommand command, CancellationToken ct)
    {
        var ids = NewIds(StackDecider.NeededIds(command.Spec));
        // The domain command never holds the plaintext: each secret's data goes to Decide sealed, with its digest.
        var withoutSecretData = command.Spec with { Secrets = [.. command.Spec.Secrets.OrEmptyArray().Select(s => s with { Data = [] })] };
        ClusterState seen = ClusterState.Initial;
        var decision = await executor.ExecuteAsync("DeployStack", command.Caller, state =>
        {
            seen = state;
            var (sealedSecrets, digests) = Seal(command.Spec, state);
            return StackDecider.Decide(new DeployStack(withoutSecretData, command.Prune, executor.Now, ids, sealedSecrets, digests), state);
        }, ct);
        return Outcome(decision, command.Spec.Name, seen);
    }

    public async ValueTask<StackOutcome> Handle(RollbackStackCommand command, CancellationToken ct)
    {
        ClusterState seen = ClusterState.Initial;
        var decision = await executor.ExecuteAsync("RollbackStack", command.Caller, state =>
        {
            seen = state;
            var definitions = state.Stacks.TryGetValue(command.Name, out var stack) ? stack.Versions.Select(v => v.Definition).ToList() : [];
            var needed = definitions.Count == 0 ? 0 : definitions.Max(d => StackDecider.NeededIds(d.ToSpec()));
            var secrets = definitions.SelectMany(d => d.Secrets.OrEmptyArray()).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            return StackDecider.Decide(new RollbackStack(command.Name, command.ToVersion, executor.Now, NewIds(needed), CurrentDigests(secrets, state)), state);
        }, ct);
        return Outcome(decision, command.Name, seen);
    }

    public async ValueTask<StackOutcome> Handle(RemoveStackCommand command, CancellationToken ct)
    {
        ClusterState seen = ClusterState.Initial;
        var decision = await executor.ExecuteAsync("RemoveStack", command.Caller, state =>
        {
            seen = state;
            return StackDecider.Decide(new RemoveStack(command.Name, executor.Now), state);
        }, ct);
        var removed = decision.Events.OfType<StackRemoved>().Single();
        return new StackOutcome(seen.Stacks.TryGetValue(command.Name, out var stack) ? stack.Current.Number : 0, removed.Changes);
    }

    /// <summary>
    /// Each secret's data sealed exactly as `secret create` (a new ID, version 1) or `secret rotate` (the next
    /// version of the existing one) seals it, and the digest of what each existing one holds now.
    /// </summary>
    private (ImmutableArray<SealedStackSecret> Sealed, ImmutableDictionary<string, string> Current) Seal(StackSpec spec, ClusterState state)
    {
        var secrets = spec.Secrets.OrEmptyArray();
        var current = CurrentDigests(secrets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal), state);
        var sealedSecrets = new List<SealedStackSecret>();
        foreach (var secret in secrets)
        {
            var digest = StackDigest.Of(secret.Data.AsSpan());
            if (state.Secrets.Values.FirstOrDefault(s => s.Spec.Name == secret.Name) is { } existing)
            {
                var next = existing.Current.Number + 1;
                // Unchanged data is not sealed again: nothing will be written.
                var payload = current.GetValueOrDefault(secret.Name) == digest ? "" : cipher.Seal(existing.Id, next, secret.Data.AsSpan());
                sealedSecrets.Add(new SealedStackSecret(secret.Name, digest, existing.Id, next, payload));
            }
            else
            {
                var id = Ids.NewId();
                sealedSecrets.Add(new SealedStackSecret(secret.Name, digest, id, 1, cipher.Seal(id, 1, secret.Data.AsSpan())));
            }
        }
        return ([.. sealedSecrets], current);
    }

    /// <summary>The digest of the current data of the existing secrets of these names (opened here, never kept).</summary>
    private ImmutableDictionary<string, string> CurrentDigests(IReadOnlySet<string> names, ClusterState state) =>
        state.Secrets.Values.Where(s => names.Contains(s.Spec.Name))
            .GroupBy(s => s.Spec.Name, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g =>
            {
                var secret = g.First();
                return StackDigest.Of(cipher.Open(secret.Id, secret.Current.Number, secret.Current.Payload));
            }, StringComparer.Ordinal);

    private static ImmutableArray<string> NewIds(int count) => [.. Enumerable.Range(0, count).Select(_ => Ids.NewId())];

    /// <summary>What the batch recorded; for an unchanged redeploy (nothing recorded) the current version, every object unchanged.</summary>
    private static StackOutcome Outcome(Decision decision, string name, ClusterState seen)
    {
        if (decision.Events.OfType<StackDeployed>().SingleOrDefault() is { } deployed) return new StackOutcome(deployed.Version, deployed.Changes);
        if (!seen.Stacks.TryGetValue(name, out var stack)) return new StackOutcome(0, []);
        var spec = stack.Current.Definition;
        var changes = new List<StackChange>();
        changes.AddRange(spec.Networks.OrEmptyArray().Select(n => Unchanged("network", n.Name, seen.Networks.Values.FirstOrDefault(x => x.Spec.Name == n.Name)?.Id)));
        changes.AddRange(spec.Secrets.OrEmptyArray().Select(s => Unchanged("secret", s.Name, seen.Secrets.Values.FirstOrDefault(x => x.Spec.Name == s.Name)?.Id)));
        changes.AddRange(spec.Configs.OrEmptyArray().Select(c => Unchanged("config", c.Name, seen.Configs.Values.FirstOrDefault(x => x.Spec.Name == c.Name)?.Id)));
        changes.AddRange(spec.Services.OrEmptyArray().Select(s => Unchanged("service", s.Name, seen.Services.Values.FirstOrDefault(x => x.Spec.Name == s.Name)?.Id)));
        return new StackOutcome(stack.Current.Number, changes);
    }

    private static StackChange Unchanged(string kind, string name, string? id) => new(kind, name, id ?? "", "unchanged");
}

internal static class StackArrays
{
    public static ImmutableArray<T> OrEmptyArray<T>(this ImmutableArray<T> array) => array.IsDefault ? [] : array;
}
