using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Nodes;

public sealed class NodeRemoval_Tests
{
    [Fact]
    public void A_down_worker_is_removed_and_its_tasks_are_replaced_on_another_node()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("t1", web, 1, "n2")).And(NodeDown("n2", at: 1));

        var decision = NodeRemoval.Decide(new RemoveNode("n2", false, At(2)), state);
        state = state.And(decision.Events);

        Assert.Equal([new NodeRemoved("n2", At(2))], decision.Events);
        Assert.False(state.Nodes.ContainsKey("n2"));
        Assert.Contains(state.Reconcile(ReplicatedOrchestrator.Reconcile, At(3)), e => e is TaskCreated { Slot: 1 });
    }

    [Fact]
    public void A_worker_that_is_up_needs_force()
    {
        var state = Given(Cluster("n1", "n2"));

        Assert.Contains("is not down and can't be removed", NodeRemoval.Decide(new RemoveNode("n2", false, At(1)), state).Error?.Message);
        Assert.Single(NodeRemoval.Decide(new RemoveNode("n2", true, At(1)), state).Events);
    }

    [Fact]
    public void A_manager_must_be_demoted_first_and_an_unknown_node_is_not_found()
    {
        var state = Given(Cluster("n1", "n2"));

        Assert.Contains("must be demoted to worker before removal", NodeRemoval.Decide(new RemoveNode("n1", true, At(1)), state).Error?.Message);
        Assert.Equal(ErrorKind.NotFound, NodeRemoval.Decide(new RemoveNode("n9", true, At(1)), state).Error?.Kind);
    }
}
