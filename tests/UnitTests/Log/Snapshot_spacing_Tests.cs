using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Log.History;

namespace EventSwarm.UnitTests.Log;

/// <summary>
/// Snapshots and history checkpoints cost the whole state: at a million tasks they are spaced by the state's size,
/// while small states keep the spacing they had (issue 16).
/// </summary>
#pragma warning disable DOTNEXT001
public sealed class Snapshot_spacing_Tests
{
    [Fact]
    public void A_small_state_is_snapshotted_every_configured_number_of_entries_whatever_the_bytes()
    {
        Assert.False(ClusterStateMachine.SnapshotDue(entries: 3, bytes: 1 << 30, every: 4, lastSnapshotBytes: 10_000));
        Assert.True(ClusterStateMachine.SnapshotDue(entries: 4, bytes: 100, every: 4, lastSnapshotBytes: 10_000));
        Assert.True(ClusterStateMachine.SnapshotDue(entries: 4, bytes: 100, every: 4, lastSnapshotBytes: 0));
    }

    [Fact]
    public void A_large_snapshot_waits_until_the_log_since_it_holds_as_many_bytes()
    {
        const long large = ClusterStateMachine.LargeSnapshotBytes * 20;
        Assert.False(ClusterStateMachine.SnapshotDue(entries: 50_000, bytes: large - 1, every: 10_000, lastSnapshotBytes: large));
        Assert.True(ClusterStateMachine.SnapshotDue(entries: 50_000, bytes: large, every: 10_000, lastSnapshotBytes: large));
        Assert.False(ClusterStateMachine.SnapshotDue(entries: 9_999, bytes: 2 * large, every: 10_000, lastSnapshotBytes: large));
    }

    [Fact]
    public void History_checkpoints_of_a_small_state_keep_the_configured_spacing()
    {
        Assert.Equal(5_000, EventHistoryStore.CheckpointSpacing(5_000, ClusterState.Initial));
        var template = Spec().TaskTemplate;
        var state = Given(Enumerable.Range(0, 20_000)
            .Select(i => (DomainEvent)new TaskCreated($"t{i:D6}", "web", "web", i + 1, null, template, 1, TaskState.Running, T0)).ToArray());
        Assert.Equal(5_000, EventHistoryStore.CheckpointSpacing(5_000, state));
    }

    [Fact]
    public void History_checkpoints_of_a_large_state_are_spaced_by_its_number_of_objects()
    {
        var template = Spec().TaskTemplate;
        var state = Given(Enumerable.Range(0, 60_000)
            .Select(i => (DomainEvent)new TaskCreated($"t{i:D6}", "web", "web", i + 1, null, template, 1, TaskState.Running, T0)).ToArray());
        Assert.Equal(60_000, EventHistoryStore.CheckpointSpacing(5_000, state));
    }
}
