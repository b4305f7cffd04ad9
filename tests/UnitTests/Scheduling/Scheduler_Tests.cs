using EventSwarm.Application.Scheduling;

namespace EventSwarm.UnitTests.Scheduling;

public sealed class Scheduler_Tests
{
    /// <summary>The scheduler's events without their placement reasons (Placement_reason_Tests prove those): where, not why.</summary>
    private static IReadOnlyList<DomainEvent> Schedule(ClusterState state, double at = 1) =>
        [.. WithReasons(state, at).Select(e => e is TaskAssigned a ? a with { Placement = null } : e)];

    private static IReadOnlyList<DomainEvent> WithReasons(ClusterState state, double at = 1) =>
        state.Reconcile(Scheduler.Reconcile, At(at));

    /// <summary>Tasks of <paramref name="spec"/> in slots 1..count, created and waiting for a node.</summary>
    private static DomainEvent[] Waiting(ServiceSpec spec, int count, string prefix = "w") =>
        [.. Enumerable.Range(1, count).Select(i => Created($"{prefix}{i}", spec, i))];

    private static Dictionary<string, int> PerNode(IEnumerable<DomainEvent> events) =>
        events.OfType<TaskAssigned>().GroupBy(e => e.NodeId).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void A_pass_places_a_bounded_number_of_the_oldest_tasks_and_the_next_pass_the_rest()
    {
        var web = Spec("web", replicas: Scheduler.MaxPlacementsPerPass + 7);
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Waiting(web, Scheduler.MaxPlacementsPerPass + 7));

        var first = Schedule(state);
        var second = Schedule(state.And(first));

