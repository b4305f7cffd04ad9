namespace EventSwarm.UnitTests;

/// <summary>Evolve: how each fact changes the projection.</summary>
public sealed class ClusterState_Tests
{
    private static readonly ServiceSpec Web = Spec("web", replicas: 2, image: "nginx:1");

    [Fact]
    public void Observed_task_state_never_moves_backwards_a_late_running_report_after_failed_is_ignored()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(Running("t1", Web, 1, "n1"))
            .And(Reported("t1", "n1", TaskState.Failed, at: 2));

        state = state.And(Reported("t1", "n1", TaskState.Running, at: 3));

        Assert.Equal(TaskState.Failed, state.Tasks["t1"].Status.State);
        Assert.Equal(At(2), state.Tasks["t1"].Status.Timestamp);
    }

    [Fact]
    public void A_report_from_a_node_the_task_is_not_assigned_to_is_ignored()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Web)).And(Created("t1", Web, 1), Assigned("t1", "n1"));

        state = state.And(Reported("t1", "n2", TaskState.Running, at: 1));

        Assert.Equal(TaskState.Assigned, state.Tasks["t1"].Status.State);
    }

    [Fact]
    public void A_later_state_from_the_assigned_node_is_recorded()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(Created("t1", Web, 1), Assigned("t1", "n1"));

        state = state.And(Reported("t1", "n1", TaskState.Preparing, at: 1), Reported("t1", "n1", TaskState.Running, at: 2));

        Assert.Equal(TaskState.Running, state.Tasks["t1"].Status.State);
        Assert.Equal(At(2), state.Tasks["t1"].UpdatedAt);
    }

    [Fact]
    public void ServiceScaled_is_an_update_of_the_replica_count_that_keeps_the_previous_spec_and_the_task_generation()
    {
        var before = Given(Cluster("n1")).And(Service(Web)).Services["web"];

        var after = Given(Cluster("n1")).And(Service(Web), new ServiceScaled("web", 7, At(1))).Services["web"];

        // Swarm's `service scale` is a service update: `service rollback` afterwards restores the count before it.
        Assert.Equal(Web with { Mode = ServiceMode.Replicated(7) }, after.Spec);
        Assert.Equal(before.SpecVersion, after.SpecVersion);
        Assert.Equal((Web, 1L), (after.PreviousSpec, after.PreviousSpecVersion));
        Assert.Null(after.UpdateStatus);
        Assert.True(after.Version > before.Version);
        Assert.Equal(At(1), after.UpdatedAt);
    }

    [Fact]
    public void ServiceUpdated_with_a_new_image_bumps_the_spec_version_and_keeps_the_previous_spec()
    {
        var updated = Web.WithImage("nginx:2");

        var service = Given(Cluster("n1")).And(Service(Web), new ServiceUpdated("web", updated, At(1))).Services["web"];

        Assert.Equal(2, service.SpecVersion);
        Assert.Equal(updated, service.Spec);
        Assert.Equal(Web, service.PreviousSpec);
    }

    [Fact]
    public void ServiceUpdated_that_changes_only_the_replicas_does_not_bump_the_spec_version()
    {
        var service = Given(Cluster("n1"))
            .And(Service(Web), new ServiceUpdated("web", Web with { Mode = ServiceMode.Replicated(5) }, At(1)))
            .Services["web"];

        Assert.Equal(1, service.SpecVersion);
        Assert.Equal(5, service.Spec.Mode.Replicas);
    }

    [Fact]
    public void Only_one_previous_spec_is_kept()
    {
        var v2 = Web.WithImage("nginx:2");
        var v3 = Web.WithImage("nginx:3");

        var service = Given(Cluster("n1"))
            .And(Service(Web), new ServiceUpdated("web", v2, At(1)), new ServiceUpdated("web", v3, At(2)))
            .Services["web"];

        Assert.Equal(3, service.SpecVersion);
        Assert.Equal(v2, service.PreviousSpec);
    }

    [Fact]
    public void TaskUnschedulable_leaves_the_task_pending_with_the_reason()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(Created("t1", Web, 1));

        state = state.And(new TaskUnschedulable("t1", "no suitable node (1 node not available for new tasks)", At(1)));

        Assert.Equal(TaskState.Pending, state.Tasks["t1"].Status.State);
        Assert.Equal("no suitable node (1 node not available for new tasks)", state.Tasks["t1"].Status.Message);
    }

    [Fact]
    public void Events_about_unknown_tasks_services_and_nodes_change_nothing()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        var after = state.And(
            Reported("ghost", "n1", TaskState.Running),
            new ServiceScaled("ghost", 3, At(1)),
            new NodeStatusChanged("ghost", NodeStatus.Down, "", At(1)));

        Assert.Equal(state with { LastSequence = after.LastSequence }, after);
    }

    [Fact]
    public void Apply_records_the_sequence_of_the_last_event()
    {
        var state = Given(Cluster("n1", "n2")).And(Service(Web));

        Assert.Equal(4, state.LastSequence);
        Assert.Equal(4, state.Services["web"].Version);
    }
}
