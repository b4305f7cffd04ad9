using System.Collections.Immutable;
using System.Text.Json;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Log;
using static EventSwarm.UnitTests.Networking.NetworkGiven;

namespace EventSwarm.UnitTests.Networking;

/// <summary>Evolve for the networking facts, the ingress network of `swarm init`, and how they are written to the log.</summary>
public sealed class NetworkState_Tests
{
    private static readonly NodeDescription Engine = new("host-1", "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB);

    [Fact]
    public void Init_with_an_ingress_network_id_creates_the_ingress_network_on_10_0_0_0_24()
    {
        var decision = SwarmDecider.Decide(new InitSwarm("c1", "n1", "10.0.0.1:2377", Engine, T0, IngressNetworkId: "ing"), ClusterState.Initial);

        var created = Assert.Single(decision.Events.OfType<NetworkCreated>());
        Assert.Equal(new NetworkCreated("ing", new NetworkSpec { Name = "ingress", Ingress = true }, "10.0.0.0/24", "10.0.0.1", T0), created);
        var ingress = ClusterState.Initial.And(decision.Events).IngressNetwork;
        Assert.Equal("ing", ingress?.Id);
        Assert.Equal(Ipv4Subnet.Parse("10.0.0.0/24"), ingress!.Subnet);
    }

    [Fact]
    public void Init_without_an_ingress_network_id_creates_no_network()
    {
        var decision = SwarmDecider.Decide(new InitSwarm("c1", "n1", "10.0.0.1:2377", Engine, T0), ClusterState.Initial);

        Assert.Empty(decision.Events.OfType<NetworkCreated>());
    }

    [Fact]
    public void NetworkCreated_records_the_subnet_and_gateway_and_NetworkRemoved_forgets_the_network()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("backend", "10.0.7.0/24"));

        var backend = state.Networks["backend"];
        Assert.Equal(Ipv4Subnet.Parse("10.0.7.0/24"), backend.Subnet);
        Assert.Equal("10.0.7.1", Ipv4Subnet.Format(backend.Gateway));
        Assert.Equal(state.LastSequence, backend.Version);
        Assert.Same(backend, state.FindNetwork("backend"));

