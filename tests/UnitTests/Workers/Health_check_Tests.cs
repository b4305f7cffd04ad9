using EventSwarm.Application.Workers;
using EventSwarm.Domain.Networking;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// Swarm's health rule on the worker: a task whose container has a health check is Running only once the engine says
/// healthy (swarmkit's controller Start), and a container the engine calls unhealthy is stopped and its task failed
/// with Docker's error (the controller's ErrContainerUnhealthy), so that the orchestrator replaces it.
/// </summary>
public sealed class Health_check_Tests
{
    private const string UnhealthyAfterKill = "task: non-zero exit (137): dockerexec: unhealthy container";

    private static readonly Healthcheck Check = new()
    {
        Test = ["CMD", "true"],
        Interval = Duration.FromSeconds(1L),
        Timeout = Duration.FromSeconds(1L),
        Retries = 2,
    };

    // ---- the pure step ----

    private static WorkerTask T(TaskState logged, TaskState desired = TaskState.Running, TaskState? seen = null, bool onNetwork = false) =>
        WorkerTask.Of(
            new SwarmTask("t1", "web", "web", 1, "n1", Spec().TaskTemplate, 1, desired, new TaskObservation(logged, T0, logged.ToWire()), T0, T0, 1)
            {
                Networks = onNetwork ? [new NetworkAttachment("net1", "10.0.1.5")] : [],
            },
            seen);

    private static ObservedContainer Held(ContainerHealth health) => new("c1", Health: health);

    private static ObservedContainer Listed(ContainerHealth health) => ObservedContainer.Listed(new TaskContainer("c1", "t1", true, 0, health));

    private static ObservedContainer Died(long exitCode, ContainerHealth health) =>
        ObservedContainer.Exited(new ContainerExit("c1", "t1", exitCode, false), health);

    [Fact]
    public void Starting_task_whose_container_turned_healthy_reports_running() =>
        Assert.Equal(new TaskAction.Report(TaskState.Running, "started", ContainerId: "c1"), TaskStep.Next(T(TaskState.Starting), Held(ContainerHealth.Healthy)));

    [Fact]
    public void Starting_task_whose_check_gave_no_verdict_within_what_it_allows_is_failed_as_unhealthy() =>
        Assert.Equal(new TaskAction.StopUnhealthy("c1", LeaveRotationFirst: false, Started: false),
            TaskStep.Next(T(TaskState.Starting), Held(ContainerHealth.Starting)));

    [Fact]
    public void Starting_task_whose_container_is_unhealthy_is_stopped_without_leaving_rotations_it_never_joined() =>
        Assert.Equal(new TaskAction.StopUnhealthy("c1", LeaveRotationFirst: false, Started: false),
            TaskStep.Next(T(TaskState.Starting, onNetwork: true), Held(ContainerHealth.Unhealthy)));

    [Fact]
    public void Running_task_on_a_network_that_turned_unhealthy_leaves_the_rotations_before_it_is_stopped() =>
        Assert.Equal(new TaskAction.StopUnhealthy("c1", LeaveRotationFirst: true, Started: true),
            TaskStep.Next(T(TaskState.Running, onNetwork: true), Held(ContainerHealth.Unhealthy)));

