using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Nodes;

public sealed class NodeMonitor_Tests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private static IReadOnlyList<DomainEvent> Monitor(ClusterState state, double now, Dictionary<string, DateTimeOffset> beats, double watchingSince = 0) =>
        NodeMonitor.Reconcile(state, new ReconcileContext(At(now), () => "new"), beats, Period, At(watchingSince));

    [Fact]
    public void A_node_heard_within_three_periods_stays_ready()
    {
        var state = Given(Cluster("n1", "n2"));

        Assert.Empty(Monitor(state, 20, new() { ["n1"] = At(10), ["n2"] = At(6) }));
    }

    [Fact]
    public void A_node_silent_for_more_than_three_periods_is_marked_down_and_its_running_tasks_orphaned()
    {
        var web = Spec("web", replicas: 2);
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("t1", web, 1, "n1")).And(Running("t2", web, 2, "n2"));

        var events = Monitor(state, 20, new() { ["n1"] = At(19), ["n2"] = At(4) });

        Assert.Equal(
            [new NodeStatusChanged("n2", NodeStatus.Down, "heartbeat failure", At(20)), new TaskOrphaned("t2", "node n2 is down (heartbeat failure)", At(20))],
            events);
    }

    [Fact]
    public void A_node_never_heard_by_this_leader_gets_the_grace_from_when_the_leader_started_watching()
    {
        var state = Given(Cluster("n1", "n2"));

        Assert.Empty(Monitor(state, 14, new() { ["n1"] = At(13) }, watchingSince: 0));
        Assert.Contains(new NodeStatusChanged("n2", NodeStatus.Down, "heartbeat failure", At(16)), Monitor(state, 16, new() { ["n1"] = At(15) }, watchingSince: 0));
    }

    [Fact]
    public void A_node_whose_connection_closed_is_down_once_one_beat_is_late_by_the_margin()
    {
        var state = Given(Cluster("n1", "n2"));
        var lost = new Dictionary<string, DateTimeOffset> { ["n2"] = At(12) };

        Assert.Empty(NodeMonitor.Reconcile(state, new ReconcileContext(At(15.9), () => "new"), new Dictionary<string, DateTimeOffset> { ["n1"] = At(16), ["n2"] = At(10) }, Period, At(0), lost));
        Assert.Contains(new NodeStatusChanged("n2", NodeStatus.Down, "heartbeat failure", At(16.1)),
            NodeMonitor.Reconcile(state, new ReconcileContext(At(16.1), () => "new"), new Dictionary<string, DateTimeOffset> { ["n1"] = At(16), ["n2"] = At(10) }, Period, At(0), lost));
    }

    [Fact]
    public void A_node_that_beats_after_its_connection_closed_gets_the_full_grace_again()
    {
        var state = Given(Cluster("n1", "n2"));
        var lost = new Dictionary<string, DateTimeOffset> { ["n2"] = At(12) };

        Assert.Empty(NodeMonitor.Reconcile(state, new ReconcileContext(At(25), () => "new"), new Dictionary<string, DateTimeOffset> { ["n1"] = At(24), ["n2"] = At(13) }, Period, At(0), lost));
    }

    [Fact]
    public void A_down_node_that_beats_again_is_ready_and_a_down_node_still_silent_is_left_alone()
    {
        var state = Given(Cluster("n1", "n2", "n3")).And(NodeDown("n2", at: 20), NodeDown("n3", at: 20));

        var events = Monitor(state, 30, new() { ["n1"] = At(29), ["n2"] = At(28), ["n3"] = At(4) });

        Assert.Equal([new NodeStatusChanged("n2", NodeStatus.Ready, "", At(30))], events);
    }

    [Fact]
    public void Orphaned_tasks_of_a_down_node_are_replaced_on_another_node_after_the_restart_delay()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("t1", web, 1, "n2"));
        state = state.And(Monitor(state, 20, new() { ["n1"] = At(19), ["n2"] = At(1) }).ToArray());
        Assert.Equal(TaskState.Orphaned, state.Tasks["t1"].Status.State);

        var replaced = state.Reconcile(ReplicatedOrchestrator.Reconcile, At(20));

        Assert.Contains(new TaskDesiredStateChanged("t1", TaskState.Shutdown, At(20)), replaced);
        var created = Assert.Single(replaced.OfType<TaskCreated>());
        Assert.Equal((1L, TaskState.Ready, At(25)), (created.Slot, created.DesiredState, created.NotBefore));
    }

    [Fact]
    public void A_late_running_report_does_not_revive_an_orphaned_task()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1", "n2")).And(Service(web)).And(Running("t1", web, 1, "n2"))
            .And(new TaskOrphaned("t1", "node n2 is down (heartbeat failure)", At(20)), Reported("t1", "n2", TaskState.Running, 21));

        Assert.Equal(TaskState.Orphaned, state.Tasks["t1"].Status.State);
    }
}