        state = state.And(new NetworkRemoved("backend", At(1)));
        Assert.False(state.Networks.ContainsKey("backend"));
        Assert.Null(state.FindNetwork("backend"));
    }

    [Fact]
    public void A_network_is_found_by_id_name_or_unique_id_prefix()
    {
        var state = Given(SwarmWithIngress()).And(Overlay("backend", id: "k3v9zq"), Overlay("frontend", "10.0.2.0/24", id: "k4aaaa"));

        Assert.Equal("k3v9zq", state.FindNetwork("k3v9zq")?.Id);
        Assert.Equal("k3v9zq", state.FindNetwork("backend")?.Id);
        Assert.Equal("k3v9zq", state.FindNetwork("k3")?.Id);
        Assert.Null(state.FindNetwork("k"));
    }

    [Fact]
    public void TaskAddressesAllocated_gives_the_task_its_attachments_and_moves_the_networks_cursor()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web), Created("t1", web, 1));

        state = state.And(AddressesOf("t1", ("backend", "10.0.1.9")));

        Assert.Equal([new NetworkAttachment("backend", "10.0.1.9")], state.Tasks["t1"].Networks.ToArray());
        Assert.Equal(Ipv4Subnet.ParseAddress("10.0.1.9"), state.Networks["backend"].LastAllocated);
    }

    [Fact]
    public void ServiceEndpointAllocated_moves_the_cursor_only_for_a_new_virtual_ip()
    {
        var web = Spec("web").JoiningNetworks("backend");
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web))
            .And(new ServiceEndpointAllocated("web", [new VirtualIp("backend", "10.0.1.2")], [], At(1)));
        Assert.Equal(Ipv4Subnet.ParseAddress("10.0.1.2"), state.Networks["backend"].LastAllocated);

        state = state.And(Created("t1", web, 1), AddressesOf("t1", ("backend", "10.0.1.3")))
            .And(new ServiceEndpointAllocated("web", [new VirtualIp("backend", "10.0.1.2")], [new PortConfig(PortProtocol.Tcp, 80, 30000)], At(2)));

        Assert.Equal(Ipv4Subnet.ParseAddress("10.0.1.3"), state.Networks["backend"].LastAllocated);
        Assert.Equal([new PortConfig(PortProtocol.Tcp, 80, 30000)], state.Services["web"].Endpoint.Ports.ToArray());
    }

    [Fact]
    public void A_network_change_to_a_service_makes_its_tasks_out_of_date_a_port_change_through_the_mesh_does_not()
    {
        var web = Spec("web").PublishingPort(8080, 80);
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web));

        var afterPortChange = state.And(new ServiceUpdated("web", Spec("web").PublishingPort(9090, 80), At(1)));
        var afterNetworkChange = state.And(new ServiceUpdated("web", web.JoiningNetworks("backend"), At(1)));

        Assert.Equal(1, afterPortChange.Services["web"].SpecVersion);
        Assert.Equal(2, afterNetworkChange.Services["web"].SpecVersion);
    }

    [Fact]
    public void The_log_writes_and_reads_back_the_networking_events()
    {
        DomainEvent[] events =
        [
            Overlay("backend", "10.0.7.0/24") with { Spec = new NetworkSpec { Name = "backend", Attachable = true, Labels = ImmutableDictionary<string, string>.Empty.Add("team", "a") } },
            new ServiceEndpointAllocated("web", [new VirtualIp("backend", "10.0.7.2")], [new PortConfig(PortProtocol.Udp, 53, 30000, PublishMode.Ingress)], At(1)),
            AddressesOf("t1", ("backend", "10.0.7.3"), (Ingress, "10.0.0.4")),
            new NetworkRemoved("backend", At(2)),
        ];
        var batch = new EventBatch("b1", new EventMetadata(T0, "test", "Test", "c1"), events);

        var json = EventJson.Serialize(batch);
        var read = EventJson.DeserializeBatch(json);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(json), System.Text.Encoding.UTF8.GetString(EventJson.Serialize(read)));
        Assert.Equal(events[0], read.Events[0]);
        Assert.Equal([new PortConfig(PortProtocol.Udp, 53, 30000)], ((ServiceEndpointAllocated)read.Events[1]).Ports.ToArray());
        Assert.Equal([new NetworkAttachment("backend", "10.0.7.3"), new NetworkAttachment(Ingress, "10.0.0.4")],
            ((TaskAddressesAllocated)read.Events[2]).Attachments.ToArray());
    }

    [Fact]
    public void A_service_created_on_a_network_is_read_back_from_the_log()
    {
        var web = Spec("web") with { TaskTemplate = Spec("web").TaskTemplate with { Networks = [new ServiceNetwork("backend", ["api"])] } };
        var batch = new EventBatch("b1", new EventMetadata(T0, "test", "Test", "c1"), [Service(web)]);

        var read = EventJson.DeserializeBatch(EventJson.Serialize(batch));

        Assert.Equal(Service(web), read.Events.Single());
    }

    [Fact]
    public void A_snapshot_of_a_state_with_networks_reads_back_the_same()
    {
        var web = Spec("web", replicas: 2).PublishingPort(0, 80);
        var state = Given(SwarmWithIngress()).And(Overlay("backend"), Service(web), Created("t1", web, 1))
            .And(new ServiceEndpointAllocated("web", [new VirtualIp("backend", "10.0.1.2")], [new PortConfig(PortProtocol.Tcp, 80, 30000)], At(1)))
            .And(AddressesOf("t1", ("backend", "10.0.1.3"), (Ingress, "10.0.0.2")));

        var json = JsonSerializer.Serialize(state, EventJson.Options);
        var read = JsonSerializer.Deserialize<ClusterState>(json, EventJson.Options)!;

        Assert.Equal(json, JsonSerializer.Serialize(read, EventJson.Options));
        Assert.Equal(state.Networks["backend"].Subnet, read.Networks["backend"].Subnet);
        Assert.Equal(state.Networks["backend"].LastAllocated, read.Networks["backend"].LastAllocated);
        Assert.Equal(state.Services["web"].Spec, read.Services["web"].Spec);
        Assert.Equal(state.Services["web"].Endpoint, read.Services["web"].Endpoint);
        Assert.Equal(state.Tasks["t1"].Networks.ToArray(), read.Tasks["t1"].Networks.ToArray());
        Assert.Equal("10.0.1.0/24", JsonDocument.Parse(json).RootElement.GetProperty("networks").GetProperty("backend").GetProperty("subnet").GetString());
    }
}

/// <summary>What a state's JSON (a snapshot, a history checkpoint, a worker's copy) holds.</summary>
public sealed class ClusterState_json_Tests
{
    [Fact]
    public void A_serialized_state_holds_its_objects_once_and_none_of_its_computed_views()
    {
        var spec = Spec("web", replicas: 1).JoiningNetworks(NetworkGiven.Ingress);
        var state = Given(NetworkGiven.SwarmWithIngress("n1")).And(Service(spec)).And(Running("t1", spec, 1, "n1"))
            .And(NetworkGiven.AddressesOf("t1", (NetworkGiven.Ingress, "10.0.0.2")));
        Assert.Single(state.TasksWithAddresses);

        var json = System.Text.Json.JsonSerializer.Serialize(state, EventSwarm.Infrastructure.Log.EventJson.Options);
        var properties = System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.DoesNotContain("TasksWithAddresses", properties);
        Assert.DoesNotContain("NetworksWithTasks", properties);
        Assert.DoesNotContain("IngressNetwork", properties);
        Assert.DoesNotContain("TaskIndex", properties);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "\"10\\.0\\.0\\.2\""));
    }
}
