using System.Collections.Immutable;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Domain.Stacks;

/// <summary>
/// A secret's data as the handler prepared it before anything is decided: its digest, and sealed for the ID and the
/// data version it gets if it must be written (a new secret: a new ID and version 1; a rotation: the next version).
/// </summary>
public sealed record SealedStackSecret(string Name, string Digest, string SecretId, long DataVersion, string SealedData)
{
    public override string ToString() => $"SealedStackSecret {{ Name = {Name}, SecretId = {SecretId}, DataVersion = {DataVersion} }}";
}

/// <param name="Spec">The stack. The data of its secrets is not read here (it may be empty): <paramref name="Secrets"/> carries it sealed.</param>
/// <param name="NewIds">IDs for the networks, configs and services the deploy may create, taken in order: Decide stays pure.</param>
/// <param name="CurrentSecretDigests">The digest of the current data of each existing secret the stack names, by name:
/// the state holds secrets sealed, so the handler opens them to tell an unchanged secret from a changed one.</param>
public sealed record DeployStack(
    StackSpec Spec,
    bool Prune,
    DateTimeOffset At,
    ImmutableArray<string> NewIds,
    ImmutableArray<SealedStackSecret> Secrets,
    ImmutableDictionary<string, string> CurrentSecretDigests);

public sealed record RemoveStack(string Name, DateTimeOffset At);

/// <param name="ToVersion">The version to deploy again; null for the one before the current one.</param>
public sealed record RollbackStack(
    string Name,
    int? ToVersion,
    DateTimeOffset At,
    ImmutableArray<string> NewIds,
    ImmutableDictionary<string, string> CurrentSecretDigests);

/// <summary>
/// A stack deployed, rolled back or removed as ONE batch of events, or refused with nothing. Docker's `stack deploy`
/// is a sequence of client calls (docker/cli cli/command/stack/deploy_composefile.go): a failure half-way leaves half a
/// stack. Here every part is decided by the capability's own decider against a scratch state that each event already
/// decided has changed (as the writer applies a batch), so a service sees the network created before it in the same
/// batch, and any refusal refuses the whole deploy, naming the object.
/// </summary>
public static class StackDecider
{
    /// <summary>How many new IDs a deploy of <paramref name="spec"/> may use (secrets get theirs when sealed).</summary>
    public static int NeededIds(StackSpec spec) =>
        spec.Services.OrEmpty().Length + spec.Networks.OrEmpty().Length + spec.Configs.OrEmpty().Length;

    public static Decision Decide(DeployStack command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        var spec = Labelled(command.Spec);
        var sealedSecrets = command.Secrets.OrEmpty().ToDictionary(s => s.Name, StringComparer.Ordinal);
        if (spec.Secrets.OrEmpty().FirstOrDefault(s => !sealedSecrets.ContainsKey(s.Name)) is { } unsealed)
            return Decision.Internal($"secret {unsealed.Name}: its data was not sealed before the deploy was decided");
        var configDigests = spec.Configs.OrEmpty().ToImmutableDictionary(c => c.Name, c => StackDigest.Of(c.Data.AsSpan()));
        return Deploy(state, spec, new Plan(command.Prune, command.At, command.NewIds, command.CurrentSecretDigests,
            sealedSecrets.ToImmutableDictionary(p => p.Key, p => p.Value.Digest), configDigests, sealedSecrets, RollbackOf: null));
    }

    /// <summary>
    /// Deploys a recorded version again, as a new version: the services get their specs of then (an update each,
    /// so their update_config applies), services added since are removed (the stack as it was), and the secrets and
    /// configs of then must still hold the data recorded (only their digest is in the log: it cannot be restored).
    /// </summary>
    public static Decision Decide(RollbackStack command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        if (!state.Stacks.TryGetValue(command.Name, out var stack))
            return Decision.NotFound($"stack {command.Name} has no recorded version: only a stack deployed by `eventswarm stack deploy` can be rolled back");
        var to = command.ToVersion ?? stack.Current.Number - 1;
        if (to < 1) return Decision.Invalid($"stack {command.Name} has no previous version to roll back to");
        if (stack.Versions.FirstOrDefault(v => v.Number == to) is not { } version)
            return Decision.NotFound($"stack {command.Name} has no version {to}: its versions are 1 to {stack.Current.Number}");
        var definition = version.Definition;
        return Deploy(state, Labelled(definition.ToSpec()), new Plan(true, command.At, command.NewIds, command.CurrentSecretDigests,
            definition.Secrets.OrEmpty().ToImmutableDictionary(s => s.Name, s => s.Digest),
            definition.Configs.OrEmpty().ToImmutableDictionary(c => c.Name, c => c.Digest),
            ImmutableDictionary<string, SealedStackSecret>.Empty, RollbackOf: to));
    }

