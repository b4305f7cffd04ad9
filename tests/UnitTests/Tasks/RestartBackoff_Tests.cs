using EventSwarm.Application.Services;
using EventSwarm.Application.Tasks;

namespace EventSwarm.UnitTests.Tasks;

/// <summary>A crash loop with restart delay 0 backs off as Docker's engine does for `--restart always` (100 ms, doubling, 1 min).</summary>
public sealed class RestartBackoff_Tests
{
    private static readonly ServiceSpec Storm = Spec("storm", replicas: 1).WithRestart(delaySeconds: 0);

    private static IReadOnlyList<DomainEvent> Orchestrate(ClusterState state, double at) =>
        state.Reconcile(ReplicatedOrchestrator.Reconcile, At(at));

    /// <summary>
    /// Runs the crash loop: whenever the runner would wake (the back-off's end, or a parked task's start), a pass
    /// runs; each replacement fails <paramref name="runs"/> s after it starts. Returns the delay from each failure
    /// to its replacement's start.
    /// </summary>
    private static (ClusterState State, List<double> Delays) CrashLoop(ServiceSpec spec, int attempts, double runs = 0.05)
    {
        var state = Given(Cluster("n1")).And(Service(spec)).And(Ended("t0", spec, 1, "n1", TaskState.Failed, at: 0, endedAt: runs));
        var failedAt = At(runs);
        var now = failedAt;
        var delays = new List<double>();
        for (var i = 0; i < attempts; i++)
        {
            string? started = null;
            for (var pass = 0; pass < 10 && started is null; pass++)
            {
                var events = state.Reconcile(ReplicatedOrchestrator.Reconcile, now);
                state = state.And(events);
                started = state.Tasks.Values.SingleOrDefault(t => t.DesiredState == TaskState.Running && t.Status.State < TaskState.Assigned)?.Id;
                if (started is null)
                    now = new[] { RestartBackoff.NextDue(state, now), DelayedStart.NextDue(state, now) }.Min() ?? now;
            }
            Assert.NotNull(started);
            delays.Add(Math.Round((now - failedAt).TotalSeconds, 3));
            failedAt = now.AddSeconds(runs);
            now = failedAt;
            state = state.And(Assigned(started!, "n1", 0), Reported(started!, "n1", TaskState.Failed, 0) with
            {
                Status = new TaskObservation(TaskState.Failed, failedAt, "failed"),
            });
        }
        return (state, delays);
    }

    [Fact]
    public void A_crash_loop_with_delay_zero_waits_100_ms_then_twice_as_long_each_time_up_to_a_minute()
    {
        var (_, delays) = CrashLoop(Storm, attempts: 12);

        Assert.Equal([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 60, 60], delays);
    }

    [Fact]
    public void A_task_that_ran_ten_seconds_before_failing_restarts_at_once_as_in_swarm()
    {
        var state = Given(Cluster("n1")).And(Service(Storm)).And(Ended("t0", Storm, 1, "n1", TaskState.Failed, at: 0, endedAt: 10));

        Assert.Equal([Desired("t0", TaskState.Shutdown, 10), Created("t1", Storm, 1, 10)], Orchestrate(state, 10));
    }

    [Fact]
    public void The_back_off_starts_again_from_nothing_once_a_task_ran_ten_seconds()
    {
        var (state, _) = CrashLoop(Storm, attempts: 5);
        var current = state.Tasks.Values.Single(t => t.IsRunnable);
        var due = RestartBackoff.NextDue(state, current.Status.Timestamp)!.Value;
        state = state.And(state.Reconcile(ReplicatedOrchestrator.Reconcile, due));
        var next = state.Tasks.Values.Single(t => t.IsRunnable);
        Assert.NotEqual(current.Id, next.Id);
        // This one runs 20 s before it fails: its replacement is immediate again.
        var failed = Reported(next.Id, "n1", TaskState.Failed) with { Status = new TaskObservation(TaskState.Failed, due.AddSeconds(20), "failed") };
        state = state.And(Assigned(next.Id, "n1"), failed);

        var events = state.Reconcile(ReplicatedOrchestrator.Reconcile, due.AddSeconds(20));

        var created = Assert.Single(events.OfType<TaskCreated>());
        Assert.Null(created.NotBefore);
        Assert.Equal(TaskState.Running, created.DesiredState);
    }

    [Fact]
    public void While_the_back_off_runs_the_failed_task_stays_the_slots_current_one_and_nothing_is_decided()
    {
        var (state, _) = CrashLoop(Storm, attempts: 3);
        var current = state.Tasks.Values.Single(t => t.IsRunnable);
        var due = RestartBackoff.NextDue(state, current.Status.Timestamp)!.Value;

        Assert.Empty(state.Reconcile(ReplicatedOrchestrator.Reconcile, due.AddMilliseconds(-1)));
        Assert.NotEmpty(state.Reconcile(ReplicatedOrchestrator.Reconcile, due));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    public void A_service_labelled_restart_backoff_false_restarts_at_once_every_time(string value)
    {
        var optedOut = Storm with { Labels = Storm.Labels.SetItem(RestartBackoff.OptOutLabel, value) };

        var (_, delays) = CrashLoop(optedOut, attempts: 5);

        Assert.Equal([0d, 0, 0, 0, 0], delays);
    }

    [Fact]
    public void A_policy_delay_of_a_second_or_more_is_kept_exactly_as_swarm_keeps_it()
    {
        var (_, delays) = CrashLoop(Storm.WithRestart(delaySeconds: 2), attempts: 4);

        Assert.Equal([2d, 2, 2, 2], delays);
    }

    [Fact]
    public void A_sub_second_policy_delay_backs_off_from_the_policy_delay()
    {
        var (_, delays) = CrashLoop(Storm.WithRestart(delaySeconds: 0.3), attempts: 4);

        Assert.Equal([0.3, 0.6, 1.2, 2.4], delays);
    }
}
