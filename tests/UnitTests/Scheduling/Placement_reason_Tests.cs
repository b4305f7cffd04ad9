using EventSwarm.Application.Scheduling;
using EventSwarm.Domain.Scheduling;

namespace EventSwarm.UnitTests.Scheduling;

/// <summary>
/// The scheduler records why it placed each task (for `explain task`): the candidates, the nodes each filter removed,
/// and the winning score against the runner-up, compactly enough for a cluster of 1,000 nodes.
/// </summary>
public sealed class Placement_reason_Tests
{
    private static PlacementReason ReasonFor(ClusterState state, string taskId) =>
        state.Reconcile(Scheduler.Reconcile, At(1)).OfType<TaskAssigned>().Single(a => a.TaskId == taskId).Placement!;

    [Fact]
    public void The_reason_names_the_winning_score_and_the_runner_up()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web))
            .And(Running("web1", web, 1, "n1")).And(Created("web2", web, 2));

        var reason = ReasonFor(state, "web2");

        Assert.Equal(3, reason.Candidates);
        Assert.Empty(reason.Removed);
        Assert.Equal(new NodeScore("n2", 0, 0), reason.Chosen);
        Assert.Equal(new NodeScore("n3", 0, 0), reason.RunnerUp);
        Assert.True(reason.TieBrokenByNodeId);
    }

    [Fact]
    public void A_placement_won_on_fewer_tasks_of_the_service_is_not_a_tie()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1", "n2")).And(Service(web))
            .And(Running("web1", web, 1, "n1")).And(Created("web2", web, 2));

        var reason = ReasonFor(state, "web2");

        Assert.Equal(new NodeScore("n2", 0, 0), reason.Chosen);
        Assert.Equal(new NodeScore("n1", 1, 1), reason.RunnerUp);
        Assert.False(reason.TieBrokenByNodeId);
    }

    [Fact]
    public void Nodes_removed_by_availability_resources_and_constraints_are_counted_per_filter_with_the_constraint()
    {
        var web = Spec("web").WithConstraints("node.role==worker", "node.labels.zone!=b").WithMemory(2 * GiB);
        var state = Given(SwarmInit(), Node("n1", NodeRole.Manager), Node("n2"), Node("n3", memoryBytes: GiB), Node("n4"), Node("n5"))
            .Drained("n2").Labelled("n4", "zone", "b")
            .And(Service(web)).And(Created("a", web, 1));

        var reason = ReasonFor(state, "a");

        Assert.Equal(5, reason.Candidates);
        Assert.Equal<FilteredNodes>([
            new(PlacementFilter.Availability, 1, ["n2"]),
            new(PlacementFilter.Resources, 1, ["n3"]),
            new(PlacementFilter.Constraints, 1, ["n1"], "node.role==worker"),
            new(PlacementFilter.Constraints, 1, ["n4"], "node.labels.zone!=b"),
        ], reason.Removed);
        Assert.Equal("n5", reason.Chosen.NodeId);
        Assert.Null(reason.RunnerUp);
    }

    [Fact]
    public void A_thousand_filtered_nodes_are_a_count_and_a_few_names_not_a_list()
    {
        var web = Spec("web").WithConstraints("node.labels.zone==x");
        var nodes = Enumerable.Range(1, 1000).Select(i => $"n{i:0000}").ToArray();
        var state = Given(Cluster(nodes)).Labelled("n0500", "zone", "x").And(Service(web)).And(Created("a", web, 1));

        var reason = ReasonFor(state, "a");

        var removed = Assert.Single(reason.Removed);
        Assert.Equal(999, removed.Count);
        Assert.Equal(["n0001", "n0002", "n0003"], removed.Nodes.ToArray());
        Assert.Equal("n0500", reason.Chosen.NodeId);
    }

    [Fact]
    public void A_global_task_has_its_own_node_as_the_only_candidate()
    {
        var agent = GlobalSpec("agent");
        var state = Given(Cluster("n1", "n2")).And(Service(agent)).And(CreatedOn("n2", "g", agent));

        var reason = ReasonFor(state, "g");

        Assert.Equal(1, reason.Candidates);
        Assert.Equal(new NodeScore("n2", 0, 0), reason.Chosen);
        Assert.Null(reason.RunnerUp);
    }

    [Fact]
    public void Tasks_placed_earlier_in_the_same_pass_count_in_later_scores()
    {
        var web = Spec("web", replicas: 3);
        var state = Given(Cluster("n1", "n2")).And(Service(web))
            .And(Created("w1", web, 1), Created("w2", web, 2), Created("w3", web, 3));

        var reason = ReasonFor(state, "w3");

        Assert.Equal(new NodeScore("n1", 1, 1), reason.Chosen);
        Assert.Equal(new NodeScore("n2", 1, 1), reason.RunnerUp);
    }
}
