using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.UnitTests.Log;

/// <summary>
/// Every fact the Domain can state must be one the log can store and read back: a new event is registered by
/// being a DomainEvent, and the names already in logs on disk never change.
/// </summary>
public sealed class Event_registry_Tests
{
    private static readonly Type[] DomainEventTypes = [.. typeof(DomainEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(DomainEvent)))];

    /// <summary>One instance of every event, each of its fields set (a field the log dropped would show).</summary>
    internal static IEnumerable<DomainEvent> Samples()
    {
        var spec = Spec("web", replicas: 3).WithConstraints("node.role==worker");
        var description = new NodeDescription("n1", "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB);
        yield return new SwarmInitialized("cluster", "n1", "10.0.0.1:2377", At(1))
        {
            Spec = SwarmSpec.Default,
            AddressPool = new AddressPool(["10.20.0.0/16"], 26),
            DataPathPort = 4790,
        };
        yield return new SwarmSpecUpdated(SwarmSpec.Default, At(2));
        yield return new ClusterCaIssued("-----BEGIN CERTIFICATE-----", "sha256:abc", At(3));
        yield return new JoinTokenRotated(NodeRole.Worker, "hash", At(4));
        yield return new ClusterForcedNew("n1", ["n2", "n3"], At(5));
        yield return new ManagerUnlockKeyRotated("aes256gcm:c2VhbGVk", At(5));
        yield return new ManagerUnlockKeyCleared(At(5));
        yield return new NodeJoined("n1", NodeRole.Manager, "10.0.0.1:2377", description, At(6), new ManagerEndpoints("10.0.0.1:2377", "10.0.0.1:4242"));
        yield return new NodeDescribed("n1", description, At(7));
        yield return new NodeStatusChanged("n1", NodeStatus.Down, "heartbeat failure", At(8));
        yield return new NodeAvailabilityChanged("n1", NodeAvailability.Drain, At(9));
        yield return new NodeLabelsChanged("n1", ImmutableDictionary<string, string>.Empty.Add("zone", "a"), At(10));
        yield return new NodeRoleChanged("n1", NodeRole.Worker, At(11));
        yield return new NodeRemoved("n1", At(12));
        yield return new ServiceCreated("web", spec, At(13));
        yield return new ServiceScaled("web", 5, At(14));
        yield return new ServiceUpdated("web", spec.WithImage("nginx:2"), At(15));
        yield return new ServiceUpdateStarted("web", At(15.1));
        yield return new ServiceUpdatePaused("web", "update paused due to failure or early termination of task t1", At(15.2));
        yield return new ServiceRolledBack("web", "update rolled back due to failure or early termination of task t1", Automatic: true, At(15.3));
        yield return new ServiceUpdateCompleted("web", At(15.4));
        yield return new ServiceRemoved("web", At(16));
        yield return new TaskCreated("t1", "web", "web", 1, "n1", spec.TaskTemplate, 2, TaskState.Running, At(17), At(18));
        yield return new TaskUnschedulable("t1", "no suitable node", At(19));
        yield return new TaskAssigned("t1", "n1", At(20), new Domain.Scheduling.PlacementReason(3,
            [new Domain.Scheduling.FilteredNodes(Domain.Scheduling.PlacementFilter.Constraints, 1, ["n3"], "node.role==worker")],
            new Domain.Scheduling.NodeScore("n1", 0, 2), new Domain.Scheduling.NodeScore("n2", 0, 2)));
        yield return new TaskDesiredStateChanged("t1", TaskState.Shutdown, At(21));
        yield return new TaskStatusReported("t1", "n1", new TaskObservation(TaskState.Failed, At(22), "failed", "exit 1", "c0ffee", 1));
        yield return new TaskRemoved("t1", At(23));
        yield return new TaskOrphaned("t1", "node down", At(24));
        yield return new NetworkCreated("net1", new NetworkSpec { Name = "backend", Subnet = "10.0.9.0/24", Gateway = "10.0.9.1", Attachable = true },
            "10.0.9.0/24", "10.0.9.1", At(25));
        yield return new NetworkRemoved("net1", At(26));
        yield return new ServiceEndpointAllocated("web", [new VirtualIp("net1", "10.0.9.2")], [new PortConfig(PortProtocol.Tcp, 80, 8080) { Name = "http" }], At(27));
        yield return new TaskAddressesAllocated("t1", [new NetworkAttachment("net1", "10.0.9.3")], At(28));
        yield return new Domain.Secrets.SecretCreated("s1", new Domain.Secrets.SecretSpec { Name = "pw" }, "aes256gcm:AAAA", At(29));
        yield return new Domain.Secrets.SecretUpdated("s1", new Domain.Secrets.SecretSpec { Name = "pw" }, At(30));
        yield return new Domain.Secrets.SecretRotated("s1", 2, "aes256gcm:BBBB", At(31));
        yield return new Domain.Secrets.SecretDataPruned("s1", 1, At(32));
        yield return new Domain.Secrets.SecretRemoved("s1", At(33));
        yield return new Domain.Configs.ConfigCreated("c1", new Domain.Configs.ConfigSpec { Name = "conf" }, "aGk=", At(34));
        yield return new Domain.Configs.ConfigUpdated("c1", new Domain.Configs.ConfigSpec { Name = "conf" }, At(35));
        yield return new Domain.Configs.ConfigRotated("c1", 2, "aG8=", At(36));
        yield return new Domain.Configs.ConfigDataPruned("c1", 1, At(37));
        yield return new Domain.Configs.ConfigRemoved("c1", At(38));
        var definition = new Domain.Stacks.StackDefinition
        {
            Name = "wp",
            Services = [spec],
            Networks = [new NetworkSpec { Name = "wp_net" }],
            ExternalNetworks = ["shared"],
            Secrets = [new Domain.Stacks.StackObjectDigest("wp_pw", ImmutableDictionary<string, string>.Empty, "ab12")],
            ExternalSecrets = ["my-pw2"],
            Configs = [new Domain.Stacks.StackObjectDigest("wp_conf", ImmutableDictionary<string, string>.Empty, "cd34")],
            ExternalConfigs = ["shared-conf"],
            Files = [new Domain.Stacks.StackFile("docker-compose.yml", "ef56")],
        };
        yield return new Domain.Stacks.StackDeployed("wp", 1, definition, [new Domain.Stacks.StackChange("service", "wp_web", "web", "updated", "image a -> b")], At(39));
        yield return new Domain.Stacks.StackRemoved("wp", [new Domain.Stacks.StackChange("service", "wp_web", "web", "removed")], At(40));
        yield return new Domain.Web.WebTokenIssued("web-1", Domain.Web.WebRole.Operator, new string('a', 64), At(41));
        yield return new Domain.Web.WebTokenRevoked("web-1", At(42));
    }

    [Fact]
    public void Every_DomainEvent_type_is_registered()
    {
        Assert.Equal(DomainEventTypes.OrderBy(t => t.FullName), EventJson.Registered.Keys.OrderBy(t => t.FullName));
    }

    [Fact]
    public void The_samples_cover_every_DomainEvent_type()
    {
        Assert.Equal(DomainEventTypes.OrderBy(t => t.FullName), Samples().Select(e => e.GetType()).Distinct().OrderBy(t => t.FullName));
    }

    /// <summary>A new event that is no capability's (or that its capability's Evolve forgot) could not be applied.</summary>
    [Theory]
    [MemberData(nameof(EventNames))]
    public void Every_event_is_applied_by_its_capabilitys_Evolve(string type)
    {
        var sample = Samples().Single(e => e.GetType().Name == type);

        var state = Given(Cluster("n1")).And(sample);

        Assert.Equal(Given(Cluster("n1")).LastSequence + 1, state.LastSequence);
    }

    /// <summary>The names logs on disk hold: renaming an event record must not orphan them.</summary>
    [Fact]
    public void The_names_events_are_stored_under_do_not_change()
    {
        string[] stored =
        [
            "swarm-initialized", "swarm-spec-updated", "cluster-ca-issued", "join-token-rotated", "node-joined", "node-described",
            "node-status-changed", "node-availability-changed", "node-labels-changed", "node-role-changed", "node-removed",
            "service-created", "service-scaled", "service-updated", "service-removed", "task-created", "task-unschedulable",
            "task-assigned", "task-desired-state-changed", "task-status-reported", "task-removed", "task-orphaned",
            "cluster-forced-new", "network-created", "network-removed", "service-endpoint-allocated", "task-addresses-allocated",
            "secret-created", "secret-updated", "secret-rotated", "secret-data-pruned", "secret-removed",
            "config-created", "config-updated", "config-rotated", "config-data-pruned", "config-removed",
            "service-rolled-back", "service-update-started", "service-update-paused", "service-update-completed",
            "web-token-issued", "web-token-revoked",
        ];

        Assert.Subset(EventJson.Registered.Values.ToHashSet(), stored.ToHashSet());
        Assert.Equal(EventJson.Registered.Count, EventJson.Registered.Values.Distinct().Count());
    }

    public static TheoryData<string> EventNames() => [.. Samples().Select(e => e.GetType().Name)];

    [Theory]
    [MemberData(nameof(EventNames))]
    public void Every_event_round_trips_through_the_log(string type)
    {
        var sample = Samples().Single(e => e.GetType().Name == type);
        var batch = new EventBatch("b1", new EventMetadata(T0, "test", "Test", "c1"), [sample]);

        var json = EventJson.Serialize(batch);
        var read = Assert.Single(EventJson.DeserializeBatch(json).Events);

        Assert.IsType(sample.GetType(), read);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(EventJson.Serialize(batch with { Events = [read] }))));
        var written = JsonNode.Parse(json)!["events"]![0]!.AsObject();
        Assert.Equal(EventJson.NameOf(sample), written["$type"]!.GetValue<string>());
        // Every field of the record is written, none silently left out.
        foreach (var property in sample.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Assert.True(written.ContainsKey(JsonNamingPolicy.CamelCase.ConvertName(property.Name)), $"{type}.{property.Name} is not written");
    }

    /// <summary>Logs written before the scheduler recorded its reasons hold assignments without one: they still read.</summary>
    [Fact]
    public void A_task_assignment_written_without_a_placement_reason_still_reads()
    {
        var json = """{"batchId":"b1","metadata":{"at":"2026-11-27T10:00:00+00:00","actor":"system:scheduler","command":"Reconcile","correlationId":"c1","loop":"scheduler"},"events":[{"$type":"task-assigned","taskId":"t1","nodeId":"n1","at":"2026-11-27T10:00:00+00:00"}]}""";

        var read = Assert.IsType<TaskAssigned>(Assert.Single(EventJson.DeserializeBatch(System.Text.Encoding.UTF8.GetBytes(json)).Events));

        Assert.Equal(("t1", "n1"), (read.TaskId, read.NodeId));
        Assert.Null(read.Placement);
    }
}
