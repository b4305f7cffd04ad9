using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Workers;

/// <summary>The container engine seam: a real Docker Engine in production and in every test that claims cluster behaviour.</summary>
public interface IContainerRuntime
{
    Task<NodeDescription> DescribeAsync(CancellationToken ct);

    /// <summary>Every container this runtime holds for a task of the given node, running or not.</summary>
    Task<IReadOnlyList<TaskContainer>> ListTaskContainersAsync(string nodeId, CancellationToken ct);

    /// <summary>Creates the task's container; throws <see cref="TaskRejectedException"/> when it cannot (e.g. no such image).</summary>
    Task<string> CreateAsync(SwarmTask task, string nodeId, CancellationToken ct);

    Task StartAsync(string containerId, CancellationToken ct);

    Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken ct);

    Task RemoveAsync(string containerId, CancellationToken ct);

    Task<TaskContainer?> InspectAsync(string containerId, CancellationToken ct);

    /// <summary>Task containers that stopped, as the engine reports them, until cancelled.</summary>
    IAsyncEnumerable<ContainerExit> WatchExitsAsync(CancellationToken ct);
}

public sealed record TaskContainer(string ContainerId, string TaskId, bool Running, long ExitCode);

public sealed record ContainerExit(string ContainerId, string TaskId, long ExitCode, bool OutOfMemory);

public sealed class TaskRejectedException(string message) : Exception(message);
