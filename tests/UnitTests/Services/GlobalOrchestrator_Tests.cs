using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Scheduling;
using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Services;

public sealed class GlobalOrchestrator_Tests
{
    private static readonly ServiceSpec Agent = GlobalSpec("agent");

    private static IReadOnlyList<DomainEvent> Orchestrate(ClusterState state, double at) =>
        state.Reconcile(GlobalOrchestrator.Reconcile, At(at));

    [Fact]
    public void One_task_on_every_ready_and_active_node_and_none_on_a_node_that_is_down()
    {
        var state = Given(Cluster("n1", "n2", "n3")).And(NodeDown("n3")).And(Service(Agent));

        var events = Orchestrate(state, 1);

        Assert.Equal([CreatedOn("n1", "t1", Agent, 1), CreatedOn("n2", "t2", Agent, 1)], events);
        Assert.Empty(Orchestrate(state.And(events), 2));
    }

    [Fact]
    public void Only_nodes_that_meet_the_constraints_get_a_task()
    {
        var agent = Agent.WithConstraints("node.role==worker", "node.hostname!=n3");
        var state = Given(Cluster("n1", "n2", "n3", "n4")).And(Service(agent));

        var events = Orchestrate(state, 1);

        Assert.Equal(["n2", "n4"], events.OfType<TaskCreated>().Select(e => e.NodeId));
    }

    [Fact]
    public void A_drained_node_gets_no_task()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Agent)).Drained("n2");

        Assert.Equal([CreatedOn("n1", "t1", Agent, 1)], Orchestrate(state, 1));
    }

    [Fact]
    public void The_task_on_a_node_is_shut_down_when_the_node_is_drained_and_not_replaced_there()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Agent))
            .And(RunningOn("n1", "a", Agent)).And(RunningOn("n2", "b", Agent))
            .Drained("n2");

        var events = Orchestrate(state, 5);

        Assert.Equal([Desired("b", TaskState.Shutdown, 5)], events);
        Assert.Empty(Orchestrate(state.And(events), 6));
    }

    [Fact]
    public void The_task_of_a_removed_node_is_shut_down_and_never_placed_on_another_node()
    {
        // Found by the property test: a task waiting for its paused node stayed wanted after `node rm --force`,
        // and the scheduler, finding no such node, placed it on any other, beside that node's own task.
        var state = Given(Cluster("n1", "n2")).And(Service(Agent)).And(RunningOn("n1", "a", Agent))
            .Paused("n2").And(CreatedOn("n2", "b", Agent, at: 1)).And(new NodeRemoved("n2", At(2)));

        var events = Orchestrate(state, 3);

        Assert.Equal([Desired("b", TaskState.Shutdown, 3)], events);
        var (pass, _) = ControlLoopRunner.Pass([("global-orchestrator", GlobalOrchestrator.Reconcile), ("scheduler", Scheduler.Reconcile)], state, At(3));
        Assert.DoesNotContain(pass.Events, e => e is TaskAssigned);
    }

    [Fact]
    public void A_node_that_joins_gets_a_task()
    {
        var state = Given(Cluster("n1")).And(Service(Agent)).And(RunningOn("n1", "a", Agent)).And(Node("n2"));

        Assert.Equal([CreatedOn("n2", "t1", Agent, 3)], Orchestrate(state, 3));
    }

    [Fact]
    public void A_failed_task_is_replaced_on_the_same_node_after_the_restart_delay()
    {
        var state = Given(Cluster("n1")).And(Service(Agent)).And(RunningOn("n1", "a", Agent)).And(Reported("a", "n1", TaskState.Failed, 10));

        var restart = Orchestrate(state, 10);
        Assert.Equal([Desired("a", TaskState.Shutdown, 10), CreatedOn("n1", "t1", Agent, 10, TaskState.Ready, notBefore: 15)], restart);
        state = state.And(restart);

        Assert.Empty(Orchestrate(state, 14));
        Assert.Equal([Desired("t1", TaskState.Running, 15)], Orchestrate(state, 15));
    }

    [Fact]
    public void A_paused_node_gets_no_new_task_and_keeps_its_running_one()
    {
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(Agent)).And(RunningOn("n2", "b", Agent)).Paused("n2").Paused("n3");

        Assert.Equal([CreatedOn("n1", "t1", Agent, 1)], Orchestrate(state, 1));
    }

    [Fact]
    public void A_task_that_ends_on_a_paused_node_is_shut_down_not_replaced()
    {
        // Found by the property test: the replacement could never be placed on the paused node, and while it waited
        // (a task of the current spec not yet running) the service's rolling update stopped on every other node.
        var state = Given(Cluster("n1", "n2")).And(Service(Agent))
            .And(RunningOn("n1", "a", Agent)).And(RunningOn("n2", "b", Agent)).And(Reported("b", "n2", TaskState.Failed, 1))
            .Paused("n2");

        var events = Orchestrate(state, 10);

        Assert.Equal([Desired("b", TaskState.Shutdown, 10)], events);
        Assert.Empty(Orchestrate(state.And(events), 11));
    }

    [Fact]
    public void Replicated_services_are_left_to_the_replicated_orchestrator()
    {
        Assert.Empty(Orchestrate(Given(Cluster("n1")).And(Service(Spec("web"))), 1));
    }
}
