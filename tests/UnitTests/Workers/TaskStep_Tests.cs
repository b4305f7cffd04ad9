using EventSwarm.Application.Workers;
using EventSwarm.Domain.Networking;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// The worker's state machine, one transition per test: the task as the worker sees it and what it knows of the
/// container give the next action (swarmkit's agent/exec.Do, one step at a time).
/// </summary>
public sealed class TaskStep_Tests
{
    /// <summary>A task of this node whose log status is <paramref name="logged"/>; the worker may have seen it further (<paramref name="seen"/>).</summary>
    private static WorkerTask T(TaskState logged, TaskState desired = TaskState.Running, TaskState? seen = null, bool onNetwork = false) =>
        WorkerTask.Of(
            new SwarmTask("t1", "web", "web", 1, "n1", Spec().TaskTemplate, 1, desired, new TaskObservation(logged, T0, logged.ToWire()), T0, T0, 1)
            {
                Networks = onNetwork ? [new NetworkAttachment("net1", "10.0.1.5")] : [],
            },
            seen);

    private static ObservedContainer Held => new("c1");
    private static ObservedContainer Listed(bool running, long exitCode = 0) => ObservedContainer.Listed(new TaskContainer("c1", "t1", running, exitCode));
    private static ObservedContainer Died(long exitCode) => ObservedContainer.Exited(new ContainerExit("c1", "t1", exitCode, false));

    // ---- desired running: moving forward ----

    [Theory]
    [InlineData(TaskState.Assigned)]
    [InlineData(TaskState.Accepted)]
    [InlineData(TaskState.Preparing)]
    public void Assigned_task_without_container_is_prepared(TaskState state) =>
        Assert.Equal(new TaskAction.Prepare(), TaskStep.Next(T(state), null));

    [Fact]
    public void Task_whose_preparation_was_interrupted_after_create_is_prepared_with_its_container() =>
        Assert.Equal(new TaskAction.Prepare(), TaskStep.Next(T(TaskState.Preparing), Held));

    [Theory]
    [InlineData(TaskState.Ready)]
    [InlineData(TaskState.Starting)]
    public void Task_reported_ready_or_starting_whose_container_is_not_held_is_prepared_again(TaskState state) =>
        Assert.Equal(new TaskAction.Prepare(), TaskStep.Next(T(state), null));

    [Theory]
    [InlineData(TaskState.Ready)]
    [InlineData(TaskState.Starting)]
    public void Ready_task_desired_running_starts_its_container(TaskState state) =>
        Assert.Equal(new TaskAction.Start("c1"), TaskStep.Next(T(state), Held));

