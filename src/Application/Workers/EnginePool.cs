namespace EventSwarm.Application.Workers;

/// <summary>
/// Bounds the calls a worker has in flight against its engine. Every call holds a connection (a file descriptor)
/// and engine work; without a bound, `--replicas 100000` on one node opened one connection per task, ran the
/// machine out of descriptors and starved the log (issue 10). dockerd bounds its own fan-out the same way (e.g.
/// --max-concurrent-downloads 3, --max-concurrent-uploads 5); swarmkit's agent runs one goroutine per task and has
/// no such bound, which is what the issue hit. Waiting calls hold no descriptor.
/// </summary>
public sealed class EnginePool(int size)
{
    /// <summary>The worker's pool: eight calls at once keep a two-core engine busy (containers start ~4× faster than one at a time) without queueing inside dockerd.</summary>
    public const int DefaultSize = 8;

    private readonly SemaphoreSlim _slots = new(size, size);
    private int _inFlight;
    private int _maxInFlight;

    public int Size => size;
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most calls ever in flight at once; never above <see cref="Size"/>.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Raised with the new figure each time <see cref="MaxInFlight"/> grows (at most <see cref="Size"/> times).</summary>
    public event Action<int>? NewMaximum;

    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        var now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)))
            if (Interlocked.CompareExchange(ref _maxInFlight, now, max) == max)
            {
                NewMaximum?.Invoke(now);
                break;
            }
        try
        {
            return await call();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slots.Release();
        }
    }

    public Task RunAsync(Func<Task> call, CancellationToken ct) =>
        RunAsync(async () => { await call(); return true; }, ct);
}
