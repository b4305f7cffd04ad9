using EventSwarm.Domain.Networking;

namespace EventSwarm.Domain.Services;

/// <summary>
/// A service in the projection. <see cref="Version"/> is the log sequence of the last event that changed it:
/// clients send it back on update (optimistic concurrency, Swarm's Meta.Version). Only changes to the service
/// itself move it, so control-loop activity on its tasks never makes a client's update "out of sequence".
/// </summary>
public sealed record Service(
    string Id,
    ServiceSpec Spec,
    ServiceSpec? PreviousSpec,
    long SpecVersion,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The VIPs and resolved published ports the allocator gave it.</summary>
    public ServiceEndpoint Endpoint { get; init; } = ServiceEndpoint.None;

    public bool UsesNetwork(Network network) =>
        Spec.TaskNetworks.Any(n => n.Target == network.Id) || (network.Spec.Ingress && Spec.Endpoint.HasIngressPorts);
}