    [Fact]
    public void Running_task_that_stays_healthy_is_left_to_the_exit_watcher() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running), Held(ContainerHealth.Healthy)));

    [Fact]
    public void Container_stopped_as_unhealthy_ends_its_task_failed_with_docker_s_error() =>
        Assert.Equal(new TaskAction.Report(TaskState.Failed, "started", UnhealthyAfterKill, "c1", 137),
            TaskStep.Next(T(TaskState.Running), Died(137, ContainerHealth.Unhealthy)));

    [Fact]
    public void Container_stopped_as_unhealthy_keeps_docker_s_error_once_its_task_was_failed_and_replaced() =>
        Assert.Equal(new TaskAction.Report(TaskState.Failed, "started", UnhealthyAfterKill, "c1", 137),
            TaskStep.Next(T(TaskState.Failed, TaskState.Shutdown), Died(137, ContainerHealth.Unhealthy)));

    [Fact]
    public void Unhealthy_container_that_exits_zero_still_fails_its_task() =>
        Assert.Equal(new TaskAction.Report(TaskState.Failed, "starting", "task: dockerexec: unhealthy container", "c1", 0),
            TaskAction.Unhealthy("c1", 0, started: false));

    [Fact]
    public void Unhealthy_container_of_a_task_being_shut_down_is_only_shut_down()
    {
        Assert.Equal(new TaskAction.Shutdown("c1", LeaveRotationFirst: false, RemoveContainer: false),
            TaskStep.Next(T(TaskState.Running, TaskState.Shutdown), Held(ContainerHealth.Unhealthy)));
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running, TaskState.Shutdown), Died(137, ContainerHealth.Unhealthy)));
    }

    [Fact]
    public void Adopted_container_whose_check_has_not_passed_keeps_its_task_starting_and_is_started_again_to_wait_for_it()
    {
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Starting), Listed(ContainerHealth.Starting)));
        Assert.Equal(new TaskAction.Start("c1"), TaskStep.Next(T(TaskState.Starting), Held(ContainerHealth.None)));
    }

    [Fact]
    public void Adopted_healthy_container_has_its_task_reported_running() =>
        Assert.Equal(new TaskAction.Report(TaskState.Running, "started", ContainerId: "c1"), TaskStep.Next(T(TaskState.Starting), Listed(ContainerHealth.Healthy)));

    [Fact]
    public void Adopted_unhealthy_container_is_stopped_and_its_task_failed() =>
        Assert.Equal(new TaskAction.StopUnhealthy("c1", LeaveRotationFirst: true, Started: true),
            TaskStep.Next(T(TaskState.Running, onNetwork: true), Listed(ContainerHealth.Unhealthy)));

    [Fact]
    public void The_wait_for_a_verdict_is_bounded_by_what_docker_s_default_check_allows() =>
        // No start period; 3 retries; a first probe 30 s in; each probe up to 30 s late: 4 × (30 + 30) s, plus a margin.
        Assert.Equal(TimeSpan.FromSeconds(245), TaskStep.HealthVerdictLimit(new Healthcheck { Test = ["CMD", "true"] }));

    [Fact]
    public void The_wait_for_a_verdict_follows_the_check_s_own_timings() =>
        Assert.Equal(TimeSpan.FromSeconds(3 + 3 * 2 + 5), TaskStep.HealthVerdictLimit(Check with { StartPeriod = Duration.FromSeconds(3L) }));

    // ---- the worker against the in-memory engine ----

    private static ServiceSpec WithCheck(Healthcheck? check, string image = "nginx:1") =>
        Spec("web", image: image) is var spec
            ? spec with { TaskTemplate = spec.TaskTemplate with { Container = spec.TaskTemplate.Container with { Healthcheck = check } } }
            : spec;

    private static ClusterState Assigned(ServiceSpec spec) =>
        Given([.. Cluster("n1"), Service(spec), Created("t1", spec, 1), Scenario.Assigned("t1", "n1")]);

    /// <summary>The task was reported Starting and its container runs: the engine may give its verdict.</summary>
    private static async Task<string> Started(WorkerHarness worker)
    {
        await worker.Reported("t1", TaskState.Starting);
        var deadline = DateTime.UtcNow + WorkerHarness.Patience;
        while (!worker.Engine.ContainersOf("t1").Any(c => c.Running))
        {
            Assert.True(DateTime.UtcNow < deadline, "the container did not start");
            await Task.Delay(10);
        }
        return worker.Engine.ContainersOf("t1").Single().ContainerId;
    }

    [Fact]
    public async Task Task_with_a_health_check_is_reported_running_only_once_healthy()
    {
        await using var worker = new WorkerHarness(Assigned(WithCheck(Check))).Start();
        await Started(worker);

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TaskState.Starting, worker.Projection.Current.Tasks["t1"].Status.State);

        worker.Engine.Health("t1", healthy: true);
        var running = await worker.Reported("t1", TaskState.Running);
        Assert.Equal(worker.Engine.ContainersOf("t1").Single().ContainerId, running.ContainerId);
    }

    [Fact]
    public async Task Starting_task_whose_container_turns_unhealthy_is_failed_and_never_running()
    {
        await using var worker = new WorkerHarness(Assigned(WithCheck(Check))).Start();
        var containerId = await Started(worker);

        worker.Engine.Health("t1", healthy: false);
        var failed = await worker.Reported("t1", TaskState.Failed);

        Assert.Equal(UnhealthyAfterKill, failed.Error);
        Assert.Equal("starting", failed.Message);
        Assert.Contains($"stop {containerId}", worker.Engine.Calls);
        Assert.DoesNotContain(worker.Batches.SelectMany(b => b.Reports), r => r.Status.State == TaskState.Running);
    }

    [Fact]
    public async Task Unhealthy_task_is_failed_and_its_container_stopped()
    {
        await using var worker = new WorkerHarness(Assigned(WithCheck(Check))).Start();
        await Started(worker);
        worker.Engine.Health("t1", healthy: true);
        var containerId = (await worker.Reported("t1", TaskState.Running)).ContainerId;

        worker.Engine.Health("t1", healthy: false);
        var failed = await worker.Reported(r => r.TaskId == "t1" && r.Status is { State: TaskState.Failed, ExitCode: not null });

        Assert.Equal(UnhealthyAfterKill, failed.Error);
        Assert.Equal(137, failed.ExitCode);
        Assert.False(Assert.Single(worker.Engine.ContainersOf("t1")).Running);
        Assert.Contains($"stop {containerId}", worker.Engine.Calls);
    }

    [Fact]
    public async Task Image_HEALTHCHECK_gates_running_like_the_spec_s_own()
    {
        var worker = new WorkerHarness(Assigned(WithCheck(null, image: "checked:1")));
        worker.Engine.ImageHealthchecks["checked:1"] = Check;
        await using var _ = worker.Start();
        await Started(worker);

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TaskState.Starting, worker.Projection.Current.Tasks["t1"].Status.State);
        worker.Engine.Health("t1", healthy: true);
        await worker.Reported("t1", TaskState.Running);
    }

    [Fact]
    public async Task No_healthcheck_disables_the_image_s_and_the_task_runs_at_once()
    {
        var worker = new WorkerHarness(Assigned(WithCheck(new Healthcheck { Test = ["NONE"] }, image: "checked:1")));
        worker.Engine.ImageHealthchecks["checked:1"] = Check;
        await using var _ = worker.Start();

        await worker.Reported("t1", TaskState.Running);
    }

    [Fact]
    public async Task Task_scaled_down_while_its_check_has_no_verdict_is_shut_down_without_waiting_for_one()
    {
        await using var worker = new WorkerHarness(Assigned(WithCheck(new Healthcheck { Test = ["CMD", "true"] }))).Start();
        await worker.Reported("t1", TaskState.Starting);

        worker.Commit(Desired("t1", TaskState.Shutdown));
        await worker.Reported("t1", TaskState.Shutdown);

        Assert.False(Assert.Single(worker.Engine.ContainersOf("t1")).Running);
    }

    [Fact]
    public async Task Verdict_given_while_the_event_stream_was_down_is_seen_when_it_reconnects()
    {
        await using var worker = new WorkerHarness(Assigned(WithCheck(Check))).Start();
        await Started(worker);
        worker.Engine.Health("t1", healthy: true);
        await worker.Reported("t1", TaskState.Running);

        worker.Engine.SetHealth("t1", ContainerHealth.Unhealthy);
        worker.Engine.BreakEventStream();

        Assert.Equal(UnhealthyAfterKill, (await worker.Reported("t1", TaskState.Failed)).Error);
    }
}
