using EventSwarm.Domain.Services;
using Mediator;

namespace EventSwarm.Application.Services;

/// <summary>
/// What a caller meant by sending a whole spec to `/services/{id}/update`, so that the log's metadata names it:
/// `docker service scale web=5` and `docker service update --replicas 5 web` send the spec they inspected with a
/// new replica count, which is the ScaleService command; `docker service update --image x web` sends it with a new
/// image, UpdateServiceImage; any other change (or none: Swarm still records it) stays UpdateService.
/// </summary>
public static class ServiceUpdateIntent
{
    /// <param name="service">The service as the caller named it (ID, name or ID prefix).</param>
    /// <param name="current">The service that name finds now, or null when it finds none (the decider then refuses).</param>
    /// <param name="version">The version the caller read and sent back.</param>
    public static ICommand CommandFor(string service, Service? current, ServiceSpec requested, long version, Caller caller)
    {
        var update = new UpdateServiceCommand(service, version, requested, caller);
        // Only a spec read at the version compared against can be narrowed to one change: the decider refuses any
        // other version as out of sequence, so a narrowed command never drops a change the caller sent.
        if (current is null || current.Version != version || requested == current.Spec) return update;
        var spec = current.Spec;
        if (requested.Mode.Kind == ServiceModeKind.Replicated && spec.Mode.Kind == ServiceModeKind.Replicated
            && requested with { Mode = spec.Mode } == spec)
            return new ScaleServiceCommand(service, requested.Mode.Replicas, caller, version);
        var image = requested.TaskTemplate.Container.Image;
        if (WithImage(spec, image) == requested)
            return new UpdateServiceImageCommand(service, version, image, caller);
        return update;
    }

    private static ServiceSpec WithImage(ServiceSpec spec, string image) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Container = spec.TaskTemplate.Container with { Image = image } } };
}