        Assert.Equal(Scheduler.MaxPlacementsPerPass, first.Count);
        Assert.Equal(7, second.Count);
        Assert.Empty(first.OfType<TaskAssigned>().Select(t => t.TaskId).Intersect(second.OfType<TaskAssigned>().Select(t => t.TaskId)));
    }

    [Fact]
    public void Six_tasks_are_spread_two_two_two_over_three_nodes()
    {
        var web = Spec("web", replicas: 6);
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Waiting(web, 6));

        var events = Schedule(state);

        Assert.Equal(6, events.Count);
        Assert.Equal(new Dictionary<string, int> { ["n1"] = 2, ["n2"] = 2, ["n3"] = 2 }, PerNode(events));
    }

    [Fact]
    public void The_node_with_fewer_tasks_of_the_same_service_wins_even_if_it_runs_more_tasks_overall()
    {
        var web = Spec("web", replicas: 2);
        var db = Spec("db", replicas: 3);
        var state = Given(Cluster("n1", "n2")).And(Service(web), Service(db))
            .And(Running("web1", web, 1, "n1"))
            .And(Running("db1", db, 1, "n2")).And(Running("db2", db, 2, "n2")).And(Running("db3", db, 3, "n2"))
            .And(Created("web2", web, 2));

        Assert.Equal([new TaskAssigned("web2", "n2", At(1))], Schedule(state));
    }

    [Fact]
    public void Among_nodes_with_as_many_tasks_of_the_service_the_one_with_fewer_tasks_overall_wins()
    {
        var web = Spec("web");
        var db = Spec("db", replicas: 3);
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web), Service(db))
            .And(Running("db1", db, 1, "n1")).And(Running("db2", db, 2, "n1")).And(Running("db3", db, 3, "n3"))
            .And(Created("web1", web, 1));

        Assert.Equal([new TaskAssigned("web1", "n2", At(1))], Schedule(state));
    }

    [Fact]
    public void Finished_and_unwanted_tasks_do_not_count_against_a_node()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1", "n2")).And(Service(web))
            .And(Running("old1", web, 1, "n1")).And(Reported("old1", "n1", TaskState.Failed, 1))
            .And(Running("old2", web, 1, "n1")).And(Desired("old2", TaskState.Shutdown))
            .And(Running("b", web, 2, "n2"))
            .And(Created("a", web, 1, at: 2));

        Assert.Equal([new TaskAssigned("a", "n1", At(3))], Schedule(state, 3));
    }

    [Fact]
    public void A_tie_goes_to_the_lowest_node_id()
    {
        var web = Spec("web");
        var state = Given(Cluster("n3", "n1", "n2")).And(Service(web)).And(Created("a", web, 1));

        Assert.Equal([new TaskAssigned("a", "n1", At(1))], Schedule(state));
    }

    [Theory]
    [InlineData("node.role==manager", "n1")]
    [InlineData("node.ROLE==Manager", "n1")]
    [InlineData("node.role!=manager", "n2")]
    [InlineData("node.hostname==n3", "n3")]
    [InlineData("node.id==n2", "n2")]
    [InlineData("node.platform.os==linux", "n1")]
    public void A_constraint_is_honoured(string constraint, string expectedNode)
    {
        var web = Spec("web").WithConstraints(constraint);
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Created("a", web, 1));

        Assert.Equal([new TaskAssigned("a", expectedNode, At(1))], Schedule(state));
    }

    [Fact]
    public void A_label_constraint_places_tasks_only_on_nodes_with_that_label()
    {
        var web = Spec("web", replicas: 4).WithConstraints("node.labels.zone==a");
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Waiting(web, 4))
            .Labelled("n2", "zone", "a").Labelled("n3", "zone", "a").Labelled("n1", "zone", "b");

        Assert.Equal(new Dictionary<string, int> { ["n2"] = 2, ["n3"] = 2 }, PerNode(Schedule(state)));
    }

    [Fact]
    public void A_not_equal_hostname_constraint_keeps_tasks_off_that_node()
    {
        var web = Spec("web", replicas: 4).WithConstraints("node.hostname!=n1");
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Waiting(web, 4));

        Assert.Equal(new Dictionary<string, int> { ["n2"] = 2, ["n3"] = 2 }, PerNode(Schedule(state)));
    }

    [Fact]
    public void Constraints_are_all_required()
    {
        var web = Spec("web", replicas: 3).WithConstraints("node.role==worker", "node.labels.ssd==true");
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Waiting(web, 3))
            .Labelled("n1", "ssd", "true").Labelled("n3", "ssd", "true");

        Assert.Equal(new Dictionary<string, int> { ["n3"] = 3 }, PerNode(Schedule(state)));
    }

    [Fact]
    public void With_no_fitting_node_the_task_is_unschedulable_and_says_why_once()
    {
        var web = Spec("web").WithConstraints("node.labels.zone==x");
        var state = Given(Cluster("n1", "n2", "n3")).And(Service(web)).And(Created("a", web, 1));

        var events = Schedule(state, 1);
        Assert.Equal([new TaskUnschedulable("a", "no suitable node (scheduling constraints not satisfied on 3 nodes)", At(1))], events);
        state = state.And(events);

        // Same reason, nothing new to record, however often the loop runs.
        Assert.Empty(Schedule(state, 2));
        Assert.Empty(Schedule(state, 3));

        // A different reason is recorded: the parts are sorted by how many nodes they cover.
        state = state.And(NodeDown("n3", 4));
        Assert.Equal([new TaskUnschedulable("a", "no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks)", At(5))],
            Schedule(state, 5));
    }

    [Fact]
    public void A_task_that_was_unschedulable_is_assigned_once_a_node_fits()
    {
        var web = Spec("web").WithConstraints("node.labels.zone==x");
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Created("a", web, 1));
        state = state.And(Schedule(state, 1)).Labelled("n2", "zone", "x");

        Assert.Equal([new TaskAssigned("a", "n2", At(2))], Schedule(state, 2));
    }

    [Fact]
    public void With_no_nodes_the_reason_says_so()
    {
        var web = Spec("web");
        var state = Given(SwarmInit()).And(Service(web)).And(Created("a", web, 1));

        Assert.Equal([new TaskUnschedulable("a", "no suitable node (no nodes in the swarm)", At(1))], Schedule(state));
    }

    [Fact]
    public void Memory_reservations_are_respected_including_those_of_tasks_placed_in_the_same_pass()
    {
        var web = Spec("web", replicas: 3).WithMemory(600 * 1024 * 1024);
        var state = Given(SwarmInit(), Node("n1", NodeRole.Manager, memoryBytes: GiB), Node("n2", memoryBytes: GiB))
            .And(Service(web)).And(Waiting(web, 3));

        var events = Schedule(state);

        Assert.Equal([new TaskAssigned("w1", "n1", At(1)), new TaskAssigned("w2", "n2", At(1)),
            new TaskUnschedulable("w3", "no suitable node (insufficient resources on 2 nodes)", At(1))], events);
    }

    [Fact]
    public void Memory_reserved_by_running_tasks_counts_against_their_node()
    {
        var db = Spec("db").WithMemory(600 * 1024 * 1024);
        var cache = Spec("cache", replicas: 2);
        var web = Spec("web").WithMemory(600 * 1024 * 1024);
        var state = Given(SwarmInit(), Node("n1", NodeRole.Manager, memoryBytes: GiB), Node("n2", memoryBytes: 8 * GiB))
            .And(Service(db), Service(cache), Service(web))
            .And(Running("db1", db, 1, "n1")).And(Running("c1", cache, 1, "n2")).And(Running("c2", cache, 2, "n2"))
            .And(Created("web1", web, 1));

        // n1 runs fewer tasks, but 600 MiB of its 1 GiB are already reserved.
        Assert.Equal([new TaskAssigned("web1", "n2", At(1))], Schedule(state));
    }

    [Fact]
    public void The_same_state_always_gives_the_same_placement()
    {
        var web = Spec("web", replicas: 7);
        var api = Spec("api", replicas: 5);
        ClusterState Build(params string[] nodes) =>
            Given(Cluster(nodes)).And(Service(web), Service(api)).And(Waiting(web, 7, "w")).And(Waiting(api, 5, "a"));

        var first = WithReasons(Build("n1", "n2", "n3"));

        Assert.Equal(first, WithReasons(Build("n1", "n2", "n3")));
        Assert.Equal(first, WithReasons(Build("n1", "n3", "n2")));
    }

    [Fact]
    public void A_global_task_is_only_checked_against_its_own_node()
    {
        var agent = GlobalSpec("agent");
        var state = Given(Cluster("n1", "n2")).And(Service(agent)).And(CreatedOn("n2", "g", agent));

        Assert.Equal([new TaskAssigned("g", "n2", At(1))], Schedule(state));
        Assert.Equal([new TaskUnschedulable("g", "no suitable node (1 node not available for new tasks)", At(2))],
            Schedule(state.And(NodeDown("n2", 1)), 2));
    }

    [Fact]
    public void A_delayed_restart_is_placed_so_it_can_be_prepared_but_unwanted_tasks_are_not()
    {
        var web = Spec("web", replicas: 3);
        var state = Given(Cluster("n1")).And(Service(web))
            .And(Created("ready", web, 1, desired: TaskState.Ready, notBefore: 5))
            .And(Created("stopped", web, 2), Desired("stopped", TaskState.Shutdown))
            .And(Created("removed", web, 3), Desired("removed", TaskState.Remove));

        Assert.Equal([new TaskAssigned("ready", "n1", At(1))], Schedule(state));
    }
}
