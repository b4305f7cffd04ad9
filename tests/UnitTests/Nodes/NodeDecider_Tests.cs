using System.Collections.Immutable;
using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Nodes;

public sealed class NodeDecider_Tests
{
    private static UpdateNode Update(ClusterState state, string node, NodeAvailability availability = NodeAvailability.Active,
        NodeRole role = NodeRole.Manager, ImmutableDictionary<string, string>? labels = null, long? version = null) =>
        new(node, version ?? state.Nodes[node].Version, role, availability, labels ?? ImmutableDictionary<string, string>.Empty, At(1));

    [Fact]
    public void Draining_a_node_records_only_the_availability_change()
    {
        var state = Given(Cluster("n1"));

        Assert.Equal([new NodeAvailabilityChanged("n1", NodeAvailability.Drain, At(1))],
            NodeDecider.Decide(Update(state, "n1", NodeAvailability.Drain), state).Events);
    }

    [Fact]
    public void An_update_that_changes_nothing_appends_nothing()
    {
        var state = Given(Cluster("n1"));

        Assert.Empty(NodeDecider.Decide(Update(state, "n1"), state).Events);
    }

    [Fact]
    public void Labels_equal_by_value_are_no_change_and_new_labels_are_recorded()
    {
        var state = Given(Cluster("n1"));
        var labels = ImmutableDictionary<string, string>.Empty.Add("zone", "a");
        state = state.And(NodeDecider.Decide(Update(state, "n1", labels: labels), state).Events.ToArray());

        Assert.Equal("a", state.Nodes["n1"].Labels["zone"]);
        Assert.Empty(NodeDecider.Decide(Update(state, "n1", labels: ImmutableDictionary<string, string>.Empty.Add("zone", "a")), state).Events);
    }

    [Fact]
    public void A_stale_version_is_out_of_sequence()
    {
        var state = Given(Cluster("n1"));

        var decision = NodeDecider.Decide(Update(state, "n1", NodeAvailability.Pause, version: state.Nodes["n1"].Version - 1), state);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Contains("update out of sequence", decision.Error?.Message);
    }

    [Fact]
    public void The_last_manager_cannot_be_demoted()
    {
        var state = Given(Cluster("n1"));

        var decision = NodeDecider.Decide(Update(state, "n1", role: NodeRole.Worker), state);

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_worker_that_other_managers_could_not_reach_cannot_be_promoted()
    {
        var state = Given(Cluster("n1", "n2"));

        var decision = NodeDecider.Decide(Update(state, "n2", role: NodeRole.Manager), state);

        Assert.Contains("n2 cannot be promoted: other managers could not reach it", decision.Error?.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_reachable_worker_is_promoted_by_a_role_change()
    {
        var state = Given([.. Cluster("n1"), Node("n2") with { Manager = new ManagerEndpoints("10.0.0.2:2377", "10.0.0.2:4377") }]);

        var decision = NodeDecider.Decide(Update(state, "n2", role: NodeRole.Manager), state);

        Assert.Equal([new NodeRoleChanged("n2", NodeRole.Manager, At(1))], decision.Events);
    }

    [Fact]
    public void An_unknown_node_is_not_found()
    {
        var state = Given(Cluster("n1"));

        Assert.Equal(ErrorKind.NotFound, NodeDecider.Decide(new UpdateNode("n9", 1, NodeRole.Worker, NodeAvailability.Active, ImmutableDictionary<string, string>.Empty, At(1)), state).Error?.Kind);
    }

    [Fact]
    public void Draining_through_the_log_moves_replicated_tasks_off_the_node()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Spec("web", replicas: 1))).And(Running("t1", Spec("web", replicas: 1), 1, "n1"));
        state = state.And(NodeDecider.Decide(Update(state, "n1", NodeAvailability.Drain, role: state.Nodes["n1"].Role), state).Events.ToArray());

        var events = state.Reconcile(ReplicatedOrchestrator.Reconcile, At(2));

        Assert.Contains(new TaskDesiredStateChanged("t1", TaskState.Shutdown, At(2)), events);
        Assert.Contains(events, e => e is TaskCreated { Slot: 1, DesiredState: TaskState.Running });
    }
}
