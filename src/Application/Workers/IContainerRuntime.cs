using System.Collections.Immutable;
using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
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

    /// <summary>Task containers that stopped, as the engine reports them, until cancelled.</summary>
    IAsyncEnumerable<ContainerExit> WatchExitsAsync(CancellationToken ct);
}

public sealed record TaskContainer(string ContainerId, string TaskId, bool Running, long ExitCode);

public sealed record ContainerExit(string ContainerId, string TaskId, long ExitCode, bool OutOfMemory);

public sealed class TaskRejectedException(string message) : Exception(message);

/// <summary>Where a task's container is attached: its address on each network, and its host-mode published ports.</summary>
public sealed record TaskNetworking(IReadOnlyList<TaskEndpoint> Endpoints, IReadOnlyList<PortConfig> HostPorts);

public sealed record TaskEndpoint(LocalNetwork Network, string Address, ImmutableArray<string> Aliases);
