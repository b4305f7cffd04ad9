using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// An engine in memory, for the worker's own tests: containers are records in a table, an exit is an event the test
/// sends. Claims about clusters are tested against a real Docker Engine (the integration suite), not this.
/// </summary>
internal sealed class FakeContainerRuntime : IContainerRuntime
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TaskContainer> _containers = [];
    private readonly List<string> _calls = [];
    private readonly Dictionary<string, IReadOnlyList<FileMount>> _mounts = [];
    private readonly Dictionary<string, ContainerHealthCheck> _checks = [];
    private readonly Channel<ContainerEvent?> _exits = Channel.CreateUnbounded<ContainerEvent?>();
    private int _next;
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Images the engine cannot find: creating a container of one is refused, as a missing image is.</summary>
    public HashSet<string> MissingImages { get; } = [];

    /// <summary>Images whose HEALTHCHECK a container of theirs runs unless its spec has its own check or disables it.</summary>
    public Dictionary<string, Healthcheck> ImageHealthchecks { get; } = [];

    /// <summary>While set, every engine call waits for it: a test holds the engine busy to count the calls in flight.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Completed once this many engine calls are in flight together.</summary>
    public (int Count, TaskCompletionSource Reached)? WhenInFlight { get; set; }

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public IReadOnlyList<string> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    public IReadOnlyList<TaskContainer> ContainersOf(string taskId)
    {
        lock (_gate) return [.. _containers.Values.Where(c => c.TaskId == taskId)];
    }

    /// <summary>A container the engine already holds, as after a restart of the worker.</summary>
    public void Add(string containerId, string taskId, bool running, long exitCode = 0)
    {
        lock (_gate) _containers[containerId] = new TaskContainer(containerId, taskId, running, exitCode);
    }

    /// <summary>The task's container ends by itself with this exit code.</summary>
    public void Exit(string taskId, long exitCode) =>
        _exits.Writer.TryWrite(new ContainerExit(ExitSilently(taskId, exitCode), taskId, exitCode, false));

    /// <summary>The engine gives its verdict on the task's running container's health check, and says so on its event stream.</summary>
    public void Health(string taskId, bool healthy) =>
        _exits.Writer.TryWrite(new ContainerHealthChanged(SetHealth(taskId, healthy ? ContainerHealth.Healthy : ContainerHealth.Unhealthy), taskId, healthy));

    /// <summary>The engine's verdict changes while nobody listens (the event stream was down).</summary>
    public string SetHealth(string taskId, ContainerHealth health)
    {
        lock (_gate)
        {
            var container = _containers.Values.Single(c => c.TaskId == taskId && c.Running);
            _containers[container.ContainerId] = container with { Health = health };
            if (_checks.TryGetValue(container.ContainerId, out var check)) _checks[container.ContainerId] = check with { Status = health };
            return container.ContainerId;
        }
    }

    /// <summary>The task's container ends and the event of it is lost (the event stream was down).</summary>
    public string ExitSilently(string taskId, long exitCode)
    {
        lock (_gate)
        {
            var container = _containers.Values.Single(c => c.TaskId == taskId && c.Running);
            _containers[container.ContainerId] = container with { Running = false, ExitCode = exitCode };
            return container.ContainerId;
        }
    }

    /// <summary>The engine's event stream breaks; a watcher connecting again gets the events after this.</summary>
    public void BreakEventStream() => _exits.Writer.TryWrite(null);

    public Task<IReadOnlyList<TaskContainer>> ListTaskContainersAsync(string nodeId, CancellationToken ct)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<TaskContainer>>([.. _containers.Values]);
    }

    public Task<string> CreateAsync(SwarmTask task, string nodeId, TaskNetworking networking, IReadOnlyList<FileMount> files, CancellationToken ct) =>
        Call($"create {task.Id}", () =>
        {
            if (MissingImages.Contains(task.Spec.Container.Image))
                throw new TaskRejectedException($"No such image: {task.Spec.Container.Image}");
            var id = $"c{Interlocked.Increment(ref _next)}";
            _containers[id] = new TaskContainer(id, task.Id, false, 0);
            _mounts[id] = files;
            // As the engine merges them at create: the spec's check, else the image's; ["NONE"] disables both.
            var check = task.Spec.Container.Healthcheck is { Test.IsDefaultOrEmpty: false } own ? own : ImageHealthchecks.GetValueOrDefault(task.Spec.Container.Image);
            if (check is not null && check.Test[0] != "NONE") _checks[id] = new ContainerHealthCheck(check, ContainerHealth.Starting);
            return id;
        });

    /// <summary>The files bind-mounted read-only into the container when it was created.</summary>
    public IReadOnlyList<FileMount> MountsOf(string containerId)
    {
        lock (_gate) return _mounts.GetValueOrDefault(containerId) ?? [];
    }

    public Task StartAsync(string containerId, CancellationToken ct) =>
        Call($"start {containerId}", () => _containers[containerId] = _containers[containerId] with
        {
            Running = true,
            Health = _checks.TryGetValue(containerId, out var check) ? check.Status : ContainerHealth.None,
        });

    public Task<ContainerHealthCheck?> HealthCheckAsync(string containerId, CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(_checks.GetValueOrDefault(containerId));
    }

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken ct) =>
        Call($"stop {containerId}", () => _containers[containerId] = _containers[containerId] with { Running = false, ExitCode = 137 });

    public Task RemoveAsync(string containerId, CancellationToken ct) =>
        Call($"remove {containerId}", () => _containers.Remove(containerId));

    public Task<TaskContainer?> InspectAsync(string containerId, CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(_containers.GetValueOrDefault(containerId));
    }

    public Task<bool> WaitUntilListeningAsync(string containerId, string address, IReadOnlyCollection<int> ports, TimeSpan limit, CancellationToken ct) =>
        Task.FromResult(true);

    public async IAsyncEnumerable<ContainerEvent> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var engineEvent in _exits.Reader.ReadAllAsync(ct))
            yield return engineEvent ?? throw new IOException("engine event stream closed");
    }

    public Task<NodeDescription> DescribeAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task EnsureNetworkAsync(LocalNetwork network, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<string>> ListNetworksAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> RemoveNetworkAsync(string networkId, CancellationToken ct) => throw new NotSupportedException();

    private async Task<T> Call<T>(string call, Func<T> effect)
    {
        var now = Interlocked.Increment(ref _inFlight);
        try
        {
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
            if (WhenInFlight is { } when && now >= when.Count) when.Reached.TrySetResult();
            if (Hold is { } hold) await hold.Task;
            await Task.Yield();
            lock (_gate)
            {
                _calls.Add(call);
                return effect();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private Task Call(string call, Action effect) => Call(call, () => { effect(); return true; });
}
