using System.Collections.Immutable;
using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Workers;

/// <summary>The container engine seam: a real Docker Engine in production and in every test that claims cluster behaviour.</summary>
public interface IContainerRuntime
{
    Task<NodeDescription> DescribeAsync(CancellationToken ct);

    /// <summary>Every container this runtime holds for a task of the given node, running or not.</summary>
    Task<IReadOnlyList<TaskContainer>> ListTaskContainersAsync(string nodeId, CancellationToken ct);

    /// <summary>
    /// Creates the task's container on its networks, with its secrets and configs bind-mounted read-only; throws
    /// <see cref="TaskRejectedException"/> when it cannot (e.g. no such image).
    /// </summary>
    Task<string> CreateAsync(SwarmTask task, string nodeId, TaskNetworking networking, IReadOnlyList<FileMount> files, CancellationToken ct);

    /// <summary>Makes the network exist on this node's engine (a local bridge with the network's subnet).</summary>
    Task EnsureNetworkAsync(LocalNetwork network, CancellationToken ct);

    /// <summary>The swarm networks this node's engine holds, by network ID.</summary>
    Task<IReadOnlyList<string>> ListNetworksAsync(CancellationToken ct);

    /// <summary>Removes a swarm network from this node's engine; false while containers still use it.</summary>
    Task<bool> RemoveNetworkAsync(string networkId, CancellationToken ct);

    Task StartAsync(string containerId, CancellationToken ct);

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until the container accepts TCP connections at <paramref name="address"/>
    /// on the given ports and on the ports its image exposes: a task joins the VIP rotations and the mesh once it
    /// answers, not merely once its process exists. False when the limit passed first.
    /// </summary>
    Task<bool> WaitUntilListeningAsync(string containerId, string address, IReadOnlyCollection<int> ports, TimeSpan limit, CancellationToken ct);

    Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken ct);

    Task RemoveAsync(string containerId, CancellationToken ct);

    Task<TaskContainer?> InspectAsync(string containerId, CancellationToken ct);

    /// <summary>
    /// The container's health check as the engine runs it (its spec's, else its image's HEALTHCHECK, zero durations
    /// filled in from the image) and the engine's verdict so far; null when it has none or it is disabled (Test ["NONE"]).
    /// </summary>
    Task<ContainerHealthCheck?> HealthCheckAsync(string containerId, CancellationToken ct);

    /// <summary>Task containers that stopped, or whose health check changed its verdict, as the engine reports them, until cancelled.</summary>
    IAsyncEnumerable<ContainerEvent> WatchAsync(CancellationToken ct);
}

/// <summary>What the engine says of a container's health check (State.Health.Status); None when it runs no check.</summary>
public enum ContainerHealth
{
    None,
    Starting,
    Healthy,
    Unhealthy,
}

public sealed record ContainerHealthCheck(Healthcheck Check, ContainerHealth Status);

public sealed record TaskContainer(string ContainerId, string TaskId, bool Running, long ExitCode, ContainerHealth Health = ContainerHealth.None);

/// <summary>Something the engine reported of a task's container on its event stream.</summary>
public abstract record ContainerEvent(string ContainerId, string TaskId);

public sealed record ContainerExit(string ContainerId, string TaskId, long ExitCode, bool OutOfMemory) : ContainerEvent(ContainerId, TaskId);

/// <summary>The engine's `health_status: healthy|unhealthy` event: the container's check changed its verdict.</summary>
public sealed record ContainerHealthChanged(string ContainerId, string TaskId, bool Healthy) : ContainerEvent(ContainerId, TaskId);

public sealed class TaskRejectedException(string message) : Exception(message);

/// <summary>Where a task's container is attached: its address on each network, and its host-mode published ports.</summary>
public sealed record TaskNetworking(IReadOnlyList<TaskEndpoint> Endpoints, IReadOnlyList<PortConfig> HostPorts);

public sealed record TaskEndpoint(LocalNetwork Network, string Address, ImmutableArray<string> Aliases);
