using EventSwarm.Application.Log;
using EventSwarm.Application.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSwarm.UnitTests.Workers;

/// <summary>The worker's reporter: what it saw within one interval goes to the manager as each task's latest state.</summary>
public sealed class ReportPump_Tests
{
    private sealed class FixedClock : IClock
    {
        public DateTimeOffset Now => T0;
    }

    private static async Task<IReadOnlyList<ReportTaskStatus>> Pump(ReportPump pump, List<ReportTaskStatus> sent, TaskCompletionSource done)
    {
        using var stop = new CancellationTokenSource();
        var run = pump.RunAsync(stop.Token);
        await done.Task.WaitAsync(WorkerHarness.Patience);
        await stop.CancelAsync();
        await run.WaitAsync(WorkerHarness.Patience);
        return sent;
    }

    [Fact]
    public async Task Reports_within_one_interval_are_sent_as_one_batch_of_each_task_latest_state()
    {
        var sent = new List<ReportTaskStatus>();
        var done = new TaskCompletionSource();
        var pump = new ReportPump("n1", (batch, _) => { sent.Add(batch); done.TrySetResult(); return Task.CompletedTask; }, new FixedClock(), NullLogger.Instance);
        pump.Report("a", TaskState.Preparing, "preparing");
        pump.Report("a", TaskState.Ready, "prepared", containerId: "c1");
        pump.Report("b", TaskState.Preparing, "preparing");
        pump.Report("a", TaskState.Starting, "starting", containerId: "c1");
        pump.Report("a", TaskState.Running, "started", containerId: "c1");
        pump.Report("b", TaskState.Rejected, "rejected", "No such image: x");

        await Pump(pump, sent, done);

        var batch = Assert.Single(sent);
        Assert.Equal("n1", batch.NodeId);
        Assert.Equal([("a", TaskState.Running, "c1"), ("b", TaskState.Rejected, null)], batch.Reports.Select(r => (r.TaskId, r.Status.State, r.Status.ContainerId)));
    }

    [Fact]
    public async Task A_batch_the_manager_did_not_take_is_sent_again_with_what_was_seen_since()
    {
        var sent = new List<ReportTaskStatus>();
        var done = new TaskCompletionSource();
        ReportPump pump = null!;
        var calls = 0;
        pump = new ReportPump("n1", (batch, _) =>
        {
            if (++calls == 1)
            {
                pump.Report("a", TaskState.Running, "started");
                throw new InvalidOperationException("manager unreachable");
            }
            sent.Add(batch);
            done.TrySetResult();
            return Task.CompletedTask;
        }, new FixedClock(), NullLogger.Instance);
        pump.Report("a", TaskState.Starting, "starting");
        pump.Report("b", TaskState.Starting, "starting");

        await Pump(pump, sent, done);

        Assert.Equal([("a", TaskState.Running), ("b", TaskState.Starting)], Assert.Single(sent).Reports.Select(r => (r.TaskId, r.Status.State)));
    }

    [Fact]
    public void The_furthest_state_reported_counts_as_observed()
    {
        var pump = new ReportPump("n1", (_, _) => Task.CompletedTask, new FixedClock(), NullLogger.Instance);
        pump.Report("a", TaskState.Running, "started");
        pump.Report("a", TaskState.Starting, "starting");

        Assert.Equal(TaskState.Running, pump.Observed("a"));
        Assert.Null(pump.Observed("b"));
        pump.Forget("a");
        Assert.Null(pump.Observed("a"));
    }
}
