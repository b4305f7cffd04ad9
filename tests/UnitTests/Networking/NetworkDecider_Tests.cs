using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Swarm;
using static EventSwarm.UnitTests.Networking.NetworkGiven;

namespace EventSwarm.UnitTests.Networking;

public sealed class NetworkDecider_Tests
{
    private static readonly NetworkSpec Backend = new() { Name = "backend" };

    private static Decision Create(ClusterState state, NetworkSpec spec, string id = "net1") =>
        NetworkDecider.Decide(new CreateNetwork(id, spec, At(1)), state);

    private static Decision Remove(ClusterState state, string network) =>
        NetworkDecider.Decide(new RemoveNetwork(network, At(2)), state);

    [Fact]
    public void Without_a_subnet_a_network_takes_the_next_free_24_after_the_ingress_network()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend);

        Assert.Equal([new NetworkCreated("net1", Backend, "10.0.1.0/24", "10.0.1.1", At(1))], decision.Events);
    }

    [Fact]
    public void The_default_pool_skips_subnets_already_taken_explicitly()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("taken", "10.0.1.0/24"), Overlay("also-taken", "10.0.2.0/23"));

        var created = Assert.IsType<NetworkCreated>(Assert.Single(Create(state, Backend).Events));

        Assert.Equal("10.0.4.0/24", created.Subnet);
    }

    [Fact]
    public void An_explicit_subnet_is_recorded_with_its_first_host_as_gateway()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = "10.9.8.0/24" });

        Assert.Equal([new NetworkCreated("net1", Backend with { Subnet = "10.9.8.0/24" }, "10.9.8.0/24", "10.9.8.1", At(1))], decision.Events);
    }

    [Fact]
    public void An_explicit_subnet_overlapping_another_network_is_a_conflict()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = "10.0.0.0/16" });

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Equal("subnet 10.0.0.0/16 overlaps with network ingress (10.0.0.0/24)", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_subnet_with_host_bits_set_is_refused_with_the_subnet_meant()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = "10.0.5.7/24" });

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Contains("did you mean 10.0.5.0/24", decision.Error!.Message);
    }

    [Fact]
    public void A_name_in_use_is_a_conflict()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("backend"));

        var decision = Create(state, Backend);

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Equal("network with name backend already exists", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData("bridge")]
    [InlineData("host")]
    [InlineData("none")]
    public void A_predefined_network_name_is_refused(string name)
    {
        var decision = Create(Given(SwarmWithIngress()), new NetworkSpec { Name = name });

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Equal($"network with name {name} already exists", decision.Error!.Message);
    }

    [Theory]
    [InlineData("10.0.9.0")]
    [InlineData("10.0.9.255")]
    public void A_gateway_that_is_not_a_host_address_of_the_subnet_is_refused(string gateway)
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = "10.0.9.0/24", Gateway = gateway });

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal($"invalid gateway {gateway}: must be a host address inside 10.0.9.0/24", decision.Error!.Message);
    }

    [Fact]
    public void A_gateway_outside_the_subnet_is_refused_in_Swarms_words()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = "10.0.9.0/24", Gateway = "10.0.7.1" });

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal("ipam configuration: subnet 10.0.9.0/24 does not contain gateway 10.0.7.1", decision.Error!.Message);
    }

    [Theory]
    [InlineData("10.0.9.0")]
    [InlineData("bogus")]
    public void A_subnet_not_in_CIDR_notation_is_an_unclassified_error_as_in_the_engine(string subnet)
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = subnet });

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Equal($"Invalid subnet {subnet} : invalid CIDR address: {subnet}", decision.Error!.Message);
    }

    [Theory]
    [InlineData("10.0.9.0/30", "at least 8 addresses")]
    [InlineData("fd00::/64", "expected an IPv4 CIDR")]
    public void A_subnet_EventSwarm_cannot_use_is_refused(string subnet, string expected)
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Subnet = subnet });

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Contains(expected, decision.Error!.Message);
    }

    [Fact]
    public void A_network_without_a_name_is_an_unclassified_error_as_in_the_engine()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Name = "" });

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Equal("invalid name: ", decision.Error!.Message);
    }

    [Theory]
    [InlineData("bad name!")]
    [InlineData("my.net")]
    public void A_name_that_is_not_a_DNS_label_is_refused_in_Swarms_words(string name)
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Name = name });

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.StartsWith("name must be valid as a DNS name component", decision.Error!.Message);
    }

    [Fact]
    public void A_driver_other_than_overlay_is_refused()
    {
        var decision = Create(Given(SwarmWithIngress()), Backend with { Driver = "bridge" });

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Contains("only 'overlay' networks span", decision.Error!.Message);
    }

    [Fact]
    public void A_second_ingress_network_is_a_conflict()
    {
        var decision = Create(Given(SwarmWithIngress()), new NetworkSpec { Name = "mesh", Ingress = true });

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Equal("ingress network (ingress) is already present", decision.Error!.Message);
    }

    [Fact]
    public void Create_before_the_swarm_is_initialised_is_refused_unclassified_as_the_engine_does()
    {
        var decision = Create(ClusterState.Initial, Backend);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Equal(SwarmDecider.NotInSwarm, decision.Error!.Message);
    }

    [Fact]
    public void Remove_of_an_unused_network_records_NetworkRemoved_and_finds_it_by_name()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("backend"));

        Assert.Equal([new NetworkRemoved("backend", At(2))], Remove(state, "backend").Events);
    }

    [Fact]
    public void Network_in_use_by_a_service_cannot_be_removed()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web));

        var decision = Remove(state, "backend");

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal("network backend is in use by service web (web)", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void The_ingress_network_cannot_be_removed_while_a_service_publishes_a_port_through_it()
    {
        var state = Given(SwarmWithIngress()).And(Service(Spec("web").PublishingPort(8080, 80)));

        var decision = Remove(state, Ingress);

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Contains("in use by service web", decision.Error!.Message);
    }

    [Fact]
    public void Network_whose_tasks_are_still_shutting_down_after_their_service_was_removed_can_be_removed()
    {
        // `docker stack rm`: the services go, then at once the networks, while the containers are still stopping.
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web))
            .And(Running("t1", web, 1, "n1")).And(AddressesOf("t1", ("backend", "10.0.1.3")))
            .And(new ServiceRemoved("web", At(1)), Desired("t1", TaskState.Shutdown, 1));

        Assert.Equal([new NetworkRemoved("backend", At(2))], Remove(state, "backend").Events);
    }

    [Fact]
    public void Network_of_a_removed_service_can_be_removed_before_the_orchestrator_has_stopped_its_tasks()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web))
            .And(Running("t1", web, 1, "n1")).And(AddressesOf("t1", ("backend", "10.0.1.3")))
            .And(new ServiceRemoved("web", At(1)));

        Assert.Equal([new NetworkRemoved("backend", At(2))], Remove(state, "backend").Events);
    }

    [Fact]
    public void Network_with_a_task_still_meant_to_run_on_it_cannot_be_removed()
    {
        // The service no longer joins the network (updated), but its old task runs on it until replaced.
        var before = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(Spec("web")))
            .And(Running("t1", before, 1, "n1")).And(AddressesOf("t1", ("backend", "10.0.1.3")));

        var decision = Remove(state, "backend");

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal("network backend is in use by task t1 (web.1)", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Network_whose_last_task_has_ended_can_be_removed()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web))
            .And(Running("t1", web, 1, "n1")).And(AddressesOf("t1", ("backend", "10.0.1.3")))
            .And(new ServiceRemoved("web", At(1)), Reported("t1", "n1", TaskState.Shutdown, 1));

        Assert.Equal([new NetworkRemoved("backend", At(2))], Remove(state, "backend").Events);
    }

    [Fact]
    public void The_subnet_of_a_removed_network_is_not_handed_out_again_while_a_stopping_task_still_holds_an_address_in_it()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var removed = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web))
            .And(Running("t1", web, 1, "n1")).And(AddressesOf("t1", ("backend", "10.0.1.3")))
            .And(new ServiceRemoved("web", At(1)), Desired("t1", TaskState.Remove, 1), new NetworkRemoved("backend", At(1)));

        var created = Assert.IsType<NetworkCreated>(Assert.Single(Create(removed, Backend, "net2").Events));
        Assert.Equal("10.0.2.0/24", created.Subnet);

        var ended = removed.And(Reported("t1", "n1", TaskState.Shutdown, 2));
        Assert.Equal("10.0.1.0/24", Assert.IsType<NetworkCreated>(Assert.Single(Create(ended, Backend, "net2").Events)).Subnet);
    }

    [Fact]
    public void Remove_of_an_unknown_network_is_not_found()
    {
        var decision = Remove(Given(SwarmWithIngress()), "nope");

        Assert.Equal(ErrorKind.NotFound, decision.Error?.Kind);
        Assert.Equal("network nope not found", decision.Error!.Message);
    }
}
