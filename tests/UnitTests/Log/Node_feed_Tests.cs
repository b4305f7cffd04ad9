using EventSwarm.Application.Log;
using EventSwarm.Domain.Networking;

namespace EventSwarm.UnitTests.Log;

/// <summary>
/// The per-node feed (what swarmkit's dispatcher sends one node): each committed event routed once, to the nodes it
/// concerns; a node's scoped projection built from it holds its own tasks whole and takes the gaps.
/// </summary>
public sealed class Node_feed_Tests
{
    private static readonly EventMetadata Metadata = new(T0, "test", "Test", "c");
    private static readonly ServiceSpec Web = Spec("web", 2);

    private static (ClusterProjection Manager, NodeFeed Feed) Swarm()
    {
        var manager = new ClusterProjection();
        manager.Apply(new EventBatch("b0", Metadata, [.. Cluster("n1", "n2", "n3"), Service(Web)]));
        return (manager, new NodeFeed(manager));
    }

    private static ClusterProjection Follower(NodeFeed feed, string node)
    {
        var follower = new ClusterProjection { Scoped = true };
        follower.Restore(feed.StateFor(node));
        return follower;
    }

    private static IReadOnlyList<RecordedEvent> Follow(NodeFeed feed, string node, ClusterProjection follower)
    {
        feed.Advance();
        Assert.True(feed.TryEventsFor(node, follower.Current.LastSequence, out var events));
        follower.ApplyRecorded(events);
        return events;
    }

    [Fact]
    public void A_node_gets_its_swarm_its_own_record_and_the_managers_but_no_other_worker_nor_anyone_elses_tasks()
    {
        var (manager, feed) = Swarm();
        manager.Apply(new EventBatch("b1", Metadata, [.. RunningOn("n3", "t9", Web)]));
        var state = feed.StateFor("n2");
        Assert.NotNull(state.Swarm);
        Assert.Equal(["n1", "n2"], state.Nodes.Keys);
        Assert.Empty(state.Tasks);
        Assert.Empty(state.Services);
        Assert.Equal(manager.Current.LastSequence, state.LastSequence);
    }

    [Fact]
    public void A_task_assigned_to_a_node_reaches_it_whole_with_its_service_and_nowhere_else()
    {
        var (manager, feed) = Swarm();
        var (n2, n3) = (Follower(feed, "n2"), Follower(feed, "n3"));
        manager.Apply(new EventBatch("b1", Metadata, [Created("t1", Web, 1), Created("t2", Web, 2)]));
        manager.Apply(new EventBatch("b2", Metadata, [Assigned("t1", "n2"), Assigned("t2", "n3")]));
        manager.Apply(new EventBatch("b3", Metadata, [Reported("t1", "n2", TaskState.Running)]));

        var toN2 = Follow(feed, "n2", n2);
        Follow(feed, "n3", n3);

        Assert.Equal(["ServiceCreated", "TaskCreated", "TaskAssigned", "TaskStatusReported"], toN2.Select(e => e.Event.GetType().Name));
        Assert.DoesNotContain(toN2, e => e.Event is TaskEvent && EventSwarm.Domain.History.EventSubject.Of(e.Event, ClusterState.Initial, ClusterState.Initial).Id == "t2");
        Assert.Equal(TaskState.Running, n2.Current.Tasks["t1"].Status.State);
        Assert.Equal("n2", n2.Current.Tasks["t1"].NodeId);
        Assert.Equal(["web"], n2.Current.Services.Keys);
        Assert.Equal(["t1"], n2.Current.Tasks.Keys);
        Assert.Equal(["t2"], n3.Current.Tasks.Keys);
        Assert.Equal(TaskState.Assigned, n3.Current.Tasks["t2"].Status.State);
    }

    [Fact]
    public void A_node_going_down_reaches_every_node_and_applies_as_nothing_where_the_node_is_not_held()
    {
        var (manager, feed) = Swarm();
        var (n2, n3) = (Follower(feed, "n2"), Follower(feed, "n3"));
        manager.Apply(new EventBatch("b1", Metadata, [NodeDown("n3")]));

        Assert.Single(Follow(feed, "n2", n2));
        Assert.Single(Follow(feed, "n3", n3));
        Assert.False(n2.Current.Nodes.ContainsKey("n3"));
        Assert.Equal(NodeStatus.Down, n3.Current.Nodes["n3"].Status);
        Assert.Equal((1L, 2L), feed.Routed);
    }

    [Fact]
    public void Events_are_routed_once_however_often_nodes_ask_and_what_a_node_acknowledged_is_dropped()
    {
        var (manager, feed) = Swarm();
        var n2 = Follower(feed, "n2");
        manager.Apply(new EventBatch("b1", Metadata, [.. RunningOn("n2", "t1", Web), .. RunningOn("n3", "t2", Web)]));
        Follow(feed, "n2", n2);
        feed.Advance();
        feed.Advance();
        Assert.Equal(6L, feed.Routed.Events);
        Assert.True(feed.TryEventsFor("n2", n2.Current.LastSequence, out var again));
        Assert.Empty(again);
    }

    [Fact]
    public void A_node_the_feed_does_not_know_or_a_feed_that_restarted_must_read_the_state_again()
    {
        var (manager, feed) = Swarm();
        Assert.False(feed.TryEventsFor("n2", 0, out _));
        var n2 = Follower(feed, "n2");
        manager.Restore(manager.Current);
        feed.Advance();
        Assert.False(feed.TryEventsFor("n2", n2.Current.LastSequence, out _));
    }

    [Fact]
    public void Only_a_scoped_projection_takes_gaps_and_events_about_objects_it_lacks()
    {
        var gap = new[] { new RecordedEvent(5, Metadata, NodeDown("n9")), new RecordedEvent(9, Metadata, Assigned("t9", "n9")) };
        var scoped = new ClusterProjection { Scoped = true };
        scoped.ApplyRecorded(gap);
        Assert.Equal(9, scoped.Current.LastSequence);
        Assert.Empty(scoped.Current.Tasks);
        Assert.Throws<InvalidOperationException>(() => new ClusterProjection().ApplyRecorded(gap));
    }

    [Fact]
    public void A_tasks_network_addresses_come_with_it()
    {
        var (manager, feed) = Swarm();
        var n2 = Follower(feed, "n2");
        var attachment = new NetworkAttachment("net1", "10.0.0.5/24");
        manager.Apply(new EventBatch("b1", Metadata, [Created("t1", Web, 1), new TaskAddressesAllocated("t1", [attachment], T0)]));
        manager.Apply(new EventBatch("b2", Metadata, [Assigned("t1", "n2")]));
        Follow(feed, "n2", n2);
        Assert.Equal(attachment, Assert.Single(n2.Current.Tasks["t1"].Networks));
    }
}
