using EventSwarm.Application.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// The worker end to end against an in-memory engine: the runner carries out the steps, the exit watcher ends
/// tasks, the pump reports them, and the engine pool bounds the calls.
/// </summary>
public sealed class WorkerAgent_Tests
{
    private static readonly ServiceSpec Web = Spec("web");

    private static ClusterState Assigned(params string[] taskIds) =>
        Given([.. Cluster("n1"), Service(Web), .. taskIds.SelectMany((id, i) => new DomainEvent[] { Created(id, Web, i + 1), Scenario.Assigned(id, "n1") })]);

    [Fact]
    public async Task Assigned_task_is_created_started_and_reported_running()
    {
        await using var worker = new WorkerHarness(Assigned("t1")).Start();

        var running = await worker.Reported("t1", TaskState.Running);

        var container = Assert.Single(worker.Engine.ContainersOf("t1"));
        Assert.True(container.Running);
        Assert.Equal(container.ContainerId, running.ContainerId);
        Assert.Equal(["create t1", $"start {container.ContainerId}"], worker.Engine.Calls);
    }

    [Fact]
    public async Task Container_that_exits_with_a_code_is_reported_failed_with_it()
    {
        await using var worker = new WorkerHarness(Assigned("t1")).Start();
        await worker.Reported("t1", TaskState.Running);

        worker.Engine.Exit("t1", 3);
        var failed = await worker.Reported("t1", TaskState.Failed);

        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("task: non-zero exit (3)", failed.Error);
    }

    [Fact]
    public async Task Container_that_exits_zero_is_reported_complete()
    {
        await using var worker = new WorkerHarness(Assigned("t1")).Start();
        await worker.Reported("t1", TaskState.Running);

        worker.Engine.Exit("t1", 0);
        var complete = await worker.Reported("t1", TaskState.Complete);

        Assert.Equal(0, complete.ExitCode);
    }

    [Fact]
    public async Task Task_desired_removed_is_stopped_removed_and_reported_shut_down()
    {
        await using var worker = new WorkerHarness(Assigned("t1")).Start();
        var containerId = (await worker.Reported("t1", TaskState.Running)).ContainerId;

        worker.Commit(Desired("t1", TaskState.Remove));
        await worker.Reported("t1", TaskState.Shutdown);

        Assert.Empty(worker.Engine.ContainersOf("t1"));
        Assert.Equal([$"stop {containerId}", $"remove {containerId}"], worker.Engine.Calls.Skip(2));
    }

    [Fact]
    public async Task Task_desired_shutdown_is_stopped_and_its_container_kept()
    {
        await using var worker = new WorkerHarness(Assigned("t1")).Start();
        await worker.Reported("t1", TaskState.Running);

        worker.Commit(Desired("t1", TaskState.Shutdown));
        await worker.Reported("t1", TaskState.Shutdown);

        Assert.False(Assert.Single(worker.Engine.ContainersOf("t1")).Running);
    }

    [Fact]
    public async Task Task_whose_image_is_missing_is_rejected_with_no_container()
    {
        var spec = Spec("web", image: "nope:1");
        await using var worker = new WorkerHarness(Given([.. Cluster("n1"), Service(spec), Created("t1", spec, 1), Scenario.Assigned("t1", "n1")]));
        worker.Engine.MissingImages.Add("nope:1");
        worker.Start();

        var rejected = await worker.Reported("t1", TaskState.Rejected);

        Assert.Equal("No such image: nope:1", rejected.Error);
        Assert.Empty(worker.Engine.ContainersOf("t1"));
    }

