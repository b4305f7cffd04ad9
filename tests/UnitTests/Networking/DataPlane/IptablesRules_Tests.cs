using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using EventSwarm.Infrastructure.Networking;
using static EventSwarm.UnitTests.Networking.DataPlane.NetworkScenario;

namespace EventSwarm.UnitTests.Networking.DataPlane;

public sealed class IptablesRules_Tests
{
    private static readonly ServiceSpec Whoami = Spec("whoami", 3).OnNetwork("demo-id").Publishing(8000, 80);

    private static NodeNetworkPlan Plan() => NodeNetworkPlan.For(ThreeNodeSwarm().And([
        Service(Whoami),
        Vip("whoami", "demo-id", "10.0.1.2", new PortConfig(PortProtocol.Tcp, 80, 8000)),
        .. RunningWith("t1", Whoami, 1, "n1", ("demo-id", "10.0.1.3"), ("ingress-id", "10.0.0.3")),
        .. RunningWith("t2", Whoami, 2, "n1", ("demo-id", "10.0.1.4"), ("ingress-id", "10.0.0.4")),
        .. RunningWith("t3", Whoami, 3, "n2", ("demo-id", "10.0.1.5"), ("ingress-id", "10.0.0.5")),
    ]), "n1");

    [Fact]
    public void A_VIP_is_round_robin_DNAT_over_its_tasks_for_callers_on_its_network_only()
    {
        var nat = IptablesRules.Nat(Plan(), []);
        Assert.Contains("-A ES-PREROUTING -i es-demo-id -d 10.0.1.2/32 -p tcp -j ES-VIP-0A000102", nat);
        Assert.Contains("-A ES-VIP-0A000102 -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.0.1.3", nat);
        Assert.Contains("-A ES-VIP-0A000102 -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.0.1.4", nat);
        Assert.Contains("-A ES-VIP-0A000102 -j DNAT --to-destination 10.0.1.5\n", nat);
    }

    [Fact]
    public void A_published_port_answers_on_every_local_address_and_goes_to_the_tasks_ingress_addresses()
    {
        var nat = IptablesRules.Nat(Plan(), []);
        Assert.Contains("-A ES-PREROUTING -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8000 -j ES-MESH-TCP-8000", nat);
        Assert.Contains("-A ES-OUTPUT -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8000 -j ES-MESH-TCP-8000", nat);
        Assert.Contains("-A ES-MESH-TCP-8000 -p tcp -j DNAT --to-destination 10.0.0.5:80", nat);
        Assert.Contains("-A ES-POSTROUTING -d 10.0.0.0/24 -m conntrack --ctstate DNAT ! -o es-+ -j MASQUERADE", nat);
    }

    [Fact]
    public void A_connection_from_loopback_to_a_published_port_leaves_masqueraded_and_strangers_loopback_packets_are_dropped()
    {
        Assert.Contains("-A ES-POSTROUTING -s 127.0.0.0/8 -d 10.0.0.0/24 -m conntrack --ctstate DNAT -j MASQUERADE", IptablesRules.Nat(Plan(), []));
        var filter = IptablesRules.Filter(Plan());
        Assert.Contains(":ES-INPUT - [0:0]", filter);
        Assert.Contains("-A ES-INPUT ! -i lo -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP", filter);
        // Without a published port (the swarm left), the guard goes with route_localnet.
        Assert.DoesNotContain("-A ES-INPUT", IptablesRules.Filter(NodeNetworkPlan.Empty));
    }

    [Fact]
    public void Chains_of_VIPs_that_are_gone_are_emptied_and_deleted_in_the_same_transaction()
    {
        var nat = IptablesRules.Nat(Plan(), ["ES-PREROUTING", "ES-VIP-0A0001FF", "ES-MESH-TCP-9000"]);
        Assert.Contains(":ES-VIP-0A0001FF - [0:0]", nat);
        Assert.Contains("-X ES-VIP-0A0001FF", nat);
        Assert.Contains("-X ES-MESH-TCP-9000", nat);
        Assert.DoesNotContain("-X ES-PREROUTING", nat);
        Assert.EndsWith("COMMIT\n", nat);
    }

    [Fact]
    public void Only_a_network_s_own_addresses_enter_its_bridge_from_other_nodes()
    {
        var filter = IptablesRules.Filter(Plan());
        Assert.Contains("-A ES-FORWARD ! -i es-+ -o es-demo-id -s 10.0.1.0/24 -d 10.0.1.0/24 -j ACCEPT", filter);
        Assert.DoesNotContain("10.0.2.0/24", filter);
        Assert.EndsWith("-A ES-FORWARD -o es-+ -j DROP\nCOMMIT\n", filter);
    }
}
