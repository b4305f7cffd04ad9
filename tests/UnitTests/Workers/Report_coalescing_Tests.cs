using EventSwarm.Application.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>What a worker observed in one reporting interval goes out as each task's latest state, as swarmkit's agent reports.</summary>
public sealed class Report_coalescing_Tests
{
    private static TaskStatusReport R(string task, TaskState state, string? container = null) =>
        new(task, new TaskObservation(state, T0, state.ToWire(), ContainerId: container));

    [Fact]
    public void A_task_that_prepared_started_and_crashed_within_the_interval_is_one_failed_report()
    {
        var reports = new[]
        {
            R("a", TaskState.Preparing), R("a", TaskState.Ready, "c1"), R("a", TaskState.Starting, "c1"),
            R("a", TaskState.Running, "c1"), R("a", TaskState.Failed, "c1"),
        };

        var sent = ReportPump.Coalesce(reports);

        Assert.Equal([R("a", TaskState.Failed, "c1")], sent);
    }

    [Fact]
    public void Each_task_keeps_its_furthest_state_in_the_order_tasks_first_appeared()
    {
        var reports = new[] { R("b", TaskState.Preparing), R("a", TaskState.Running, "c2"), R("b", TaskState.Running, "c3"), R("a", TaskState.Starting, "c2") };

        var sent = ReportPump.Coalesce(reports);

        Assert.Equal([R("b", TaskState.Running, "c3"), R("a", TaskState.Running, "c2")], sent);
    }
}
