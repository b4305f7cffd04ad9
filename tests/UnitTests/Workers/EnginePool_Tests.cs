using EventSwarm.Application.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>A worker's engine calls go through a small pool: never more in flight than its size.</summary>
public sealed class EnginePool_Tests
{
    [Fact]
    public async Task Many_calls_at_once_never_have_more_than_the_pool_size_in_flight()
    {
        var pool = new EnginePool(4);
        var inFlight = 0;
        var seen = 0;
        var gate = new TaskCompletionSource();
        var calls = Enumerable.Range(0, 50).Select(_ => pool.RunAsync(async () =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref seen, now);
            await gate.Task;
            Interlocked.Decrement(ref inFlight);
        }, CancellationToken.None)).ToList();

        await Task.Delay(50);
        Assert.Equal(4, pool.InFlight);
        gate.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(4, seen);
        Assert.Equal(4, pool.MaxInFlight);
        Assert.Equal(0, pool.InFlight);
    }

    [Fact]
    public async Task A_failing_call_gives_its_place_back()
    {
        var pool = new EnginePool(1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RunAsync(() => throw new InvalidOperationException("engine said no"), CancellationToken.None));
        var answer = await pool.RunAsync(() => Task.FromResult(42), CancellationToken.None);

        Assert.Equal(42, answer);
        Assert.Equal(0, pool.InFlight);
    }

    [Fact]
    public async Task The_maximum_is_announced_each_time_it_grows_and_never_above_the_size()
    {
        var pool = new EnginePool(3);
        var announced = new List<int>();
        pool.NewMaximum += max => { lock (announced) announced.Add(max); };
        var gate = new TaskCompletionSource();
        var calls = Enumerable.Range(0, 10).Select(_ => pool.RunAsync(() => gate.Task, CancellationToken.None)).ToList();
        await Task.Delay(50);
        gate.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal([1, 2, 3], announced.Order());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
