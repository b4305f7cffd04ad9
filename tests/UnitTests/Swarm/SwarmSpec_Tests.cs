using EventSwarm.Application.Tasks;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.Swarm;

/// <summary>The swarm's own spec and address pool: recorded at init, replaced by update, and acted on.</summary>
public sealed class SwarmSpec_Tests
{
    private static readonly NodeDescription Engine = new("host-1", "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB);

    private static Decision Init(SwarmSpec? spec = null, string[]? pool = null, int subnetSize = 0, int dataPathPort = 0) =>
        SwarmDecider.Decide(new InitSwarm("c1", "n1", "10.0.0.1", Engine, T0, IngressNetworkId: "ingress")
        {
            Spec = spec ?? SwarmSpec.Default,
            DefaultAddrPool = pool ?? [],
            SubnetSize = subnetSize,
            DataPathPort = dataPathPort,
        }, ClusterState.Initial);

    private static ClusterState Initialised(SwarmSpec? spec = null, string[]? pool = null, int subnetSize = 0) =>
        ClusterState.Initial.And(Init(spec, pool, subnetSize).Events);

    [Fact]
    public void Init_without_a_spec_records_swarmkits_defaults()
    {
        var swarm = Initialised().Swarm!;

        Assert.Equal(5, swarm.Spec.TaskHistoryRetentionLimit);
        Assert.Equal(new RaftSettings(10000, 0, 500, 10, 1), swarm.Spec.Raft);
        Assert.Equal(5_000_000_000, swarm.Spec.HeartbeatPeriod);
        Assert.Equal(7_776_000_000_000_000, swarm.Spec.CaConfig.NodeCertExpiry);
        Assert.Equal(AddressPool.Default, swarm.AddressPool);
        Assert.Equal(4789, swarm.DataPathPort);
    }

    [Fact]
    public void Init_records_the_spec_it_was_given()
    {
        var spec = SwarmSpec.Default with { TaskHistoryRetentionLimit = 2, HeartbeatPeriod = 7, Raft = new RaftSettings(1, 2, 3, 4, 5) };

        var swarm = Initialised(spec).Swarm!;

        Assert.Equal(spec, swarm.Spec);
    }

    [Fact]
    public void The_ingress_network_takes_the_first_subnet_of_the_address_pool()
    {
        var state = Initialised(pool: ["10.20.0.0/16"], subnetSize: 26);

        Assert.Equal("10.20.0.0/26", state.IngressNetwork!.Subnet.ToString());
        Assert.Equal(new AddressPool(["10.20.0.0/16"], 26), state.Swarm!.AddressPool);
    }

    [Fact]
    public void New_networks_take_the_next_free_subnet_of_the_pools_in_order()
    {
        var state = Initialised(pool: ["10.20.0.0/25", "192.168.7.0/24"], subnetSize: 26);

        var first = Assert.IsType<NetworkCreated>(Assert.Single(NetworkDecider.Decide(new CreateNetwork("a", new NetworkSpec { Name = "a" }, At(1)), state).Events));
        state = state.And(first);
        var second = Assert.IsType<NetworkCreated>(Assert.Single(NetworkDecider.Decide(new CreateNetwork("b", new NetworkSpec { Name = "b" }, At(2)), state).Events));

        Assert.Equal(("10.20.0.64/26", "192.168.7.0/26"), (first.Subnet, second.Subnet));
    }

    [Theory]
    [InlineData(new[] { "10.20.0.0/16" }, 30, "subnet size is out of range: 30")]
    [InlineData(new[] { "10.20.0.0/16" }, 8, "invalid CIDR: \"10.20.0.0/16\". Subnet size is too small for pool: 8")]
    [InlineData(new[] { "nonsense" }, 0, "invalid base pool nonsense")]
    public void An_invalid_address_pool_is_refused_with_dockers_words(string[] pool, int size, string message)
    {
        var decision = Init(pool: pool, subnetSize: size);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.StartsWith(message, decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_data_path_port_outside_the_registered_range_is_refused()
    {
        Assert.Equal("Datapath port number is not in valid range (1024-49151) : 80", Init(dataPathPort: 80).Error?.Message);
        Assert.True(Init(dataPathPort: 4790).Succeeded);
    }

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void An_invalid_spec_is_refused_at_init_and_at_update(SwarmSpec spec, string message)
    {
        Assert.Equal(message, Init(spec).Error?.Message);
        var state = Initialised();
        var update = SwarmDecider.Decide(new UpdateSwarm(state.Swarm!.Version, spec, At(1)), state);
        Assert.Equal(message, update.Error?.Message);
        Assert.Empty(update.Events);
    }

    public static TheoryData<SwarmSpec, string> InvalidSpecs() => new()
    {
        { SwarmSpec.Default with { Name = "other" }, "invalid Name (only \"default\" is supported)" },
        { SwarmSpec.Default with { CaConfig = SwarmSpec.Default.CaConfig with { NodeCertExpiry = 60_000_000_000 } }, "minimum certificate expiry time is: 1h0m0s" },
        { SwarmSpec.Default with { HeartbeatPeriod = -1 }, "heartbeat time period cannot be a negative duration" },
        { SwarmSpec.Default with { CaConfig = SwarmSpec.Default.CaConfig with { ExternalCas = [new ExternalCa("acme", "https://ca", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, "")] } }, "invalid protocol: \"acme\"" },
    };

    [Fact]
    public void Update_replaces_the_spec_and_moves_the_version_even_when_nothing_changed()
    {
        var state = Initialised();
        var before = state.Swarm!.Version;

        state = state.And(SwarmDecider.Decide(new UpdateSwarm(before, state.Swarm.Spec, At(1)), state).Events);

        Assert.True(state.Swarm!.Version > before);
        Assert.Equal(SwarmSpec.Default, state.Swarm.Spec);
        Assert.Equal(At(1), state.Swarm.UpdatedAt);
    }

    [Fact]
    public void Update_at_a_stale_version_is_refused()
    {
        var state = Initialised();
        var stale = state.Swarm!.Version;
        state = state.And(SwarmDecider.Decide(new UpdateSwarm(stale, state.Swarm.Spec with { TaskHistoryRetentionLimit = 1 }, At(1)), state).Events);

        var decision = SwarmDecider.Decide(new UpdateSwarm(stale, state.Swarm!.Spec with { TaskHistoryRetentionLimit = 9 }, At(2)), state);

        // swarmkit's "update out of sequence" has no gRPC code: the engine answers it 500.
        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.StartsWith("update out of sequence", decision.Error!.Message);
        Assert.Equal(1, state.Swarm.Spec.TaskHistoryRetentionLimit);
    }

    [Fact]
    public void A_token_rotation_is_recorded_in_the_same_batch_as_the_spec()
    {
        var state = Initialised();

        var decision = SwarmDecider.Decide(new UpdateSwarm(state.Swarm!.Version, state.Swarm.Spec, At(1), ManagerSecretHash: "new"), state);

        Assert.Equal([new SwarmSpecUpdated(SwarmSpec.Default, At(1)), new JoinTokenRotated(NodeRole.Manager, "new", At(1))], decision.Events);
    }

    // ---- the task reaper follows Orchestration.TaskHistoryRetentionLimit ----

    private static ClusterState SlotWithHistory(SwarmSpec spec, int finished)
    {
        var web = Spec("web");
        var state = Initialised(spec).And(Node("n1", NodeRole.Manager)).And(Service(web));
        for (var i = 0; i < finished; i++)
            state = state.And(Ended($"h{i}", web, 1, "n1", TaskState.Failed, at: i, endedAt: i)).And(Desired($"h{i}", TaskState.Shutdown, i));
        return state.And(Running("current", web, 1, "n1", at: finished));
    }

    [Fact]
    public void The_task_reaper_keeps_as_many_tasks_per_slot_as_the_swarm_spec_says()
    {
        var events = SlotWithHistory(SwarmSpec.Default with { TaskHistoryRetentionLimit = 2 }, 3).Reconcile(TaskReaper.Reconcile, At(100));

        Assert.Equal([new TaskRemoved("h0", At(100)), new TaskRemoved("h1", At(100))], events);
    }

    [Fact]
    public void A_negative_retention_limit_keeps_all_history()
    {
        Assert.Empty(SlotWithHistory(SwarmSpec.Default with { TaskHistoryRetentionLimit = -1 }, 9).Reconcile(TaskReaper.Reconcile, At(100)));
    }
}
