using EventSwarm.Domain.Swarm;

namespace EventSwarm.Domain.Services;

public sealed record CreateService(string ServiceId, ServiceSpec Spec, DateTimeOffset At);
public sealed record ScaleService(string Service, long Replicas, DateTimeOffset At);
public sealed record UpdateService(string Service, long Version, ServiceSpec Spec, DateTimeOffset At);
public sealed record RemoveService(string Service, DateTimeOffset At);

/// <summary>The invariants of services that need the cluster's state; shape checks live in the validators.</summary>
public static class ServiceDecider
{
    public static Decision Decide(CreateService command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, SwarmDecider.NotInSwarm);
        if (state.Services.Values.Any(s => s.Spec.Name == command.Spec.Name))
            return Decision.Conflict($"service name '{command.Spec.Name}' is already in use");
        return Decision.Of(new ServiceCreated(command.ServiceId, command.Spec, command.At));
    }

    public static Decision Decide(ScaleService command, ClusterState state)
    {
        if (state.FindService(command.Service) is not { } service) return NoSuchService(command.Service);
        if (service.Spec.Mode.IsGlobal)
            return Decision.Invalid($"scale can only be used with replicated mode; service '{service.Spec.Name}' is global");
        if (command.Replicas < 0) return Decision.Invalid($"invalid replicas value {command.Replicas}: must be a non-negative integer");
        return service.Spec.Mode.Replicas == command.Replicas
            ? Decision.None
            : Decision.Of(new ServiceScaled(service.Id, command.Replicas, command.At));
    }

    public static Decision Decide(UpdateService command, ClusterState state)
    {
        if (state.FindService(command.Service) is not { } service) return NoSuchService(command.Service);
        if (command.Version != service.Version)
            return Decision.Conflict($"update out of sequence: service '{service.Spec.Name}' is at version {service.Version}, the update was for version {command.Version}");
        if (command.Spec.Name != service.Spec.Name)
            return Decision.Invalid("renaming services is not supported");
        if (command.Spec.Mode.Kind != service.Spec.Mode.Kind)
            return Decision.Invalid("service mode change is not allowed");
        if (command.Spec == service.Spec) return Decision.None;

        // A change of the replica count alone is recorded as scaling, which is what it is.
        if (command.Spec with { Mode = service.Spec.Mode } == service.Spec)
            return Decision.Of(new ServiceScaled(service.Id, command.Spec.Mode.Replicas, command.At));
        return Decision.Of(new ServiceUpdated(service.Id, command.Spec, command.At));
    }

    public static Decision Decide(RemoveService command, ClusterState state) =>
        state.FindService(command.Service) is { } service
            ? Decision.Of(new ServiceRemoved(service.Id, command.At))
            : NoSuchService(command.Service);

    private static Decision NoSuchService(string name) => Decision.NotFound($"service {name} not found");
}
