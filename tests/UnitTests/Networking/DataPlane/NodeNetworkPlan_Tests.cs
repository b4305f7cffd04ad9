using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Networking.DataPlane.NetworkScenario;

namespace EventSwarm.UnitTests.Networking.DataPlane;

public sealed class NodeNetworkPlan_Tests
{
    private static readonly ServiceSpec Whoami = Spec("whoami", 2).OnNetwork("demo-id").Publishing(8000, 8000);

    private static ClusterState TwoWhoamiTasks() => ThreeNodeSwarm().And([
        Service(Whoami),
        Vip("whoami", "demo-id", "10.0.1.2", new PortConfig(PortProtocol.Tcp, 8000, 8000)),
        .. RunningWith("t1", Whoami, 1, "n1", ("demo-id", "10.0.1.3"), ("ingress-id", "10.0.0.3")),
        .. RunningWith("t2", Whoami, 2, "n2", ("demo-id", "10.0.1.4"), ("ingress-id", "10.0.0.4")),
    ]);

    [Fact]
    public void A_network_is_on_a_node_only_while_a_task_attached_to_it_is_there()
    {
        var state = TwoWhoamiTasks();
        Assert.Equal(["demo", "ingress"], NodeNetworkPlan.For(state, "n1").Networks.Select(n => n.Name).Order());
        Assert.Empty(NodeNetworkPlan.For(state, "n3").Networks);

        var ended = state.And(Reported("t1", "n1", TaskState.Failed));
        Assert.Empty(NodeNetworkPlan.For(ended, "n1").Networks);
    }

    [Fact]
    public void Every_node_routes_the_addresses_of_tasks_on_other_nodes_to_their_node()
    {
        var plan = NodeNetworkPlan.For(TwoWhoamiTasks(), "n3");
        Assert.Equal(
            [new RemoteAddress("10.0.0.3", "n1"), new RemoteAddress("10.0.0.4", "n2"), new RemoteAddress("10.0.1.3", "n1"), new RemoteAddress("10.0.1.4", "n2")],
            plan.Routes.ToArray());
        Assert.DoesNotContain(NodeNetworkPlan.For(TwoWhoamiTasks(), "n1").Routes, r => r.NodeAddress == "n1");
    }

    [Fact]
    public void The_routing_mesh_is_on_every_node_and_balances_over_all_running_tasks()
    {
        var mesh = Assert.Single(NodeNetworkPlan.For(TwoWhoamiTasks(), "n3").Mesh);
        Assert.Equal(new MeshPort(PortProtocol.Tcp, 8000, 8000, ["10.0.0.3", "10.0.0.4"]), mesh, MeshEquality);
    }

    [Fact]
    public void A_task_told_to_stop_leaves_the_VIP_rotation_before_its_container_stops()
    {
        var state = TwoWhoamiTasks().And(Desired("t2", TaskState.Shutdown));
        var vip = Assert.Single(NodeNetworkPlan.For(state, "n1").Vips);
        Assert.Equal(["10.0.1.3"], vip.Backends.ToArray());
        Assert.Equal(["10.0.0.3"], Assert.Single(NodeNetworkPlan.For(state, "n1").Mesh).Backends.ToArray());
        // its container still holds the address: the network stays on n2 until it ends
        Assert.Contains(NodeNetworkPlan.For(state, "n2").Networks, n => n.Name == "demo");
    }

    [Fact]
    public void A_network_removed_while_its_tasks_stop_leaves_the_plan_at_once_and_their_addresses_stay_routed_until_they_end()
    {
        // `docker stack rm`: service removed, then its network, while its containers are still stopping.
        var state = TwoWhoamiTasks().And(
            new ServiceRemoved("whoami", T0), Desired("t1", TaskState.Remove), Desired("t2", TaskState.Remove), new NetworkRemoved("demo-id", T0));

        var n1 = NodeNetworkPlan.For(state, "n1");
        // The engine's bridge goes once its last container is gone (NetworkService retries the removal until then).
        Assert.Equal(["ingress"], n1.Networks.Select(n => n.Name));
        Assert.Empty(n1.Vips);
        Assert.Empty(n1.Mesh);
        Assert.Contains(NodeNetworkPlan.For(state, "n3").Routes, r => r.Address == "10.0.1.3");

        var ended = state.And(Reported("t1", "n1", TaskState.Shutdown), Reported("t2", "n2", TaskState.Shutdown));
        Assert.Empty(NodeNetworkPlan.For(ended, "n1").Networks);
        Assert.Empty(NodeNetworkPlan.For(ended, "n3").Routes);
    }

    [Fact]
    public void Plans_of_the_same_state_are_equal_and_a_new_backend_makes_them_differ()
    {
        var state = TwoWhoamiTasks();
        Assert.Equal(NodeNetworkPlan.For(state, "n1"), NodeNetworkPlan.For(state, "n1"));
        var scaled = state.And(RunningWith("t3", Whoami, 3, "n3", ("demo-id", "10.0.1.5"), ("ingress-id", "10.0.0.5")));
        Assert.NotEqual(NodeNetworkPlan.For(state, "n1"), NodeNetworkPlan.For(scaled, "n1"));
    }

    private static readonly IEqualityComparer<MeshPort> MeshEquality =
        EqualityComparer<MeshPort>.Create((a, b) => a!.PublishedPort == b!.PublishedPort && a.TargetPort == b.TargetPort && a.Backends.SequenceEqual(b.Backends));
}
