using System.Collections.Immutable;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.Services;

public sealed class ServiceDecider_Tests
{
    private static readonly ServiceSpec Web = Spec("web", replicas: 2);

    [Fact]
    public void Create_records_ServiceCreated()
    {
        var decision = ServiceDecider.Decide(new CreateService("web", Web, At(1)), Given(Cluster("n1")));

        Assert.True(decision.Succeeded);
        Assert.Equal([new ServiceCreated("web", Web, At(1))], decision.Events);
    }

    [Fact]
    public void Create_with_a_name_in_use_is_a_conflict_and_appends_nothing()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        var decision = ServiceDecider.Decide(new CreateService("other-id", Spec("web", image: "redis"), At(1)), state);

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
        Assert.Equal("name conflicts with an existing object: service web already exists", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData("node.role=manager", "constraint expected one operator from ==, !=")]
    [InlineData("node.color==red", "unknown key 'node.color'")]
    [InlineData("node.role==", "the value is missing or malformed")]
    public void Malformed_constraint_is_refused_unclassified_as_swarmkit_does_and_appends_nothing(string constraint, string expected)
    {
        var decision = ServiceDecider.Decide(new CreateService("web", Web.WithConstraints(constraint), At(1)), Given(Cluster("n1")));

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Contains($"invalid constraint '{constraint}'", decision.Error!.Message);
        Assert.Contains(expected, decision.Error.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Create_before_the_swarm_is_initialised_is_unavailable()
    {
        var decision = ServiceDecider.Decide(new CreateService("web", Web, At(0)), ClusterState.Initial);

        Assert.Equal(ErrorKind.Unavailable, decision.Error?.Kind);
        Assert.Equal(SwarmDecider.NotInSwarm, decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Scale_of_an_unknown_service_is_not_found()
    {
        var decision = ServiceDecider.Decide(new ScaleService("nope", 3, At(1)), Given(Cluster("n1")));

        Assert.Equal(ErrorKind.NotFound, decision.Error?.Kind);
        Assert.Equal("service nope not found", decision.Error!.Message);
    }

    [Fact]
    public void Scale_records_ServiceScaled_and_finds_the_service_by_name_or_id_prefix()
    {
        var state = Given(Cluster("n1")).And(new ServiceCreated("k3v9zq", Web, T0));

        Assert.Equal([new ServiceScaled("k3v9zq", 5, At(1))], ServiceDecider.Decide(new ScaleService("web", 5, At(1)), state).Events);
        Assert.Equal([new ServiceScaled("k3v9zq", 5, At(1))], ServiceDecider.Decide(new ScaleService("k3v", 5, At(1)), state).Events);
    }

    [Fact]
    public void Scale_of_a_global_service_is_refused()
    {
        var state = Given(Cluster("n1")).And(Service(GlobalSpec("agent")));

        var decision = ServiceDecider.Decide(new ScaleService("agent", 3, At(1)), state);

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Contains("replicated mode", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Scale_to_the_current_count_appends_nothing()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        var decision = ServiceDecider.Decide(new ScaleService("web", 2, At(1)), state);

        Assert.True(decision.Succeeded);
        Assert.Empty(decision.Events);
    }

    // A negative count is the validator's to refuse (ServiceCommandValidators_Tests.Scale_to_a_negative_count_is_invalid).

    [Fact]
    public void Scale_for_a_version_that_is_not_current_is_out_of_sequence_as_an_update_is()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(new ServiceScaled("web", 3, At(1)));
        var staleVersion = state.Services["web"].Version - 1;

        var decision = ServiceDecider.Decide(new ScaleService("web", 5, At(2), staleVersion), state);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.StartsWith("update out of sequence", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Image_update_records_ServiceUpdated_with_the_current_spec_and_the_new_image()
    {
        var state = Given(Cluster("n1")).And(Service(Web));
        var version = state.Services["web"].Version;

        var decision = ServiceDecider.Decide(new UpdateServiceImage("web", version, "nginx:2", At(1)), state);

        Assert.Equal([new ServiceUpdated("web", Web.WithImage("nginx:2"), At(1))], decision.Events);
        Assert.Equal(2, state.And(decision.Events.ToArray()).Services["web"].SpecVersion);
    }

    [Fact]
    public void Image_update_for_a_stale_version_or_an_unknown_service_is_refused_as_an_update_is()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(new ServiceScaled("web", 3, At(1)));
        var staleVersion = state.Services["web"].Version - 1;

        var stale = ServiceDecider.Decide(new UpdateServiceImage("web", staleVersion, "nginx:2", At(2)), state);
        var unknown = ServiceDecider.Decide(new UpdateServiceImage("api", staleVersion, "nginx:2", At(2)), state);

        Assert.Equal(ErrorKind.Internal, stale.Error?.Kind);
        Assert.StartsWith("update out of sequence", stale.Error!.Message);
        Assert.Equal("service api not found", unknown.Error?.Message);
    }

    [Fact]
    public void Update_with_a_stale_version_is_out_of_sequence_an_unclassified_error_as_in_Swarm()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(new ServiceScaled("web", 3, At(1)));
        var staleVersion = state.Services["web"].Version - 1;

        var decision = ServiceDecider.Decide(new UpdateService("web", staleVersion, Web.WithImage("nginx:2"), At(2)), state);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.StartsWith("update out of sequence", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Update_with_the_current_version_records_ServiceUpdated()
    {
        var state = Given(Cluster("n1")).And(Service(Web));
        var v2 = Web.WithImage("nginx:2");

        var decision = ServiceDecider.Decide(new UpdateService("web", state.Services["web"].Version, v2, At(1)), state);

        Assert.Equal([new ServiceUpdated("web", v2, At(1))], decision.Events);
    }

    [Fact]
    public void Update_that_only_changes_the_replicas_is_recorded_as_ServiceScaled()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        var decision = ServiceDecider.Decide(
            new UpdateService("web", state.Services["web"].Version, Web with { Mode = ServiceMode.Replicated(4) }, At(1)), state);

        Assert.Equal([new ServiceScaled("web", 4, At(1))], decision.Events);
    }

    [Fact]
    public void Update_with_a_spec_equal_by_value_bumps_the_version_but_keeps_the_spec_version_even_with_new_collection_instances()
    {
        // Regression: ImmutableArray and ImmutableDictionary compare by reference, so a spec read from a second
        // request used to look new, and every `service update` replaced every task.
        static ServiceSpec Build() => Spec("web", replicas: 2) with
        {
            Labels = ImmutableDictionary<string, string>.Empty.Add("team", "a"),
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec
                {
                    Image = "nginx:1",
                    Command = ["/bin/sh"],
                    Args = ["-c", "sleep 1d"],
                    Env = ["A=1", "B=2"],
                    Labels = ImmutableDictionary<string, string>.Empty.Add("x", "y"),
                    Mounts = [new Mount(MountType.Volume, "data", "/data")],
                },
                Placement = new Placement(["node.role==worker"]),
            },
        };
        var state = Given(Cluster("n1")).And(Service(Build()));
        var sameByValue = Build();
        Assert.NotSame(state.Services["web"].Spec, sameByValue);

        var before = state.Services["web"];

        var decision = ServiceDecider.Decide(new UpdateService("web", before.Version, sameByValue, At(1)), state);

        // Swarm records every accepted update (the version moves), but a spec equal by value is no new spec for tasks.
        Assert.True(decision.Succeeded);
        var updated = Assert.IsType<ServiceUpdated>(Assert.Single(decision.Events));
        Assert.Equal(before.Spec, updated.Spec);
        var after = state.And(updated).Services["web"];
        Assert.True(after.Version > before.Version);
        Assert.Equal(before.SpecVersion, after.SpecVersion);
    }

    [Fact]
    public void Update_cannot_rename_a_service_or_change_its_mode()
    {
        var state = Given(Cluster("n1")).And(Service(Web));
        var version = state.Services["web"].Version;

        Assert.Equal(ErrorKind.Unimplemented, ServiceDecider.Decide(new UpdateService("web", version, Web with { Name = "api" }, At(1)), state).Error?.Kind);
        Assert.Equal(ErrorKind.Unimplemented, ServiceDecider.Decide(new UpdateService("web", version, Web with { Mode = ServiceMode.Global }, At(1)), state).Error?.Kind);
    }

    [Fact]
    public void Update_to_a_new_image_records_ServiceUpdated_with_the_whole_new_spec()
    {
        var state = Given(Cluster("n1")).And(Service(Web));
        var version = state.Services["web"].Version;

        Assert.Equal([new ServiceUpdated("web", Web.WithImage("nginx:2"), At(1))],
            ServiceDecider.Decide(new UpdateService("web", version, Web.WithImage("nginx:2"), At(1)), state).Events);
    }

    [Fact]
    public void Remove_records_ServiceRemoved_and_an_unknown_service_is_not_found()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        Assert.Equal([new ServiceRemoved("web", At(1))], ServiceDecider.Decide(new RemoveService("web", At(1)), state).Events);
        Assert.Equal(ErrorKind.NotFound, ServiceDecider.Decide(new RemoveService("api", At(1)), state).Error?.Kind);
    }
}