    [Fact]
    public void Ready_task_of_a_delayed_restart_waits_while_desired_ready() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Ready, desired: TaskState.Ready), Held));

    [Fact]
    public void Task_desired_ready_is_still_prepared() =>
        Assert.Equal(new TaskAction.Prepare(), TaskStep.Next(T(TaskState.Assigned, desired: TaskState.Ready), null));

    [Fact]
    public void What_the_worker_reported_counts_before_the_log_catches_up() =>
        Assert.Equal(new TaskAction.Start("c1"), TaskStep.Next(T(TaskState.Assigned, seen: TaskState.Ready), Held));

    [Fact]
    public void An_older_report_does_not_move_the_task_back() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running, seen: TaskState.Starting), Held));

    [Fact]
    public void Running_task_with_its_container_is_left_to_the_exit_watcher() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running), Held));

    [Fact]
    public void Running_task_whose_container_is_gone_reports_failed() =>
        Assert.Equal(new TaskAction.Report(TaskState.Failed, "failed", TaskStep.ContainerGone), TaskStep.Next(T(TaskState.Running), null));

    [Theory]
    [InlineData(TaskState.New)]
    [InlineData(TaskState.Pending)]
    [InlineData(TaskState.Complete)]
    [InlineData(TaskState.Failed)]
    [InlineData(TaskState.Rejected)]
    public void Task_not_yet_assigned_or_already_ended_gets_nothing(TaskState state)
    {
        Assert.Equal(TaskAction.None, TaskStep.Next(T(state), null));
        Assert.Equal(TaskAction.None, TaskStep.Next(T(state), Held));
    }

    // ---- the container exits ----

    [Fact]
    public void Running_task_whose_container_exited_reports_failed_with_exit_code() =>
        Assert.Equal(new TaskAction.Report(TaskState.Failed, "started", "task: non-zero exit (3)", "c1", 3), TaskStep.Next(T(TaskState.Running), Died(3)));

    [Fact]
    public void Running_task_whose_container_exited_zero_reports_complete() =>
        Assert.Equal(new TaskAction.Report(TaskState.Complete, "finished", ContainerId: "c1", ExitCode: 0), TaskStep.Next(T(TaskState.Running), Died(0)));

    [Fact]
    public void Container_of_a_task_being_shut_down_that_exits_is_not_a_failure() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running, desired: TaskState.Shutdown), Died(137)));

    [Fact]
    public void Exit_of_a_container_no_task_of_this_node_owns_is_ignored() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(null, Died(1)));

    // ---- desired shutdown or remove ----

    [Theory]
    [InlineData(TaskState.Assigned)]
    [InlineData(TaskState.Ready)]
    [InlineData(TaskState.Starting)]
    [InlineData(TaskState.Running)]
    public void Task_desired_shutdown_stops_its_container(TaskState state) =>
        Assert.Equal(new TaskAction.Shutdown("c1", LeaveRotationFirst: false, RemoveContainer: false), TaskStep.Next(T(state, TaskState.Shutdown), Held));

    [Fact]
    public void Task_desired_removed_stops_and_removes_its_container() =>
        Assert.Equal(new TaskAction.Shutdown("c1", LeaveRotationFirst: false, RemoveContainer: true), TaskStep.Next(T(TaskState.Running, TaskState.Remove), Held));

    [Fact]
    public void Task_shut_down_before_it_had_a_container_reports_shutdown_with_no_engine_call() =>
        Assert.Equal(new TaskAction.Shutdown(null, false, false), TaskStep.Next(T(TaskState.Assigned, TaskState.Shutdown), null));

    [Fact]
    public void Running_task_on_a_network_leaves_the_rotations_before_its_container_stops() =>
        Assert.Equal(new TaskAction.Shutdown("c1", LeaveRotationFirst: true, RemoveContainer: false),
            TaskStep.Next(T(TaskState.Running, TaskState.Shutdown, onNetwork: true), Held));

    [Fact]
    public void Task_on_a_network_the_cluster_never_saw_running_stops_at_once() =>
        Assert.Equal(new TaskAction.Shutdown("c1", LeaveRotationFirst: false, RemoveContainer: false),
            TaskStep.Next(T(TaskState.Starting, TaskState.Shutdown, seen: TaskState.Running, onNetwork: true), Held));

    [Fact]
    public void Ended_task_desired_removed_has_its_container_removed() =>
        Assert.Equal(new TaskAction.Remove("c1"), TaskStep.Next(T(TaskState.Failed, TaskState.Remove), Held));

    [Fact]
    public void Ended_task_desired_shutdown_keeps_its_container() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Failed, TaskState.Shutdown), Held));

    [Fact]
    public void Task_already_shut_down_gets_nothing() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running, TaskState.Shutdown, seen: TaskState.Shutdown), Held));

    [Fact]
    public void Orphaned_task_back_from_a_partition_stops_and_removes_its_container() =>
        Assert.Equal(new TaskAction.StopAndRemove("c1"), TaskStep.Next(T(TaskState.Orphaned, TaskState.Shutdown), Held));

    [Fact]
    public void Orphaned_task_whose_container_was_already_stopped_is_not_stopped_again() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Orphaned, TaskState.Shutdown), new ObservedContainer("c1", ContainerPhase.Discarded)));

    [Fact]
    public void Orphaned_task_without_container_gets_nothing() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Orphaned, TaskState.Shutdown), null));

    [Fact]
    public void Container_of_a_task_no_longer_on_this_node_is_removed_and_the_task_forgotten() =>
        Assert.Equal(new TaskAction.Remove("c1", TaskGone: true), TaskStep.Next(null, Held));

    // ---- adoption of the engine's containers after a restart ----

    [Theory]
    [InlineData(TaskState.Assigned)]
    [InlineData(TaskState.Ready)]
    [InlineData(TaskState.Starting)]
    public void Running_container_of_a_task_not_yet_running_is_adopted_and_reported_running(TaskState state) =>
        Assert.Equal(new TaskAction.Report(TaskState.Running, "started", ContainerId: "c1"), TaskStep.Next(T(state), Listed(running: true)));

    [Fact]
    public void Running_container_of_a_running_task_is_adopted_as_it_is() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Running), Listed(running: true)));

    [Fact]
    public void Stopped_container_of_a_task_that_had_started_reports_its_exit() =>
        Assert.Equal(TaskAction.Exit("c1", 2), TaskStep.Next(T(TaskState.Running), Listed(running: false, exitCode: 2)));

    [Fact]
    public void Stopped_container_of_a_starting_task_reports_its_exit() =>
        Assert.Equal(TaskAction.Exit("c1", 0), TaskStep.Next(T(TaskState.Starting), Listed(running: false)));

    [Fact]
    public void Created_container_of_a_ready_task_is_adopted_for_the_loop_to_start() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(T(TaskState.Ready), Listed(running: false)));

    [Theory]
    [InlineData(TaskState.Running, TaskState.Shutdown)]
    [InlineData(TaskState.Running, TaskState.Remove)]
    [InlineData(TaskState.Failed, TaskState.Running)]
    [InlineData(TaskState.Orphaned, TaskState.Shutdown)]
    public void Container_of_a_task_on_its_way_out_is_adopted_and_left_to_the_loop(TaskState state, TaskState desired)
    {
        Assert.Equal(TaskAction.None, TaskStep.Next(T(state, desired), Listed(running: true)));
        Assert.Equal(TaskAction.None, TaskStep.Next(T(state, desired), Listed(running: false, exitCode: 1)));
    }

    [Fact]
    public void Listed_container_of_a_task_no_longer_on_this_node_is_removed() =>
        Assert.Equal(new TaskAction.Remove("c1", TaskGone: true), TaskStep.Next(null, Listed(running: true)));

    [Fact]
    public void No_task_and_no_container_is_nothing() =>
        Assert.Equal(TaskAction.None, TaskStep.Next(null, null));
}
