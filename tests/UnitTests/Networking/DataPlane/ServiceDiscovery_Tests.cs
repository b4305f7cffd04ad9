using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Networking.DataPlane.NetworkScenario;

namespace EventSwarm.UnitTests.Networking.DataPlane;

public sealed class ServiceDiscovery_Tests
{
    private static readonly ServiceSpec Whoami = Spec("whoami", 2).OnNetwork("demo-id", "who");
    private static readonly ServiceSpec Client = Spec("client").OnNetwork("demo-id");
    private static readonly ServiceSpec Intruder = Spec("intruder").OnNetwork("other-id");

    private static ClusterState State(ServiceSpec whoami) => ThreeNodeSwarm().And([
        Service(whoami),
        Vip("whoami", "demo-id", "10.0.1.2"),
        .. RunningWith("t1", whoami, 1, "n1", ("demo-id", "10.0.1.3")),
        .. RunningWith("t2", whoami, 2, "n2", ("demo-id", "10.0.1.4")),
        Service(Client),
        .. RunningWith("c1", Client, 1, "n3", ("demo-id", "10.0.1.9")),
        Service(Intruder),
        .. RunningWith("i1", Intruder, 1, "n3", ("other-id", "10.0.2.9")),
    ]);

    [Fact]
    public void A_service_name_resolves_to_its_VIP_and_tasks_dot_name_to_its_running_tasks()
    {
        var state = State(Whoami);
        Assert.Equal(["10.0.1.2"], ServiceDiscovery.Resolve(state, "demo-id", "10.0.1.9", "whoami.").Addresses.ToArray());
        Assert.Equal(["10.0.1.2"], ServiceDiscovery.Resolve(state, "demo-id", "10.0.1.9", "WHO").Addresses.ToArray());
        Assert.Equal(["10.0.1.3", "10.0.1.4"], ServiceDiscovery.Resolve(state, "demo-id", "10.0.1.9", "tasks.whoami").Addresses.ToArray());

        var oneFailed = state.And(Reported("t2", "n2", TaskState.Failed));
        Assert.Equal(["10.0.1.3"], ServiceDiscovery.Resolve(oneFailed, "demo-id", "10.0.1.9", "tasks.whoami").Addresses.ToArray());
    }

    [Fact]
    public void In_dnsrr_mode_the_name_itself_resolves_to_the_task_addresses()
    {
        var state = State(Whoami with { Endpoint = new EndpointSpec(EndpointMode.Dnsrr, []) });
        Assert.Equal(["10.0.1.3", "10.0.1.4"], ServiceDiscovery.Resolve(state, "demo-id", "10.0.1.9", "whoami").Addresses.ToArray());
    }

    [Fact]
    public void A_caller_on_another_network_gets_nothing_and_the_name_goes_to_the_node_s_resolver()
    {
        var state = State(Whoami);
        Assert.Equal(DnsAnswerKind.NotOurs, ServiceDiscovery.Resolve(state, "other-id", "10.0.2.9", "whoami").Kind);
        Assert.Equal(DnsAnswerKind.NotOurs, ServiceDiscovery.Resolve(state, "other-id", "10.0.2.9", "tasks.whoami").Kind);
        Assert.Equal(DnsAnswerKind.NotOurs, ServiceDiscovery.Resolve(state, "demo-id", "10.0.1.9", "example.org").Kind);
    }
}
