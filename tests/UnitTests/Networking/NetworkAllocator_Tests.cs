using EventSwarm.Application.Networking;
using EventSwarm.Application.Scheduling;
using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Networking.NetworkGiven;

namespace EventSwarm.UnitTests.Networking;

public sealed class NetworkAllocator_Tests
{
    private static IReadOnlyList<DomainEvent> Allocate(ClusterState state, double at = 1) =>
        state.Reconcile(NetworkAllocator.Reconcile, At(at));

    /// <summary>Allocation passes until nothing more is recorded, as the leader's loop runs them.</summary>
    private static ClusterState Settled(ClusterState state)
    {
        for (var pass = 0; pass < 10; pass++)
        {
            var events = Allocate(state);
            if (events.Count == 0) return state;
            state = state.And(events);
        }
        throw new InvalidOperationException("the allocator did not settle");
    }

    private static Dictionary<string, string> AddressesOn(IEnumerable<DomainEvent> events, string network) =>
        events.OfType<TaskAddressesAllocated>().ToDictionary(e => e.TaskId, e => e.Attachments.Single(a => a.NetworkId == network).Address);

    [Fact]
    public void Each_service_on_a_network_gets_a_virtual_ip_on_it()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Overlay("frontend", "10.0.2.0/24"))
            .And(Service(Spec("web").JoiningNetworks("backend", "frontend")), Service(Spec("db").JoiningNetworks("backend")));

        var events = Allocate(state);

        var vips = events.OfType<ServiceEndpointAllocated>().ToDictionary(e => e.ServiceId, e => e.VirtualIps.ToArray());
        Assert.Equal([new VirtualIp("backend", "10.0.1.2")], vips["db"]);
        Assert.Equal([new VirtualIp("backend", "10.0.1.3"), new VirtualIp("frontend", "10.0.2.2")], vips["web"]);
    }

    [Fact]
    public void A_service_in_dnsrr_mode_gets_no_virtual_ip()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("backend")).And(Service(Spec("web").JoiningNetworks("backend").InDnsrrMode()));

        Assert.Empty(Allocate(state));
    }

    [Fact]
    public void The_virtual_ip_stays_when_the_service_scales()
    {
        var web = Spec("web", replicas: 2).JoiningNetworks("backend");
        var state = Settled(Given(SwarmWithIngress()).And(Overlay("backend"), Service(web)));
        var vip = state.Services["web"].Endpoint.VirtualIps.Single();

        state = state.And(new ServiceScaled("web", 5, At(2)));

        Assert.Empty(Allocate(state, at: 3).OfType<ServiceEndpointAllocated>());
        Assert.Equal(vip, state.Services["web"].Endpoint.VirtualIps.Single());
    }

    [Fact]
    public void Tasks_get_distinct_addresses_apart_from_the_virtual_ip()
    {
        var web = Spec("web", replicas: 3).JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web))
            .And(Created("t1", web, 1), Created("t2", web, 2), Created("t3", web, 3));

        var events = Allocate(state);

        var vip = events.OfType<ServiceEndpointAllocated>().Single().VirtualIps.Single().Address;
        var addresses = AddressesOn(events, "backend");
        Assert.Equal(["t1", "t2", "t3"], addresses.Keys.Order());
        Assert.Equal(4, addresses.Values.Append(vip).Distinct().Count());
        Assert.DoesNotContain("10.0.1.1", addresses.Values);
    }

    [Fact]
    public void A_task_with_its_addresses_already_is_left_alone()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Settled(Given(SwarmWithIngress()).And(Overlay("backend"), Service(web), Created("t1", web, 1)));

        Assert.Empty(Allocate(state, at: 2));
        Assert.Single(state.Tasks["t1"].Networks);
    }

    [Fact]
    public void A_task_is_not_scheduled_until_it_has_its_addresses()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web), Created("t1", web, 1));

        Assert.Empty(state.Reconcile(Scheduler.Reconcile, At(1)));

        state = state.And(Allocate(state));
        Assert.Equal([new TaskAssigned("t1", "n1", At(2))], state.Reconcile(Scheduler.Reconcile, At(2)).Select(e => e is TaskAssigned a ? a with { Placement = null } : e));
    }

    [Fact]
    public void A_task_that_needs_no_network_is_scheduled_without_the_allocator()
    {
        var web = Spec("web");
        var state = Given(SwarmWithIngress()).And(Service(web), Created("t1", web, 1));

        Assert.Empty(Allocate(state));
        Assert.Equal([new TaskAssigned("t1", "n1", At(1))], state.Reconcile(Scheduler.Reconcile, At(1)).Select(e => e is TaskAssigned a ? a with { Placement = null } : e));
    }

    [Fact]
    public void When_a_29_is_exhausted_the_task_left_over_is_unschedulable_and_says_why()
    {
        // 10.0.9.0/29: .1 is the gateway and .7 the broadcast, so .2–.6 are free: the VIP and four tasks.
        var web = Spec("web", replicas: 5).JoiningNetworks("small");
        var state = Given(SwarmWithIngress()).And(Overlay("small", "10.0.9.0/29"), Service(web))
            .And(Enumerable.Range(1, 5).Select(i => Created($"t{i}", web, i)));

        var events = Allocate(state);

        Assert.Equal(4, events.OfType<TaskAddressesAllocated>().Count());
        var refused = Assert.Single(events.OfType<TaskUnschedulable>());
        Assert.Equal("t5", refused.TaskId);
        Assert.Equal("allocation failed: no free address left on network small (10.0.9.0/29)", refused.Message);
    }

    [Fact]
    public void An_unschedulable_task_is_not_reported_again_while_nothing_changes()
    {
        var web = Spec("web", replicas: 5).JoiningNetworks("small");
        var state = Settled(Given(SwarmWithIngress()).And(Overlay("small", "10.0.9.0/29"), Service(web))
            .And(Enumerable.Range(1, 5).Select(i => Created($"t{i}", web, i))));

        Assert.Equal(TaskState.Pending, state.Tasks["t5"].Status.State);
        Assert.Empty(Allocate(state, at: 5));
    }

    [Fact]
    public void An_address_freed_by_an_ended_task_is_not_handed_out_again_at_once()
    {
        var web = Spec("web").InDnsrrMode().JoiningNetworks("small");
        var state = Given(SwarmWithIngress()).And(Overlay("small", "10.0.9.0/29"), Service(web))
            .And(Running("t1", web, 1, "n1")).And(AddressesOf("t1", ("small", "10.0.9.2")), Reported("t1", "n1", TaskState.Failed, 1))
            .And(Created("t2", web, 1, at: 2));

        Assert.Equal("10.0.9.3", AddressesOn(Allocate(state, at: 2), "small")["t2"]);
    }

    [Fact]
    public void An_address_freed_by_an_ended_task_is_reused_once_the_cursor_wraps_around()
    {
        var web = Spec("web", replicas: 2).InDnsrrMode().JoiningNetworks("small");
        var state = Given(SwarmWithIngress()).And(Overlay("small", "10.0.9.0/29"), Service(web))
            .And(Running("t1", web, 1, "n1")).And(AddressesOf("t1", ("small", "10.0.9.2")), Reported("t1", "n1", TaskState.Failed, 1))
            .And(Running("t2", web, 2, "n1")).And(AddressesOf("t2", ("small", "10.0.9.6")))
            .And(Created("t3", web, 1, at: 2));

        Assert.Equal("10.0.9.2", AddressesOn(Allocate(state, at: 2), "small")["t3"]);
    }

    [Fact]
    public void An_ingress_port_published_without_a_number_gets_30000_and_keeps_it()
    {
        var state = Given(SwarmWithIngress()).And(Service(Spec("web").PublishingPort(0, 80)));

        var allocated = Assert.IsType<ServiceEndpointAllocated>(Assert.Single(Allocate(state)));
        Assert.Equal([new PortConfig(PortProtocol.Tcp, 80, 30000)], allocated.Ports.ToArray());

        state = state.And(allocated).And(new ServiceScaled("web", 3, At(2)));
        Assert.Empty(Allocate(state, at: 3));
        Assert.Equal(30000, state.Services["web"].Endpoint.Ports.Single().PublishedPort);
    }

    [Fact]
    public void Naming_a_dynamic_port_keeps_its_number_and_takes_the_name()
    {
        var web = Spec("web").PublishingPort(0, 80);
        var state = Settled(Given(SwarmWithIngress()).And(Service(web)));
        var named = web with { Endpoint = web.Endpoint with { Ports = [web.Endpoint.Ports[0] with { Name = "http" }] } };

        var allocated = Assert.IsType<ServiceEndpointAllocated>(Assert.Single(Allocate(state.And(new ServiceUpdated("web", named, At(2))), at: 3)));

        Assert.Equal([new PortConfig(PortProtocol.Tcp, 80, 30000) { Name = "http" }], allocated.Ports.ToArray());
    }

    [Fact]
    public void The_next_service_asking_for_a_dynamic_port_gets_the_next_free_one()
    {
        var state = Settled(Given(SwarmWithIngress()).And(Service(Spec("web").PublishingPort(0, 80))))
            .And(Service(Spec("api").PublishingPort(0, 80)));

        var allocated = Assert.IsType<ServiceEndpointAllocated>(Assert.Single(Allocate(state, at: 2)));
        Assert.Equal("api", allocated.ServiceId);
        Assert.Equal(30001, allocated.Ports.Single().PublishedPort);
    }

    [Fact]
    public void A_port_published_with_its_number_is_kept_as_asked()
    {
        var state = Given(SwarmWithIngress()).And(Service(Spec("web").PublishingPort(8080, 80)));

        var allocated = Assert.IsType<ServiceEndpointAllocated>(Assert.Single(Allocate(state).OfType<ServiceEndpointAllocated>()));
        Assert.Equal([new PortConfig(PortProtocol.Tcp, 80, 8080)], allocated.Ports.ToArray());
    }

    [Fact]
    public void Tasks_of_a_service_with_an_ingress_port_are_attached_to_the_ingress_network()
    {
        var web = Spec("web").PublishingPort(8080, 80);
        var state = Given(SwarmWithIngress()).And(Service(web), Created("t1", web, 1));

        var task = Assert.Single(Allocate(state).OfType<TaskAddressesAllocated>());

        Assert.Equal([new NetworkAttachment(Ingress, "10.0.0.2")], task.Attachments.ToArray());
    }

    [Fact]
    public void Tasks_of_a_service_with_only_host_mode_ports_stay_off_the_ingress_network()
    {
        var web = Spec("web").PublishingPort(8080, 80, PublishMode.Host);
        var state = Given(SwarmWithIngress()).And(Service(web), Created("t1", web, 1));

        Assert.Empty(Allocate(state).OfType<TaskAddressesAllocated>());
    }

    [Fact]
    public void A_task_on_an_overlay_network_with_an_ingress_port_gets_an_address_on_both()
    {
        var web = Spec("web").JoiningNetworks("backend").PublishingPort(8080, 80);
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web), Created("t1", web, 1));

        var task = Assert.Single(Allocate(state).OfType<TaskAddressesAllocated>());

        Assert.Equal(["backend", Ingress], task.Attachments.Select(a => a.NetworkId));
    }
}