    /// <summary>
    /// `docker stack rm`: the services of the stack (found by the namespace label, as docker does), then its
    /// networks, secrets and configs. External objects carry no label and are never touched.
    /// </summary>
    public static Decision Decide(RemoveStack command, ClusterState state)
    {
        var name = command.Name;
        var services = state.Services.Values.Where(s => InStack(s.Spec.Labels, name)).OrderBy(s => s.Spec.Name, StringComparer.Ordinal).ToList();
        var networks = state.Networks.Values.Where(n => InStack(n.Spec.Labels, name)).OrderBy(n => n.Spec.Name, StringComparer.Ordinal).ToList();
        var secrets = state.Secrets.Values.Where(s => InStack(s.Spec.Labels, name)).OrderBy(s => s.Spec.Name, StringComparer.Ordinal).ToList();
        var configs = state.Configs.Values.Where(c => InStack(c.Spec.Labels, name)).OrderBy(c => c.Spec.Name, StringComparer.Ordinal).ToList();
        // docker/cli cli/command/stack/remove.go prints this when nothing carries the label.
        if (services.Count + networks.Count + secrets.Count + configs.Count == 0 && !state.Stacks.ContainsKey(name))
            return Decision.NotFound($"Nothing found in stack: {name}");

        var batch = new Batch(state, command.At, []);
        foreach (var service in services)
            if (batch.Take(ServiceDecider.Decide(new RemoveService(service.Id, command.At), batch.State), "service", service.Spec.Name, service.Id, "removed") is { } refused)
                return refused;
        var removed = services.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var network in networks)
        {
            // NetworkDecider refuses while any task is attached; the tasks of the services removed just before are
            // still in the state (the orchestrator shuts them down once the batch is applied). swarmkit's rule for a
            // network's removal (controlapi RemoveNetwork) counts only tasks that still run or are meant to; here,
            // tasks of the services this batch removes do not count either: they are about to be shut down.
            if (batch.State.Services.Values.FirstOrDefault(s => s.UsesNetwork(network)) is { } user)
                return Decision.Invalid($"network {network.Spec.Name}: in use by service {user.Spec.Name} ({user.Id}), which is not part of stack {name}");
            if (batch.State.TasksAttachedTo(network.Id).FirstOrDefault(t => !removed.Contains(t.ServiceId) && t.IsAttachedTo(network.Id)
                    && t.DesiredState <= TaskState.Running && t.Status.State <= TaskState.Running) is { } task)
                return Decision.Invalid($"network {network.Spec.Name}: in use by task {task.Id} ({task.Name})");
            batch.Take(Decision.Of(new NetworkRemoved(network.Id, command.At)), "network", network.Spec.Name, network.Id, "removed");
        }
        foreach (var secret in secrets)
            if (batch.Take(SecretDecider.Decide(new RemoveSecret(secret.Id, command.At), batch.State), "secret", secret.Spec.Name, secret.Id, "removed") is { } refused)
                return refused;
        foreach (var config in configs)
            if (batch.Take(ConfigDecider.Decide(new RemoveConfig(config.Id, command.At), batch.State), "config", config.Spec.Name, config.Id, "removed") is { } refused)
                return refused;
        return new Decision([.. batch.Events, new StackRemoved(name, [.. batch.Changes], command.At)]);
    }

    /// <summary>What a deploy needs besides the spec: how the data of secrets and configs is known, and whether it rolls back.</summary>
    private sealed record Plan(
        bool Prune,
        DateTimeOffset At,
        ImmutableArray<string> NewIds,
        ImmutableDictionary<string, string> CurrentSecretDigests,
        ImmutableDictionary<string, string> SecretDigests,
        ImmutableDictionary<string, string> ConfigDigests,
        IReadOnlyDictionary<string, SealedStackSecret> SealedSecrets,
        int? RollbackOf);

    private static Decision Deploy(ClusterState state, StackSpec spec, Plan plan)
    {
        if (plan.NewIds.OrEmpty().Length < NeededIds(spec))
            return Decision.Internal($"stack {spec.Name}: {NeededIds(spec)} new IDs are needed, {plan.NewIds.OrEmpty().Length} were given");
        var at = plan.At;
        var name = spec.Name;

        // External objects are looked up, never created (docker's validateExternalNetworks, in its words).
        foreach (var network in spec.ExternalNetworks.OrEmpty())
            if (state.LookupNetwork(network).Match is null)
                return Decision.Invalid($"network \"{network}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed");
        foreach (var secret in spec.ExternalSecrets.OrEmpty())
            if (!state.Secrets.Values.Any(s => s.Spec.Name == secret))
                return Decision.Invalid($"secret \"{secret}\" is declared as external, but could not be found");
        foreach (var config in spec.ExternalConfigs.OrEmpty())
            if (!state.Configs.Values.Any(c => c.Spec.Name == config))
                return Decision.Invalid($"config \"{config}\" is declared as external, but could not be found");

        var batch = new Batch(state, at, plan.NewIds);
        var wanted = spec.Services.OrEmpty().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        // --prune first, as docker does (deployCompose): a port or name the removed service held is free for the rest.
        // Docker's prune removes services only.
        if (plan.Prune)
            foreach (var service in state.Services.Values.Where(s => InStack(s.Spec.Labels, name) && !wanted.Contains(s.Spec.Name)).OrderBy(s => s.Spec.Name, StringComparer.Ordinal))
                if (batch.Take(ServiceDecider.Decide(new RemoveService(service.Id, at), batch.State), "service", service.Spec.Name, service.Id, "removed") is { } refused)
                    return refused;

        foreach (var network in spec.Networks.OrEmpty())
        {
            // A network of the stack that exists is left as it is, even when the file now gives it another driver,
            // subnet or labels: docker's createNetworks creates only the missing ones, and a network cannot change
            // under the tasks attached to it. One of that name outside the stack is refused as a create would be.
            if (batch.State.Networks.Values.FirstOrDefault(n => n.Spec.Name == network.Name && InStack(n.Spec.Labels, name)) is { } existing)
            {
                batch.Unchanged("network", network.Name, existing.Id);
                continue;
            }
            var id = batch.NextId();
            if (batch.Take(NetworkDecider.Decide(new CreateNetwork(id, network, at), batch.State), "network", network.Name, id, "created") is { } refused)
                return refused;
        }

        foreach (var secret in spec.Secrets.OrEmpty())
        {
            var digest = plan.SecretDigests[secret.Name];
            var existing = batch.State.Secrets.Values.FirstOrDefault(s => s.Spec.Name == secret.Name);
            if (existing is not null)
            {
                if (plan.CurrentSecretDigests.GetValueOrDefault(secret.Name) == digest)
                {
                    batch.Unchanged("secret", secret.Name, existing.Id);
                    continue;
                }
                if (plan.RollbackOf is { } version)
                    return Decision.Invalid($"secret {secret.Name}: its data is no longer that of version {version} of stack {name}, and the log keeps only its digest; deploy the stack's files instead");
                if (!InStack(existing.Spec.Labels, name))
                    return Decision.Conflict($"secret {secret.Name}: a secret of that name, not part of stack {name}, already exists with other data");
                // Docker refuses to change a secret's data ("only updates to Labels are allowed"), so a changed file
                // fails its redeploy; EventSwarm rotates it in place and the services using it roll to the new data.
                var rotation = plan.SealedSecrets[secret.Name];
                if (batch.Take(SecretDecider.Decide(new RotateSecret(existing.Id, rotation.DataVersion, rotation.SealedData, at), batch.State),
                        "secret", secret.Name, existing.Id, "rotated") is { } refused)
                    return refused;
                continue;
            }
            if (plan.RollbackOf is { } gone)
                return Decision.Invalid($"secret {secret.Name}: version {gone} of stack {name} used it, and it no longer exists; deploy the stack's files instead");
            var created = plan.SealedSecrets[secret.Name];
            if (batch.Take(SecretDecider.Decide(new CreateSecret(created.SecretId, new SecretSpec { Name = secret.Name, Labels = secret.Labels }, created.SealedData, at), batch.State),
                    "secret", secret.Name, created.SecretId, "created") is { } refusedCreate)
                return refusedCreate;
        }

        foreach (var config in spec.Configs.OrEmpty())
        {
            var digest = plan.ConfigDigests[config.Name];
            var existing = batch.State.Configs.Values.FirstOrDefault(c => c.Spec.Name == config.Name);
            if (existing is not null)
            {
                if (StackDigest.Of(Convert.FromBase64String(existing.Current.Payload)) == digest)
                {
                    batch.Unchanged("config", config.Name, existing.Id);
                    continue;
                }
                if (plan.RollbackOf is { } version)
                    return Decision.Invalid($"config {config.Name}: its data is no longer that of version {version} of stack {name}; deploy the stack's files instead");
                if (!InStack(existing.Spec.Labels, name))
                    return Decision.Conflict($"config {config.Name}: a config of that name, not part of stack {name}, already exists with other data");
                // As for secrets: rotated in place where Docker would refuse.
                if (batch.Take(ConfigDecider.Decide(new RotateConfig(existing.Id, Convert.ToBase64String(config.Data.AsSpan()), at), batch.State),
                        "config", config.Name, existing.Id, "rotated") is { } refused)
                    return refused;
                continue;
            }
            if (plan.RollbackOf is { } gone)
                return Decision.Invalid($"config {config.Name}: version {gone} of stack {name} used it, and it no longer exists; deploy the stack's files instead");
            var id = batch.NextId();
            if (batch.Take(ConfigDecider.Decide(new CreateConfig(id, new ConfigSpec { Name = config.Name, Labels = config.Labels }, Convert.ToBase64String(config.Data.AsSpan()), at), batch.State),
                    "config", config.Name, id, "created") is { } refusedCreate)
                return refusedCreate;
        }

        foreach (var service in spec.Services.OrEmpty())
        {
            // Docker updates the services of the stack that exist (found by the label) and creates the others; one of
            // that name outside the stack makes the create refused ("name conflicts with an existing object").
            if (batch.State.Services.Values.FirstOrDefault(s => s.Spec.Name == service.Name && InStack(s.Spec.Labels, name)) is { } existing)
            {
                // Every deploy sends the whole spec, replicas included (a `service scale` since is undone, as with Docker),
                // and the rolling updater applies the service's update_config: a redeploy is a rolling update.
                var update = ServiceDecider.Decide(new UpdateService(existing.Id, existing.Version, service, at), batch.State);
                if (update.Succeeded && update.Events is [ServiceUpdated { Spec: var same }] && same == existing.Spec)
                {
                    batch.Unchanged("service", service.Name, existing.Id);
                    continue;
                }
                var after = (update.Events.Count > 0 ? update.Events[0] : null) switch
                {
                    ServiceUpdated u => u.Spec,
                    ServiceScaled s => existing.Spec with { Mode = ServiceMode.Replicated(s.Replicas) },
                    _ => existing.Spec,
                };
                if (batch.Take(update, "service", service.Name, existing.Id, "updated", Describe(existing.Spec, after)) is { } refused)
                    return refused;
                continue;
            }
            var id = batch.NextId();
            if (batch.Take(ServiceDecider.Decide(new CreateService(id, service, at), batch.State), "service", service.Name, id, "created") is { } refusedCreate)
                return refusedCreate;
        }

        var stack = state.Stacks.GetValueOrDefault(name);
        // An unchanged redeploy records nothing (no new version): the answer is the current version.
        if (stack is not null && batch.Events.Count == 0) return Decision.None;
        var definition = new StackDefinition
        {
            Name = name,
            Services = spec.Services.OrEmpty(),
            Networks = spec.Networks.OrEmpty(),
            ExternalNetworks = spec.ExternalNetworks.OrEmpty(),
            Secrets = [.. spec.Secrets.OrEmpty().Select(s => new StackObjectDigest(s.Name, s.Labels, plan.SecretDigests[s.Name]))],
            ExternalSecrets = spec.ExternalSecrets.OrEmpty(),
            Configs = [.. spec.Configs.OrEmpty().Select(c => new StackObjectDigest(c.Name, c.Labels, plan.ConfigDigests[c.Name]))],
            ExternalConfigs = spec.ExternalConfigs.OrEmpty(),
            Files = spec.Files.OrEmpty(),
        };
        var changes = plan.RollbackOf is { } rolledBackTo
            ? batch.Changes.Prepend(new StackChange("stack", name, name, "rolled back", $"rolled back to version {rolledBackTo}"))
            : batch.Changes;
        return new Decision([.. batch.Events, new StackDeployed(name, (stack?.Current.Number ?? 0) + 1, definition, [.. changes], at)]);
    }

    /// <summary>Whether labels mark an object as part of the stack (docker's `label=com.docker.stack.namespace=NAME` filter).</summary>
    public static bool InStack(IReadOnlyDictionary<string, string> labels, string stack) =>
        labels.TryGetValue(StackSpec.NamespaceLabel, out var value) && value == stack;

    /// <summary>Every object the stack owns carries the namespace label, as Docker's converter puts it: `stack rm` finds them by it.</summary>
    private static StackSpec Labelled(StackSpec spec)
    {
        var name = spec.Name;
        ImmutableDictionary<string, string> With(ImmutableDictionary<string, string>? labels) =>
            (labels ?? ImmutableDictionary<string, string>.Empty).SetItem(StackSpec.NamespaceLabel, name);
        return spec with
        {
            Services = [.. spec.Services.OrEmpty().Select(s => s with { Labels = With(s.Labels) })],
            Networks = [.. spec.Networks.OrEmpty().Select(n => n with { Labels = With(n.Labels) })],
            Secrets = [.. spec.Secrets.OrEmpty().Select(s => s with { Labels = With(s.Labels) })],
            Configs = [.. spec.Configs.OrEmpty().Select(c => c with { Labels = With(c.Labels) })],
        };
    }

    /// <summary>What an update changes, in a line of the stack's history.</summary>
    private static string Describe(ServiceSpec before, ServiceSpec after)
    {
        var parts = new List<string>();
        var (imageBefore, imageAfter) = (before.TaskTemplate.Container.Image, after.TaskTemplate.Container.Image);
        if (imageBefore != imageAfter) parts.Add($"image {imageBefore} -> {imageAfter}");
        if (before.Mode != after.Mode)
            parts.Add(before.Mode.IsGlobal || after.Mode.IsGlobal ? "mode changed" : $"replicas {before.Mode.Replicas} -> {after.Mode.Replicas}");
        // docker's converter records the image as written in the service label com.docker.stack.image: it follows
        // the image and is not a change of its own.
        var labels = after.Labels.TryGetValue(StackSpec.ImageLabel, out var writtenImage)
            ? before.Labels.SetItem(StackSpec.ImageLabel, writtenImage)
            : before.Labels.Remove(StackSpec.ImageLabel);
        var rest = before with
        {
            Mode = after.Mode,
            Labels = labels,
            TaskTemplate = before.TaskTemplate with { Container = before.TaskTemplate.Container with { Image = imageAfter } },
        };
        if (rest != after) parts.Add("spec updated");
        return parts.Count == 0 ? "updated" : string.Join(", ", parts);
    }

    /// <summary>
    /// The events decided so far and the state they make: each part of the stack is decided against it, so it sees
    /// what the parts before it created (applied as the writer applies a batch).
    /// </summary>
    private sealed class Batch(ClusterState state, DateTimeOffset at, ImmutableArray<string> ids)
    {
        private readonly EventMetadata _metadata = new(at, "", "", "");
        private int _next;

        public ClusterState State { get; private set; } = state;
        public List<DomainEvent> Events { get; } = [];
        public List<StackChange> Changes { get; } = [];

        public string NextId() => ids[_next++];

        public void Unchanged(string kind, string name, string id) => Changes.Add(new StackChange(kind, name, id, "unchanged"));

        /// <summary>The events of a part, or its refusal with the object named ("service wordpress_web: port '8080' …").</summary>
        public Decision? Take(Decision decision, string kind, string name, string id, string action, string? detail = null)
        {
            if (decision.Error is { } error) return Decision.Refused(error with { Message = $"{kind} {name}: {error.Message}" });
            foreach (var @event in decision.Events)
            {
                Events.Add(@event);
                State = State.Apply(new RecordedEvent(State.LastSequence + 1, _metadata, @event));
            }
            Changes.Add(new StackChange(kind, name, id, action, detail));
            return null;
        }
    }
}
