extern alias node;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using node::EventSwarm.Node.Api.Events;

namespace EventSwarm.UnitTests.History.Events;

/// <summary>The log's events read as dockerd reports swarm changes (daemon/events.go): type, action, actor, attributes.</summary>
public class Swarm_event_translation_Tests
{
    private static IReadOnlyList<EngineEventMessage> Translate(ClusterState before, DomainEvent e, double at = 5)
    {
        var recorded = new RecordedEvent(before.LastSequence + 1, new EventMetadata(At(at), "alice", "Test", "c1"), e);
        return SwarmEventTranslator.Translate(before, recorded, before.Apply(recorded));
    }

    private static EngineEventMessage Single(ClusterState before, DomainEvent e) => Assert.Single(Translate(before, e));

    private static Dictionary<string, string> Attributes(EngineEventMessage m) => new(m.Actor.Attributes);

    [Fact]
    public void Service_create_is_a_swarm_scoped_create_named_for_the_service_at_the_batch_time()
    {
        var message = Single(Given(Cluster("n1")), Service(Spec("web")));
        Assert.Equal(("service", "create", "web", "swarm"), (message.Type, message.Action, message.Actor.Id, message.Scope));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "web" }, Attributes(message));
        Assert.Equal(At(5).ToUnixTimeSeconds(), message.Time);
        Assert.Equal(At(5).ToUnixTimeMilliseconds() * 1_000_000, message.TimeNano);
    }

    [Fact]
    public void Scale_is_an_update_with_the_old_and_new_replica_counts()
    {
        var message = Single(Given(Cluster("n1")).And(Service(Spec("web", replicas: 1))), new ServiceScaled("web", 3, At(1)));
        Assert.Equal("update", message.Action);
        Assert.Equal(new Dictionary<string, string> { ["name"] = "web", ["replicas.old"] = "1", ["replicas.new"] = "3" }, Attributes(message));
    }

    [Fact]
    public void Image_update_names_the_old_and_new_image_and_nothing_unchanged()
    {
        var message = Single(Given(Cluster("n1")).And(Service(Spec("web", image: "nginx:1"))), new ServiceUpdated("web", Spec("web", image: "nginx:2"), At(1)));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "web", ["image.old"] = "nginx:1", ["image.new"] = "nginx:2" }, Attributes(message));
    }

    [Fact]
    public void Update_state_reads_new_when_the_service_had_none_then_old_and_new()
    {
        var state = Given(Cluster("n1")).And(Service(Spec("web")));
        var started = Single(state, new ServiceUpdateStarted("web", At(1)));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "web", ["updatestate.new"] = "updating" }, Attributes(started));
        var completed = Single(state.And(new ServiceUpdateStarted("web", At(1))), new ServiceUpdateCompleted("web", At(2)));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "web", ["updatestate.old"] = "updating", ["updatestate.new"] = "completed" }, Attributes(completed));
    }

    [Fact]
    public void Rollback_names_the_image_returning_and_the_rollback_state()
    {
        var state = Given(Cluster("n1")).And(Service(Spec("web", image: "nginx:1")), new ServiceUpdated("web", Spec("web", image: "nginx:2"), At(1)));
        var message = Single(state, new ServiceRolledBack("web", "manually requested rollback", false, At(2)));
        Assert.Equal(new Dictionary<string, string>
        {
            ["name"] = "web",
            ["image.old"] = "nginx:2",
            ["image.new"] = "nginx:1",
            ["updatestate.new"] = "rollback_started",
        }, Attributes(message));
    }

    [Fact]
    public void Service_remove_is_named_from_the_service_as_it_was()
    {
        var message = Single(Given(Cluster("n1")).And(Service(Spec("web"))), new ServiceRemoved("web", At(1)));
        Assert.Equal(("service", "remove", "web"), (message.Type, message.Action, Attributes(message)["name"]));
    }

    [Fact]
    public void A_global_service_has_no_replica_attributes()
    {
        var message = Single(Given(Cluster("n1")).And(Service(GlobalSpec("agent"))), new ServiceUpdated("agent", GlobalSpec("agent").WithImage("busybox:2"), At(1)));
        Assert.DoesNotContain(Attributes(message).Keys, k => k.StartsWith("replicas", StringComparison.Ordinal));
    }

    [Fact]
    public void Endpoint_allocation_is_an_update_only_when_the_endpoint_changes()
    {
        var state = Given(Cluster("n1")).And(Service(Spec("web")));
        var vip = new VirtualIp("ingress", "10.0.0.2/24");
        var allocated = new ServiceEndpointAllocated("web", [vip], [], At(1));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "web" }, Attributes(Single(state, allocated)));
        Assert.Empty(Translate(state.And(allocated), allocated with { At = At(2) }));
    }

    [Fact]
    public void Node_join_is_a_node_create_named_for_its_host()
    {
        var message = Single(Given(SwarmInit()), Node("n1", NodeRole.Manager));
        Assert.Equal(("node", "create", "n1"), (message.Type, message.Action, message.Actor.Id));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "n1" }, Attributes(message));
    }

    [Fact]
    public void Node_changes_name_availability_role_and_state_as_old_and_new()
    {
        var state = Given(Cluster("n1", "n2"));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "n2", ["availability.old"] = "active", ["availability.new"] = "drain" },
            Attributes(Single(state, new NodeAvailabilityChanged("n2", NodeAvailability.Drain, At(1)))));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "n2", ["role.old"] = "worker", ["role.new"] = "manager" },
            Attributes(Single(state, new NodeRoleChanged("n2", NodeRole.Manager, At(1)))));
        var ready = state.And(new NodeStatusChanged("n2", NodeStatus.Ready, "", At(1)));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "n2", ["state.old"] = "ready", ["state.new"] = "down" },
            Attributes(Single(ready, NodeDown("n2", 2))));
        Assert.Equal(("node", "remove"), Single(state, new NodeRemoved("n2", At(3))) is var removed ? (removed.Type, removed.Action) : default);
    }

    [Fact]
    public void Networks_secrets_and_configs_are_created_updated_and_removed_by_name()
    {
        var state = Given(Cluster("n1"));
        var network = Single(state, new NetworkCreated("net1", new NetworkSpec { Name = "backend" }, "10.0.9.0/24", "10.0.9.1", At(1)));
        Assert.Equal(("network", "create", "net1", "backend"), (network.Type, network.Action, network.Actor.Id, network.Actor.Attributes["name"]));
        var withNetwork = state.And(new NetworkCreated("net1", new NetworkSpec { Name = "backend" }, "10.0.9.0/24", "10.0.9.1", At(1)));
        Assert.Equal(("network", "remove", "backend"), Single(withNetwork, new NetworkRemoved("net1", At(2))) is var n ? (n.Type, n.Action, n.Actor.Attributes["name"]) : default);

        var secret = new SecretCreated("s1", new SecretSpec { Name = "pw" }, "sealed", At(1));
        Assert.Equal(("secret", "create", "pw"), Single(state, secret) is var s ? (s.Type, s.Action, s.Actor.Attributes["name"]) : default);
        Assert.Equal(("secret", "update"), Single(state.And(secret), new SecretRotated("s1", 2, "sealed2", At(2))) is var r ? (r.Type, r.Action) : default);
        Assert.Equal(("secret", "remove", "pw"), Single(state.And(secret), new SecretRemoved("s1", At(3))) is var x ? (x.Type, x.Action, x.Actor.Attributes["name"]) : default);

        var config = new ConfigCreated("c1", new ConfigSpec { Name = "conf" }, "ZGF0YQ==", At(1));
        Assert.Equal(("config", "create", "conf"), Single(state, config) is var c ? (c.Type, c.Action, c.Actor.Attributes["name"]) : default);
        Assert.Equal(("config", "remove", "conf"), Single(state.And(config), new ConfigRemoved("c1", At(2))) is var d ? (d.Type, d.Action, d.Actor.Attributes["name"]) : default);
    }

    [Fact]
    public void Secret_data_never_reaches_an_event()
    {
        var message = Single(Given(Cluster("n1")), new SecretCreated("s1", new SecretSpec { Name = "pw" }, "aes256gcm:SEALED", At(1)));
        Assert.DoesNotContain("SEALED", System.Text.Encoding.UTF8.GetString(DockerEventsEndpoint.Serialize(message)), StringComparison.Ordinal);
    }

    [Fact]
    public void Tasks_the_swarm_itself_and_address_allocations_have_no_docker_events()
    {
        var spec = Spec("web");
        var state = Given(Cluster("n1")).And(Service(spec));
        Assert.Empty(Translate(Given(), SwarmInit()));
        Assert.Empty(Translate(state, Created("t1", spec, 1)));
        var withTask = state.And(Created("t1", spec, 1));
        Assert.Empty(Translate(withTask, Assigned("t1", "n1")));
        Assert.Empty(Translate(withTask, new TaskAddressesAllocated("t1", [], At(1))));
    }

    [Fact]
    public void Message_is_written_in_the_engines_shape_without_legacy_fields()
    {
        var message = Single(Given(Cluster("n1")).And(Service(Spec("web", replicas: 1))), new ServiceScaled("web", 2, At(1)));
        var json = System.Text.Encoding.UTF8.GetString(DockerEventsEndpoint.Serialize(message));
        Assert.Equal("{\"Type\":\"service\",\"Action\":\"update\",\"Actor\":{\"ID\":\"web\",\"Attributes\":{\"name\":\"web\",\"replicas.new\":\"2\",\"replicas.old\":\"1\"}},"
            + $"\"scope\":\"swarm\",\"time\":{At(5).ToUnixTimeSeconds()},\"timeNano\":{At(5).ToUnixTimeMilliseconds() * 1_000_000}}}", json);
    }
}
