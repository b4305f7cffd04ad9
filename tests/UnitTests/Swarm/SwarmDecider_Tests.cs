using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.Swarm;

public sealed class SwarmDecider_Tests
{
    private static readonly NodeDescription Engine = new("host-1", "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB);

    [Fact]
    public void Init_records_the_swarm_and_its_first_node_as_a_manager()
    {
        var decision = SwarmDecider.Decide(new InitSwarm("c1", "n1", "10.0.0.1:2377", Engine, T0), ClusterState.Initial);

        Assert.Equal([
                new SwarmInitialized("c1", "n1", "10.0.0.1:2377", T0) { Spec = SwarmSpec.Default, AddressPool = AddressPool.Default, DataPathPort = 4789 },
                new NodeJoined("n1", NodeRole.Manager, "10.0.0.1:2377", Engine, T0)],
            decision.Events);
        var state = ClusterState.Initial.And(decision.Events);
        Assert.Equal("c1", state.Swarm?.ClusterId);
        Assert.Equal(NodeStatus.Ready, state.Nodes["n1"].Status);
        Assert.Equal(NodeAvailability.Active, state.Nodes["n1"].Availability);
    }

    [Fact]
    public void Init_twice_is_refused_unavailable_as_in_Swarm()
    {
        var decision = SwarmDecider.Decide(new InitSwarm("c2", "n1", "10.0.0.1:2377", Engine, At(1)), Given(Cluster("n1")));

        Assert.Equal(ErrorKind.Unavailable, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Register_before_init_is_unavailable()
    {
        var decision = SwarmDecider.Decide(new RegisterNode("n1", NodeRole.Worker, "a", Engine, T0), ClusterState.Initial);

        Assert.Equal(ErrorKind.Unavailable, decision.Error?.Kind);
    }

    [Fact]
    public void Register_of_a_new_node_records_that_it_joined()
    {
        var decision = SwarmDecider.Decide(new RegisterNode("n2", NodeRole.Worker, "n2:2377", Engine, At(1)), Given(Cluster("n1")));

        Assert.Equal([new NodeJoined("n2", NodeRole.Worker, "n2:2377", Engine, At(1))], decision.Events);
    }

    [Fact]
    public void Register_of_a_known_ready_node_with_the_same_engine_records_nothing()
    {
        var state = Given(SwarmInit(), new NodeJoined("n1", NodeRole.Manager, "n1:2377", Engine, T0));

        Assert.Empty(SwarmDecider.Decide(new RegisterNode("n1", NodeRole.Manager, "n1:2377", Engine, At(1)), state).Events);
    }

    [Fact]
    public void Register_of_a_node_that_was_down_with_a_new_engine_records_both_changes()
    {
        var upgraded = Engine with { EngineVersion = "28.0.0" };
        var state = Given(SwarmInit(), new NodeJoined("n1", NodeRole.Manager, "n1:2377", Engine, T0)).And(NodeDown("n1", 1));

        var decision = SwarmDecider.Decide(new RegisterNode("n1", NodeRole.Manager, "n1:2377", upgraded, At(2)), state);

        Assert.Equal([new NodeDescribed("n1", upgraded, At(2)), new NodeStatusChanged("n1", NodeStatus.Ready, "", At(2))], decision.Events);
    }

    [Fact]
    public void A_manager_forcing_a_new_cluster_records_the_managers_it_drops()
    {
        var state = Given(SwarmInit(), Node("n1", NodeRole.Manager), Node("n2", NodeRole.Manager), Node("n3", NodeRole.Manager), Node("n4"));

        var decision = SwarmDecider.Decide(new ForceNewCluster("n1", At(5)), state);

        var forced = Assert.IsType<ClusterForcedNew>(Assert.Single(decision.Events));
        Assert.Equal(["n2", "n3"], forced.DroppedManagers);
        Assert.Equal(state.Nodes, state.And(decision.Events).Nodes);
    }

    [Fact]
    public void A_worker_cannot_force_a_new_cluster()
    {
        var decision = SwarmDecider.Decide(new ForceNewCluster("n2", At(5)), Given(Cluster("n1", "n2")));

        Assert.False(decision.Succeeded);
        Assert.Contains("not a swarm manager", decision.Error!.Message);
    }
}