    [Fact]
    public async Task The_engine_pool_admits_at_most_its_size_of_engine_calls_at_once()
    {
        var pool = new EnginePool(2);
        string[] tasks = ["t1", "t2", "t3", "t4", "t5", "t6"];
        await using var worker = new WorkerHarness(Assigned(tasks), pool);
        var twoInFlight = new TaskCompletionSource();
        worker.Engine.Hold = new TaskCompletionSource();
        worker.Engine.WhenInFlight = (2, twoInFlight);
        worker.Start();

        // The engine is held with two calls in it; the four other tasks wait their turn outside.
        await twoInFlight.Task.WaitAsync(WorkerHarness.Patience);
        worker.Engine.Hold.SetResult();
        foreach (var task in tasks) await worker.Reported(task, TaskState.Running);

        Assert.Equal(2, worker.Engine.MaxInFlight);
        Assert.Equal(2, pool.MaxInFlight);
    }

    [Fact]
    public async Task Running_container_adopted_after_a_restart_is_not_created_again()
    {
        // The worker restarts: t1 runs in the engine already, t2 was assigned meanwhile.
        var state = Given([.. Cluster("n1"), Service(Web), .. Running("t1", Web, 1, "n1"), Created("t2", Web, 2), Scenario.Assigned("t2", "n1")]);
        await using var worker = new WorkerHarness(state);
        worker.Engine.Add("old1", "t1", running: true);
        worker.Start();

        // t2 running means the loop has passed over t1 too.
        await worker.Reported("t2", TaskState.Running);

        Assert.Equal("old1", Assert.Single(worker.Engine.ContainersOf("t1")).ContainerId);
        Assert.DoesNotContain("create t1", worker.Engine.Calls);
        // The adopted container is watched like one the worker started.
        worker.Engine.Exit("t1", 1);
        Assert.Equal("old1", (await worker.Reported("t1", TaskState.Failed)).ContainerId);
    }

    [Fact]
    public async Task Running_container_of_a_task_last_seen_starting_is_adopted_and_reported_running()
    {
        var state = Given([.. Cluster("n1"), Service(Web), Created("t1", Web, 1), Scenario.Assigned("t1", "n1"), Reported("t1", "n1", TaskState.Starting)]);
        await using var worker = new WorkerHarness(state);
        worker.Engine.Add("old1", "t1", running: true);
        worker.Start();

        var running = await worker.Reported("t1", TaskState.Running);

        Assert.Equal("old1", running.ContainerId);
        Assert.Empty(worker.Engine.Calls);
    }

    [Fact]
    public async Task Container_that_stopped_while_the_worker_was_down_ends_its_task()
    {
        var state = Given([.. Cluster("n1"), Service(Web), .. Running("t1", Web, 1, "n1")]);
        await using var worker = new WorkerHarness(state);
        worker.Engine.Add("old1", "t1", running: false, exitCode: 2);
        worker.Start();

        var failed = await worker.Reported("t1", TaskState.Failed);

        Assert.Equal(("old1", 2L), (failed.ContainerId, failed.ExitCode));
    }

    [Fact]
    public async Task Container_of_a_task_no_longer_on_this_node_is_removed_at_restart()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        worker.Engine.Add("stale", "t9", running: true);
        worker.Start();

        await worker.Reported("t1", TaskState.Running);

        Assert.Empty(worker.Engine.ContainersOf("t9"));
        Assert.Equal("remove stale", worker.Engine.Calls[0]);
    }

    [Fact]
    public async Task Running_task_whose_container_vanished_is_reported_failed()
    {
        var state = Given([.. Cluster("n1"), Service(Web), .. Running("t1", Web, 1, "n1")]);
        await using var worker = new WorkerHarness(state).Start();

        var failed = await worker.Reported("t1", TaskState.Failed);

        Assert.Equal(TaskStep.ContainerGone, failed.Error);
    }

    [Fact]
    public async Task Container_that_stopped_while_the_event_stream_was_down_is_reported_when_it_reconnects()
    {
        await using var worker = new WorkerHarness(Assigned("t1")).Start();
        await worker.Reported("t1", TaskState.Running);

        var containerId = worker.Engine.ExitSilently("t1", 4);
        worker.Engine.BreakEventStream();
        var failed = await worker.Reported("t1", TaskState.Failed);

        Assert.Equal((containerId, 4L), (failed.ContainerId, failed.ExitCode));
    }
}
