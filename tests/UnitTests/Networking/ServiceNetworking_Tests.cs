using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Networking.NetworkGiven;

namespace EventSwarm.UnitTests.Networking;

/// <summary>What ServiceDecider checks of a service's networks and published ports against the rest of the swarm.</summary>
public sealed class ServiceNetworking_Tests
{
    private static readonly ClusterState Swarm = Given(SwarmWithIngress()).And(Overlay("backend", id: "backend-id"));

    private static Decision Create(ClusterState state, ServiceSpec spec, string id = "svc") =>
        ServiceDecider.Decide(new CreateService(id, spec, At(1)), state);

    [Fact]
    public void A_service_on_an_unknown_network_is_refused_as_the_engine_does_unclassified()
    {
        var decision = Create(Swarm, Spec("web").JoiningNetworks("x"));

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Equal("network x not found", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_network_named_by_the_user_is_recorded_by_its_id()
    {
        var decision = Create(Swarm, Spec("web").JoiningNetworks("backend"));

        var created = Assert.IsType<ServiceCreated>(Assert.Single(decision.Events));
        Assert.Equal([new ServiceNetwork("backend-id", [])], created.Spec.TaskTemplate.Networks.ToArray());
    }

    [Fact]
    public void A_network_named_by_an_id_prefix_is_recorded_by_its_whole_id()
    {
        var created = Assert.IsType<ServiceCreated>(Assert.Single(Create(Swarm, Spec("web").JoiningNetworks("backend-")).Events));

        Assert.Equal("backend-id", created.Spec.TaskTemplate.Networks.Single().Target);
    }

    [Fact]
    public void A_service_cannot_be_attached_to_the_ingress_network_explicitly()
    {
        var decision = Create(Swarm, Spec("web").JoiningNetworks("ingress"));

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal("Service cannot be explicitly attached to the ingress network \"ingress\"", decision.Error!.Message);
    }

    [Fact]
    public void The_same_network_twice_by_name_and_id_is_refused()
    {
        var decision = Create(Swarm, Spec("web").JoiningNetworks("backend", "backend-id"));

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Contains("more than once", decision.Error!.Message);
    }

    [Fact]
    public void An_ingress_port_published_by_another_service_is_refused_with_swarms_message()
    {
        var state = Swarm.And(Service(Spec("web").PublishingPort(8080, 80)));

        var decision = Create(state, Spec("api").PublishingPort(8080, 5000));

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Equal("port '8080' is already in use by service 'web' (web) as an ingress port", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_port_the_allocator_gave_another_service_is_refused_too()
    {
        var web = Spec("web").PublishingPort(0, 80);
        var state = Swarm.And(Service(web), new ServiceEndpointAllocated("web", [], [new PortConfig(PortProtocol.Tcp, 80, 30000)], At(1)));

        var decision = Create(state, Spec("api").PublishingPort(30000, 80));

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Contains("port '30000' is already in use by service 'web'", decision.Error!.Message);
    }

    [Fact]
    public void The_same_port_number_over_another_protocol_is_free()
    {
        var state = Swarm.And(Service(Spec("web").PublishingPort(53, 53)));

        Assert.True(Create(state, Spec("dns").PublishingPort(53, 53, protocol: PortProtocol.Udp)).Succeeded);
    }

    [Fact]
    public void Host_mode_ports_are_not_checked_cluster_wide()
    {
        var state = Swarm.And(Service(Spec("web").PublishingPort(8080, 80, PublishMode.Host)));

        Assert.True(Create(state, Spec("api").PublishingPort(8080, 80, PublishMode.Host)).Succeeded);
    }

    [Fact]
    public void The_same_published_port_twice_in_one_spec_is_refused()
    {
        var decision = Create(Swarm, Spec("web").PublishingPort(8080, 80).PublishingPort(8080, 81));

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal("EndpointSpec: duplicate published ports provided: 8080/tcp", decision.Error!.Message);
    }

    [Fact]
    public void Dnsrr_mode_with_an_ingress_port_is_refused()
    {
        var decision = Create(Swarm, Spec("web").InDnsrrMode().PublishingPort(8080, 80));

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Equal("EndpointSpec: port published with ingress mode can't be used with dnsrr mode", decision.Error!.Message);
    }

    [Fact]
    public void Dnsrr_mode_with_a_host_mode_port_is_allowed()
    {
        Assert.True(Create(Swarm, Spec("web").InDnsrrMode().PublishingPort(8080, 80, PublishMode.Host)).Succeeded);
    }

    [Fact]
    public void Published_ports_need_an_ingress_network()
    {
        var decision = Create(Given(Cluster("n1")), Spec("web").PublishingPort(8080, 80));

        Assert.Equal(ErrorKind.Unavailable, decision.Error?.Kind);
        Assert.Contains("no ingress network", decision.Error!.Message);
    }

    [Fact]
    public void An_update_that_keeps_the_services_own_port_is_allowed()
    {
        var web = Spec("web").PublishingPort(8080, 80);
        var state = Swarm.And(Service(web));
        var version = state.Services["web"].Version;

        var decision = ServiceDecider.Decide(new UpdateService("web", version, web.WithImage("nginx:2"), At(2)), state);

        var updated = Assert.IsType<ServiceUpdated>(Assert.Single(decision.Events));
        Assert.Equal(web.Endpoint, updated.Spec.Endpoint);
    }

    [Fact]
    public void An_update_that_names_its_network_as_before_keeps_the_spec_its_tasks_were_made_from()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Swarm.And(Assert.IsType<ServiceCreated>(Assert.Single(Create(Swarm, web, "web").Events)));

        var decision = ServiceDecider.Decide(new UpdateService("web", state.Services["web"].Version, web, At(2)), state);

        // The name resolves to the ID already recorded: the spec is the same, so no task is replaced.
        Assert.True(decision.Succeeded);
        var updated = Assert.IsType<ServiceUpdated>(Assert.Single(decision.Events));
        Assert.Equal(state.Services["web"].Spec, updated.Spec);
        Assert.Equal(state.Services["web"].SpecVersion, state.And(updated).Services["web"].SpecVersion);
    }
}
