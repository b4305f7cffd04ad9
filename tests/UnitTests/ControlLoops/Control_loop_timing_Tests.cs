using System.Collections.Concurrent;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSwarm.UnitTests.ControlLoops;

/// <summary>The loops' observer (the node's /metrics): every loop of a pass is timed, under its own name.</summary>
public sealed class Control_loop_timing_Tests
{
    private sealed class CommitAtOnce(ClusterProjection projection) : IReplicatedLog
    {
        public long CommittedIndex => projection.Current.LastSequence;

        public ValueTask<Task> AppendAsync(EventBatch batch, CancellationToken ct)
        {
            projection.Apply(batch);
            return ValueTask.FromResult(Task.CompletedTask);
        }

        public ValueTask CatchUpAsync(CancellationToken ct) => ValueTask.CompletedTask;
    }

    private sealed class FixedClock : IClock
    {
        public DateTimeOffset Now => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    [Fact]
    public async Task Every_loop_of_a_pass_is_timed_under_its_name()
    {
        var projection = new ClusterProjection();
        var runner = new ControlLoopRunner(new ClusterWriter(new CommitAtOnce(projection), projection), projection, new FixedClock(),
            new Heartbeats(TimeSpan.FromSeconds(5)), NullLogger<ControlLoopRunner>.Instance);
        var names = runner.Loops(0).Select(l => l.Name).ToList();
        var timed = new ConcurrentDictionary<string, TimeSpan>();
        var everyLoop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.LoopTimed = (loop, elapsed) =>
        {
            timed[loop] = elapsed;
            if (timed.Count == names.Count) everyLoop.TrySetResult();
        };

        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        await everyLoop.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run;

        Assert.Equal(names.Order(), timed.Keys.Order());
        Assert.All(timed.Values, elapsed => Assert.True(elapsed >= TimeSpan.Zero));
    }
}
