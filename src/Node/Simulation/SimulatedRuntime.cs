using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Node.Simulation;

/// <summary>
/// A container engine in memory, for a simulated node (`eventswarm simulate`): a "container" is a record; a start
/// completes after the start latency; a share of starts (the failure rate) exits 1 shortly after, and every exit is
/// told on the event stream as the engine's `die` event is, so the worker's own code (TaskRunner, ExitWatcher,
/// ReportPump) runs unchanged above it. No claim about real containers rests on it: it exists to load the control
/// plane with thousands of nodes (issue 16), where Docker could run none of them.
/// </summary>
public sealed class SimulatedRuntime(NodeDescription description, TimeSpan startLatency, double failureRate) : IContainerRuntime
{
    /// <summary>How long a failing container runs before it exits 1: long enough to have been seen Running.</summary>
    private static readonly TimeSpan FailsAfter = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<string, TaskContainer> _containers = new();
    private readonly ConcurrentDictionary<string, byte> _networks = new();
    private readonly Channel<ContainerEvent> _events = Channel.CreateUnbounded<ContainerEvent>();
    private int _running;

    /// <summary>Containers running now.</summary>
    public int Running => Volatile.Read(ref _running);

    public Task<NodeDescription> DescribeAsync(CancellationToken ct) => Task.FromResult(description);

    public Task<IReadOnlyList<TaskContainer>> ListTaskContainersAsync(string nodeId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<TaskContainer>>([.. _containers.Values]);

    public Task<string> CreateAsync(SwarmTask task, string nodeId, TaskNetworking networking, IReadOnlyList<FileMount> files, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        _containers[id] = new TaskContainer(id, task.Id, false, 0);
        return Task.FromResult(id);
    }

    public Task EnsureNetworkAsync(LocalNetwork network, CancellationToken ct)
    {
        _networks[network.Id] = 0;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListNetworksAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([.. _networks.Keys]);

    public Task<bool> RemoveNetworkAsync(string networkId, CancellationToken ct)
    {
        _networks.TryRemove(networkId, out _);
        return Task.FromResult(true);
    }

    public async Task StartAsync(string containerId, CancellationToken ct)
    {
        if (startLatency > TimeSpan.Zero) await Task.Delay(startLatency, ct);
        if (!_containers.TryGetValue(containerId, out var container)) throw new TaskRejectedException($"No such container: {containerId}");
        if (container.Running) return;
        _containers[containerId] = container with { Running = true };
        Interlocked.Increment(ref _running);
        if (failureRate > 0 && Random.Shared.NextDouble() < failureRate) _ = ExitLaterAsync(containerId);
    }

    private async Task ExitLaterAsync(string containerId)
    {
        await Task.Delay(FailsAfter);
        Exit(containerId, 1);
    }

    /// <summary>The container stops (by itself or stopped): the engine says so on its event stream, as its `die`.</summary>
    private void Exit(string containerId, long exitCode)
    {
        if (!_containers.TryGetValue(containerId, out var container) || !container.Running) return;
        if (!_containers.TryUpdate(containerId, container with { Running = false, ExitCode = exitCode }, container)) return;
        Interlocked.Decrement(ref _running);
        _events.Writer.TryWrite(new ContainerExit(containerId, container.TaskId, exitCode, false));
    }

    public Task<bool> WaitUntilListeningAsync(string containerId, string address, IReadOnlyCollection<int> ports, TimeSpan limit, CancellationToken ct) =>
        Task.FromResult(true);

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken ct)
    {
        Exit(containerId, 0);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string containerId, CancellationToken ct)
    {
        if (_containers.TryRemove(containerId, out var container) && container.Running) Interlocked.Decrement(ref _running);
        return Task.CompletedTask;
    }

    public Task<TaskContainer?> InspectAsync(string containerId, CancellationToken ct) =>
        Task.FromResult(_containers.TryGetValue(containerId, out var container) ? container : null);

    public Task<ContainerHealthCheck?> HealthCheckAsync(string containerId, CancellationToken ct) => Task.FromResult<ContainerHealthCheck?>(null);

    public async IAsyncEnumerable<ContainerEvent> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in _events.Reader.ReadAllAsync(ct)) yield return e;
    }
}
