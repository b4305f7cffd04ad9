using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Services;

public sealed class ReplicatedOrchestrator_Tests
{
    private static readonly ServiceSpec Web = Spec("web", replicas: 3);

    private static IReadOnlyList<DomainEvent> Orchestrate(ClusterState state, double at) =>
        state.Reconcile(ReplicatedOrchestrator.Reconcile, At(at));

    [Fact]
    public void A_new_service_gets_one_task_in_each_slot_1_to_N()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        var events = Orchestrate(state, 1);

        Assert.Equal([Created("t1", Web, 1, 1), Created("t2", Web, 2, 1), Created("t3", Web, 3, 1)], events);
    }

    [Fact]
    public void Reconciling_again_after_the_first_pass_yields_nothing()
    {
        var state = Given(Cluster("n1")).And(Service(Web));
        state = state.And(Orchestrate(state, 1));

        Assert.Empty(Orchestrate(state, 1));
        Assert.Empty(Orchestrate(state, 100));
    }

    [Fact]
    public void Scale_up_takes_the_lowest_free_slot_numbers()
    {
        var state = Given(Cluster("n1")).And(Service(Web with { Mode = ServiceMode.Replicated(2) }))
            .And(Running("a", Web, 1, "n1")).And(Running("b", Web, 3, "n1"))
            .And(new ServiceScaled("web", 4, At(1)));

        var events = Orchestrate(state, 2);

        Assert.Equal([2L, 4L], events.OfType<TaskCreated>().Select(e => e.Slot));
    }

    [Fact]
    public void Scale_down_removes_the_surplus_slot_from_the_node_running_the_most_tasks_of_the_service()
    {
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(Web with { Mode = ServiceMode.Replicated(4) }))
            .And(Running("a", Web, 1, "n1")).And(Running("b", Web, 2, "n2")).And(Running("c", Web, 3, "n2")).And(Running("d", Web, 4, "n3"))
            .And(new ServiceScaled("web", 3, At(1)));

        var events = Orchestrate(state, 2);

        // n2 runs two tasks of web; of those, the highest slot goes.
        Assert.Equal([Desired("c", TaskState.Remove, 2)], events);
    }

    [Fact]
    public void Scale_down_on_the_busiest_node_takes_a_task_that_is_not_running_first()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Web))
            .And(Running("a", Web, 1, "n1"))
            .And(Created("b", Web, 2), Assigned("b", "n2"), Reported("b", "n2", TaskState.Preparing))
            .And(Running("c", Web, 3, "n2"))
            .And(new ServiceScaled("web", 2, At(1)));

        var events = Orchestrate(state, 2);

        Assert.Equal([Desired("b", TaskState.Remove, 2)], events);
    }

    [Fact]
    public void Scale_to_zero_removes_every_slot_and_creates_nothing_afterwards()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(Running("a", Web, 1, "n1")).And(Running("b", Web, 2, "n1"))
            .And(Running("c", Web, 3, "n1")).And(new ServiceScaled("web", 0, At(1)));

        var events = Orchestrate(state, 2);

        Assert.Equal(["a", "b", "c"], events.OfType<TaskDesiredStateChanged>().Where(e => e.DesiredState == TaskState.Remove).Select(e => e.TaskId).Order());
        Assert.Equal(3, events.Count);
        Assert.Empty(Orchestrate(state.And(events), 3));
    }

    [Fact]
    public void Killed_task_is_replaced_in_the_same_slot_after_the_restart_delay()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1")).And(Service(web)).And(Ended("t1", web, 1, "n1", TaskState.Failed, at: 0, endedAt: 10));

        var restart = Orchestrate(state, 10);

        // Swarm's default delay is 5 s: the replacement is created at once, parked in Ready until then.
        Assert.Equal([Desired("t1", TaskState.Shutdown, 10), Created("t2", web, 1, 10, TaskState.Ready, notBefore: 15)], restart);

        state = state.And(restart).And(Assigned("t2", "n1", 10), Reported("t2", "n1", TaskState.Ready, 11));
        Assert.Empty(Orchestrate(state, 11));
        Assert.Empty(Orchestrate(state, 14.999));

        Assert.Equal([Desired("t2", TaskState.Running, 15)], Orchestrate(state, 15));
    }

    [Fact]
    public void With_restart_delay_zero_the_replacement_is_wanted_running_at_once()
    {
        var web = Spec("web", replicas: 1).WithRestart(delaySeconds: 0);
        var state = Given(Cluster("n1")).And(Service(web)).And(Ended("t1", web, 1, "n1", TaskState.Failed, endedAt: 10));

        var events = Orchestrate(state, 10);

        Assert.Equal([Desired("t1", TaskState.Shutdown, 10), Created("t2", web, 1, 10, TaskState.Running)], events);
    }

    [Theory]
    [InlineData(TaskState.Complete)]
    [InlineData(TaskState.Failed)]
    public void With_condition_none_a_finished_task_is_left_alone_and_no_new_slot_is_created(TaskState end)
    {
        var web = Spec("web", replicas: 1).WithRestart(RestartCondition.None);
        var state = Given(Cluster("n1")).And(Service(web)).And(Ended("t1", web, 1, "n1", end, endedAt: 10));

        Assert.Empty(Orchestrate(state, 10));
        Assert.Empty(Orchestrate(state, 1000));
    }

    [Fact]
    public void With_condition_on_failure_a_completed_task_is_not_restarted_and_a_failed_one_is()
    {
        var web = Spec("web", replicas: 2).WithRestart(RestartCondition.OnFailure, delaySeconds: 0);
        var state = Given(Cluster("n1")).And(Service(web))
            .And(Ended("done", web, 1, "n1", TaskState.Complete, endedAt: 10))
            .And(Ended("crashed", web, 2, "n1", TaskState.Failed, endedAt: 10));

        var events = Orchestrate(state, 10);

        Assert.Equal([Desired("crashed", TaskState.Shutdown, 10), Created("t1", web, 2, 10)], events);
    }

    [Fact]
    public void With_max_attempts_2_the_third_failure_is_not_restarted()
    {
        var web = Spec("web", replicas: 1).WithRestart(delaySeconds: 0, maxAttempts: 2);
        var state = Given(Cluster("n1")).And(Service(web)).And(Ended("t0", web, 1, "n1", TaskState.Failed, endedAt: 10));

        state = state.And(Orchestrate(state, 10));                      // 1st failure → restart 1 (t1)
        // Each task runs 10 s or more before it fails, so no crash-loop back-off is involved (RestartBackoff_Tests).
        state = state.And(Assigned("t1", "n1", 11), Reported("t1", "n1", TaskState.Failed, 22));
        state = state.And(Orchestrate(state, 22));                      // 2nd failure → restart 2 (t2)
        Assert.True(state.Tasks.ContainsKey("t2"));
        state = state.And(Assigned("t2", "n1", 23), Reported("t2", "n1", TaskState.Failed, 34));

        Assert.Empty(Orchestrate(state, 34));                            // 3rd failure: attempts used up
        Assert.Empty(Orchestrate(state, 1000));
    }

    [Fact]
    public void Max_attempts_count_again_from_zero_after_a_new_spec_version()
    {
        var web = Spec("web", replicas: 1).WithRestart(delaySeconds: 0, maxAttempts: 1);
        var v2 = web.WithImage("nginx:2");
        var state = Given(Cluster("n1")).And(Service(web))
            .And(Ended("a", web, 1, "n1", TaskState.Failed, endedAt: 1)).And(Desired("a", TaskState.Shutdown, 1))
            .And(Ended("b", web, 1, "n1", TaskState.Failed, at: 1, endedAt: 2));
        Assert.Empty(Orchestrate(state, 2));

        state = state.And(new ServiceUpdated("web", v2, At(3)));

        Assert.Equal([Desired("b", TaskState.Shutdown, 3), Created("t1", v2, 1, 3, specVersion: 2)], Orchestrate(state, 3));
    }

    [Fact]
    public void With_max_attempts_1_in_a_window_a_second_restart_within_the_window_is_refused()
    {
        // Swarm counts restarts (replacement tasks) whose time falls in the window: here one, at second 100.
        var web = Spec("web", replicas: 1).WithRestart(delaySeconds: 0, maxAttempts: 1, windowSeconds: 60);
        var state = Given(Cluster("n1")).And(Service(web)).And(Ended("t0", web, 1, "n1", TaskState.Failed, at: 0, endedAt: 100));
        state = state.And(Orchestrate(state, 100));                      // restart 1 at 100 (t1)
        state = state.And(Assigned("t1", "n1", 100), Reported("t1", "n1", TaskState.Failed, 110));

        Assert.Empty(Orchestrate(state, 110));                           // restart 2 at 110 would be the second in 60 s
    }

    [Fact]
    public void With_max_attempts_1_in_a_window_a_failure_after_the_window_is_restarted_again()
    {
        var web = Spec("web", replicas: 1).WithRestart(delaySeconds: 0, maxAttempts: 1, windowSeconds: 60);
        var state = Given(Cluster("n1")).And(Service(web)).And(Ended("t0", web, 1, "n1", TaskState.Failed, at: 0, endedAt: 100));
        state = state.And(Orchestrate(state, 100));
        state = state.And(Assigned("t1", "n1", 100), Reported("t1", "n1", TaskState.Failed, 200));

        Assert.Equal([Desired("t1", TaskState.Shutdown, 200), Created("t2", web, 1, 200)], Orchestrate(state, 200));
    }

    [Fact]
    public void A_task_rejected_while_its_own_restart_delay_runs_is_replaced_only_when_that_delay_ends()
    {
        // A missing image fails at preparation, long before the delay is over: one attempt per delay, no hot loop.
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1")).And(Service(web))
            .And(Ended("t0", web, 1, "n1", TaskState.Failed)).And(Desired("t0", TaskState.Shutdown, 0))
            .And(Created("t1", web, 1, at: 0, desired: TaskState.Ready, notBefore: 5), Assigned("t1", "n1", 0),
                Reported("t1", "n1", TaskState.Rejected, 0.5));

        foreach (var at in new[] { 0.5, 1, 2, 3, 4, 4.999 })
            Assert.Empty(Orchestrate(state, at));

        Assert.Equal([Desired("t1", TaskState.Shutdown, 5), Created("t2", web, 1, 5, TaskState.Ready, notBefore: 10)], Orchestrate(state, 5));
    }

    [Fact]
    public void A_restart_pass_applied_and_run_again_yields_nothing()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1")).And(Service(web))
            .And(Running("a", web, 1, "n1")).And(Ended("b", web, 2, "n1", TaskState.Failed, endedAt: 10));
        state = state.And(Orchestrate(state, 10));

        Assert.Empty(Orchestrate(state, 10));
    }

    [Fact]
    public void Task_on_a_node_that_went_down_is_replaced_in_the_same_slot_after_the_restart_delay()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("a", web, 1, "n2")).And(NodeDown("n2", 10));

        var events = Orchestrate(state, 10);

        Assert.Equal([Desired("a", TaskState.Shutdown, 10), Created("t1", web, 1, 10, TaskState.Ready, notBefore: 15)], events);
    }

    [Fact]
    public void Task_on_a_drained_node_is_replaced_at_once_without_the_restart_delay()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("a", web, 1, "n2")).Drained("n2");

        var events = Orchestrate(state, 10);

        Assert.Equal([Desired("a", TaskState.Shutdown, 10), Created("t1", web, 1, 10, TaskState.Running)], events);
    }

    [Fact]
    public void A_replica_count_change_does_not_replace_running_tasks()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1")).And(Service(web)).And(Running("a", web, 1, "n1")).And(Running("b", web, 2, "n1"))
            .And(new ServiceUpdated("web", web with { Mode = ServiceMode.Replicated(3) }, At(1)));

        Assert.Equal([Created("t1", web, 3, 2)], Orchestrate(state, 2));
    }

    [Fact]
    public void Global_services_are_left_to_the_global_orchestrator()
    {
        var state = Given(Cluster("n1")).And(Service(GlobalSpec("agent")));

        Assert.Empty(Orchestrate(state, 1));
    }
}
