using EventSwarm.Application.Tasks;

namespace EventSwarm.UnitTests.Tasks;

public sealed class DelayedStart_Tests
{
    private static readonly ServiceSpec Web = Spec("web", replicas: 2);

    [Fact]
    public void NextDue_is_the_earliest_future_start_of_a_wanted_task()
    {
        var state = Given(Cluster("n1")).And(Service(Web))
            .And(Created("a", Web, 1, desired: TaskState.Ready, notBefore: 15))
            .And(Created("b", Web, 2, desired: TaskState.Ready, notBefore: 8))
            .And(Created("c", Web, 2, desired: TaskState.Ready, notBefore: 3), Desired("c", TaskState.Shutdown));

        Assert.Equal(At(8), DelayedStart.NextDue(state, At(1)));
        Assert.Equal(At(15), DelayedStart.NextDue(state, At(8)));
        Assert.Null(DelayedStart.NextDue(state, At(15)));
    }

    [Fact]
    public void A_parked_task_waits_while_another_task_of_its_slot_still_runs_on_a_live_node()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Web)).And(Running("old", Web, 1, "n2")).And(Desired("old", TaskState.Shutdown, 1))
            .And(Created("new", Web, 1, at: 1, desired: TaskState.Ready));

        Assert.False(DelayedStart.CanStart(state.Tasks["new"], state, At(2)));
        Assert.True(DelayedStart.CanStart(state.Tasks["new"], state.And(NodeDown("n2", 2)), At(3)));
        Assert.True(DelayedStart.CanStart(state.Tasks["new"], state.And(Reported("old", "n2", TaskState.Shutdown, 2)), At(3)));
    }
}
