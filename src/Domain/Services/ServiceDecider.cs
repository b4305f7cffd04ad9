using System.Collections.Immutable;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Domain.Services;

public sealed record CreateService(string ServiceId, ServiceSpec Spec, DateTimeOffset At);
/// <param name="Version">The version the caller read (`docker service scale` updates the spec it inspected); null scales whatever is current.</param>
public sealed record ScaleService(string Service, long Replicas, DateTimeOffset At, long? Version = null);
public sealed record UpdateService(string Service, long Version, ServiceSpec Spec, DateTimeOffset At);
/// <summary>`docker service update --image`: the current spec with a new image, the change the audit trail names.</summary>
public sealed record UpdateServiceImage(string Service, long Version, string Image, DateTimeOffset At);
public sealed record RemoveService(string Service, DateTimeOffset At);
/// <summary>Docker's rollback=previous (`service rollback`, `service update --rollback`): the previous spec comes back.</summary>
public sealed record RollbackService(string Service, long Version, DateTimeOffset At);
/// <summary>Beyond Swarm's one previous spec: any version the log recorded, applied as an update (update_config applies).</summary>
public sealed record RollbackServiceToVersion(string Service, long? Version, int ToVersion, DateTimeOffset At);

/// <summary>
/// The invariants of services that need the cluster's state. Shape checks (names, replica counts, images) live in
/// the validators and are not repeated here: every command reaches Decide through them, and no control loop
/// decides a service command.
/// </summary>
public static class ServiceDecider
{
    public static Decision Decide(CreateService command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        if (state.Services.Values.Any(s => s.Spec.Name == command.Spec.Name))
            return Decision.Conflict($"name conflicts with an existing object: service {command.Spec.Name} already exists");
        return Resolve(command.Spec, command.ServiceId, state, out var spec) is { } refused
            ? refused
            : Decision.Of(new ServiceCreated(command.ServiceId, spec, command.At));
    }

    public static Decision Decide(ScaleService command, ClusterState state)
    {
        var found = state.LookupService(command.Service);
        if (found.Match is not { } service) return Decision.Refused(found.Refusal("service", command.Service)!);
        if (command.Version is { } version && version != service.Version) return OutOfSequence(service, version);
        if (service.Spec.Mode.IsGlobal)
            return Decision.Invalid($"scale can only be used with replicated mode; service '{service.Spec.Name}' is global");
        return service.Spec.Mode.Replicas == command.Replicas
            ? Decision.None
            : Decision.Of(new ServiceScaled(service.Id, command.Replicas, command.At));
    }

    public static Decision Decide(UpdateService command, ClusterState state)
    {
        var found = state.LookupService(command.Service);
        if (found.Match is not { } service) return Decision.Refused(found.Refusal("service", command.Service)!);
        if (command.Version != service.Version) return OutOfSequence(service, command.Version);
        if (command.Spec.Name != service.Spec.Name)
            return Decision.Unimplemented("renaming services is not supported");
        if (command.Spec.Mode.Kind != service.Spec.Mode.Kind)
            return Decision.Unimplemented("service mode change is not allowed");
        if (Resolve(command.Spec, service.Id, state, out var spec) is { } refused) return refused;

        // A change of the replica count alone is recorded as scaling, which is what it is. An update that changes
        // nothing is still recorded: Swarm bumps Meta.Version on every accepted update (and keeps the spec as the
        // previous one), so a client holding the old version must refetch; its tasks are not replaced.
        if (spec != service.Spec && spec with { Mode = service.Spec.Mode } == service.Spec)
            return Decision.Of(new ServiceScaled(service.Id, spec.Mode.Replicas, command.At));
        return Decision.Of(new ServiceUpdated(service.Id, spec, command.At));
    }

    /// <summary>The current spec with the new image, decided as any update of the spec (and recorded as ServiceUpdated).</summary>
    public static Decision Decide(UpdateServiceImage command, ClusterState state)
    {
        var found = state.LookupService(command.Service);
        if (found.Match is not { } service) return Decision.Refused(found.Refusal("service", command.Service)!);
        var spec = service.Spec with
        {
            TaskTemplate = service.Spec.TaskTemplate with { Container = service.Spec.TaskTemplate.Container with { Image = command.Image } },
        };
        return Decide(new UpdateService(service.Id, command.Version, spec, command.At), state);
    }

    public static Decision Decide(RollbackService command, ClusterState state)
    {
        var found = state.LookupService(command.Service);
        if (found.Match is not { } service) return Decision.Refused(found.Refusal("service", command.Service)!);
        if (command.Version != service.Version) return OutOfSequence(service, command.Version);
        // swarmkit's controlapi answers FailedPrecondition, which the engine turns into a 400.
        if (service.PreviousSpec is not { } previous) return Decision.Invalid($"service {service.Id} does not have a previous spec");
        // What the previous spec refers to may have gone since (a network removed, a port taken): refused as any spec would be.
        if (Resolve(previous, service.Id, state, out _) is { } refused) return refused;
        return Decision.Of(new ServiceRolledBack(service.Id, UpdateStatus.ManualRollback, Automatic: false, command.At));
    }

