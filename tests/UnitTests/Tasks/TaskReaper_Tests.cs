using EventSwarm.Application.Tasks;

namespace EventSwarm.UnitTests.Tasks;

public sealed class TaskReaper_Tests
{
    private static IReadOnlyList<DomainEvent> Reap(ClusterState state, double at) => state.Reconcile(TaskReaper.Reconcile, At(at));

    /// <summary><paramref name="count"/> finished tasks of slot 1, the oldest first (h0 at second 0, h1 at 1, …), then the current one.</summary>
    private static ClusterState SlotWithHistory(ServiceSpec web, int count, TaskState currentEnd = TaskState.Running)
    {
        var state = Given(Cluster("n1")).And(Service(web));
        for (var i = 0; i < count; i++)
            state = state.And(Ended($"h{i}", web, 1, "n1", TaskState.Failed, at: i, endedAt: i)).And(Desired($"h{i}", TaskState.Shutdown, i));
        state = state.And(Running("current", web, 1, "n1", at: count));
        return currentEnd == TaskState.Running ? state : state.And(Reported("current", "n1", currentEnd, count + 1));
    }

    [Fact]
    public void A_slot_keeps_five_tasks_counting_the_current_one()
    {
        Assert.Empty(Reap(SlotWithHistory(Spec("web"), 4), 100));
    }

    [Fact]
    public void Beyond_five_tasks_per_slot_the_oldest_finished_ones_are_removed_first()
    {
        var events = Reap(SlotWithHistory(Spec("web"), 6), 100);

        Assert.Equal([new TaskRemoved("h0", At(100)), new TaskRemoved("h1", At(100))], events);
    }

    [Fact]
    public void The_current_task_is_kept_even_when_it_has_finished()
    {
        // With restart condition none a finished task stays the slot's current task.
        var web = Spec("web").WithRestart(RestartCondition.None);

        var events = Reap(SlotWithHistory(web, 5, currentEnd: TaskState.Complete), 100);

        Assert.Equal([new TaskRemoved("h0", At(100))], events);
    }

    [Fact]
    public void With_max_attempts_the_slot_keeps_max_attempts_plus_one_tasks_when_that_is_more()
    {
        var web = Spec("web").WithRestart(maxAttempts: 6);

        Assert.Empty(Reap(SlotWithHistory(web, 6), 100));
        Assert.Equal([new TaskRemoved("h0", At(100))], Reap(SlotWithHistory(web, 7), 100));
    }

    [Fact]
    public void History_is_counted_per_slot()
    {
        var web = Spec("web", replicas: 2);
        var state = SlotWithHistory(web, 4).And(Ended("other", web, 2, "n1", TaskState.Failed)).And(Desired("other", TaskState.Shutdown))
            .And(Running("other2", web, 2, "n1", at: 1));

        Assert.Empty(Reap(state, 100));
    }

    [Fact]
    public void A_task_wanted_removed_is_removed_once_it_has_stopped()
    {
        var web = Spec("web");
        var state = Given(Cluster("n1")).And(Service(web)).And(Running("a", web, 1, "n1")).And(Desired("a", TaskState.Remove, 1));

        Assert.Empty(Reap(state, 2));

        state = state.And(Reported("a", "n1", TaskState.Shutdown, 3));
        Assert.Equal([new TaskRemoved("a", At(4))], Reap(state, 4));
    }

    [Fact]
    public void A_task_wanted_removed_that_never_reached_a_node_is_removed_at_once()
    {
        var web = Spec("web");
        var state = Given(Cluster("n1")).And(Service(web)).And(Created("a", web, 1), Desired("a", TaskState.Remove, 1));

        Assert.Equal([new TaskRemoved("a", At(2))], Reap(state, 2));
    }

    [Fact]
    public void A_task_wanted_removed_on_a_node_that_is_down_is_removed()
    {
        var web = Spec("web");
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("a", web, 1, "n2"))
            .And(Desired("a", TaskState.Remove, 1), NodeDown("n2", 2));

        Assert.Equal([new TaskRemoved("a", At(3))], Reap(state, 3));
    }

    [Fact]
    public void Tasks_of_a_removed_service_are_wanted_removed_then_removed_once_stopped()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1")).And(Service(web)).And(Running("a", web, 1, "n1")).And(Created("b", web, 2))
            .And(new ServiceRemoved("web", At(1)));

        var first = Reap(state, 2);
        Assert.Equal([Desired("a", TaskState.Remove, 2), Desired("b", TaskState.Remove, 2)], first);
        state = state.And(first);

        Assert.Equal([new TaskRemoved("b", At(3))], Reap(state, 3));
        state = state.And(new TaskRemoved("b", At(3)), Reported("a", "n1", TaskState.Shutdown, 4));

        Assert.Equal([new TaskRemoved("a", At(5))], Reap(state, 5));
        Assert.Empty(state.And(new TaskRemoved("a", At(5))).Tasks);
    }

    [Fact]
    public void Reaping_again_after_applying_yields_nothing()
    {
        var state = SlotWithHistory(Spec("web"), 8);
        state = state.And(Reap(state, 100));

        Assert.Equal(5, state.Tasks.Count);
        Assert.Empty(Reap(state, 100));
    }
}