    public static Decision Decide(RollbackServiceToVersion command, ClusterState state)
    {
        var found = state.LookupService(command.Service);
        if (found.Match is not { } service) return Decision.Refused(found.Refusal("service", command.Service)!);
        if (service.Versions.FirstOrDefault(v => v.Number == command.ToVersion) is not { } version)
            return Decision.NotFound(service.Versions.IsEmpty
                ? $"service {service.Spec.Name} has no recorded version {command.ToVersion}"
                : $"service {service.Spec.Name} has no version {command.ToVersion}: its versions are 1 to {service.Versions.Count}");
        return Decide(new UpdateService(service.Id, command.Version ?? service.Version, version.Spec, command.At), state);
    }

    // Swarm's wording; the engine answers it unclassified (500).
    private static Decision OutOfSequence(Service service, long version) =>
        Decision.Internal($"update out of sequence: service '{service.Spec.Name}' is at version {service.Version}, the update was for version {version}");

    public static Decision Decide(RemoveService command, ClusterState state) =>
        state.LookupService(command.Service) is { Match: { } service }
            ? Decision.Of(new ServiceRemoved(service.Id, command.At))
            : Decision.Refused(state.LookupService(command.Service).Refusal("service", command.Service)!);

    /// <summary>
    /// Networks named by the user become network IDs (the log must not change meaning if a network is renamed
    /// or re-created), and published ports are checked against the rest of the swarm. Swarm's messages.
    /// </summary>
    private static Decision? Resolve(ServiceSpec requested, string serviceId, ClusterState state, out ServiceSpec resolved)
    {
        resolved = requested;
        // swarmkit parses constraints past its argument checks and answers a malformed one unclassified (500).
        foreach (var expression in requested.TaskTemplate.EffectivePlacement.Constraints)
            if (!Scheduling.Constraint.TryParse(expression, out _, out var error)) return Decision.Internal(error);
        // Docker resolves the template's networks, or when there are none the deprecated top-level ones; the
        // other list is kept as sent and not used (daemon/cluster/networks.go populateNetworkID).
        var useDeprecated = requested.TaskTemplate.Networks.IsDefaultOrEmpty;
        if (ResolveNetworks(useDeprecated ? requested.Networks : requested.TaskTemplate.Networks, state, out var resolvedNetworks) is { } badNetwork)
            return badNetwork;
        var networks = useDeprecated ? requested.TaskTemplate.Networks : resolvedNetworks;
        var deprecated = useDeprecated ? resolvedNetworks : requested.Networks;

        var endpoint = requested.Endpoint;
        if (endpoint.Mode == EndpointMode.Dnsrr && endpoint.HasIngressPorts)
            return Decision.Invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
        var ports = endpoint.Ports.IsDefault ? [] : endpoint.Ports;
        foreach (var port in ports.Where(p => p.PublishedPort != 0))
        {
            if (ports.Count(p => p.PublishedPort == port.PublishedPort && p.Protocol == port.Protocol) > 1)
                return Decision.Invalid($"EndpointSpec: duplicate published ports provided: {port.PublishedPort}/{port.ProtocolName}");
            if (port.Mode != PublishMode.Ingress) continue;
            var holder = state.Services.Values.FirstOrDefault(s => s.Id != serviceId && IngressPorts(s).Any(p => p.PublishedPort == port.PublishedPort && p.Protocol == port.Protocol));
            if (holder is not null)
                return Decision.Conflict($"port '{port.PublishedPort}' is already in use by service '{holder.Spec.Name}' ({holder.Id}) as an ingress port");
        }
        if (endpoint.HasIngressPorts && state.IngressNetwork is null)
            return Decision.Fail(ErrorKind.Unavailable, "the swarm has no ingress network for published ports; create one with `network create --ingress -d overlay ingress`");

        if (Secrets.FileReferences.Resolve(requested.TaskTemplate.Container, state, out var container) is { } badReference) return badReference;

        resolved = requested with { TaskTemplate = requested.TaskTemplate with { Networks = networks, Container = container }, Networks = deprecated };
        return null;
    }

    private static Decision? ResolveNetworks(ImmutableArray<ServiceNetwork> requested, ClusterState state, out ImmutableArray<ServiceNetwork> resolved)
    {
        resolved = [];
        var networks = new List<ServiceNetwork>();
        foreach (var attachment in requested.IsDefault ? [] : requested)
        {
            // The engine resolves the networks before it asks swarmkit, and answers 500 when one is missing.
            // (daemon/cluster getNetwork: "not found" unclassified, several matches a bad request).
            var found = state.LookupNetwork(attachment.Target);
            if (found.Match is not { } network)
                return found.IsAmbiguous
                    ? Decision.Refused(found.Refusal("network", attachment.Target)!)
                    : Decision.Internal($"network {attachment.Target} not found");
            if (network.Spec.Ingress)
                return Decision.Invalid($"Service cannot be explicitly attached to the ingress network \"{network.Spec.Name}\"");
            if (networks.Any(n => n.Target == network.Id))
                return Decision.Invalid($"service cannot be attached to network {network.Spec.Name} more than once");
            networks.Add(attachment with { Target = network.Id });
        }
        resolved = [.. networks];
        return null;
    }

    /// <summary>The ingress ports a service holds: those it asked for and those the allocator gave it.</summary>
    private static IEnumerable<PortConfig> IngressPorts(Service service) =>
        (service.Spec.Endpoint.Ports.IsDefault ? [] : service.Spec.Endpoint.Ports)
            .Concat(service.Endpoint.Ports.IsDefault ? [] : service.Endpoint.Ports)
            .Where(p => p.Mode == PublishMode.Ingress && p.PublishedPort != 0);
}
