using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Three real nodes (one manager, two workers, 1 s heartbeats): a worker cut off by the network, a worker whose
/// engine and agent die, a worker that leaves. Each test runs its own service and brings the node back.
/// </summary>
[Collection(WorkersJoinedWithTokensCollection.Name)]
public sealed class Node_failure_Tests(WorkersJoinedWithTokens fixture)
{
    private NamespaceCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_cut_off_worker_is_Down_its_tasks_move_and_once_healed_no_slot_runs_twice()
    {
        await fixture.AllReadyAsync();
        await fixture.CreateSixReplicasAsync("cut");
        foreach (var node in new[] { 1, 2, 3 })
            Assert.Equal(2, await Cluster.RunningContainersAsync(node, "cut"));

        // No packet crosses: the manager hears nothing, not even a closed connection, so only the heartbeats tell.
        await Cluster.SetLinkAsync(3, up: false);
        try
        {
            await fixture.NodeIsAsync(3, "Down");
            await fixture.TasksRunOnlyOnAsync("cut", [1, 2]);
            Assert.Equal(2, await Cluster.RunningContainersAsync(3, "cut"));   // cut off, n3 cannot know it should stop them
        }
        finally
        {
            await Cluster.SetLinkAsync(3, up: true);
        }
        await fixture.NodeIsAsync(3, "Ready");
        await Eventually.True(async () => await Cluster.RunningContainersAsync(3, "cut") == 0, TimeSpan.FromSeconds(30),
            "n3 stops the tasks that were replaced while it was cut off");
        await fixture.OneContainerPerSlotAsync("cut");
        (await Cluster.EventSwarm(1, "service", "rm", "cut")).ShouldSucceed();
    }

    [Fact]
    public async Task A_worker_whose_engine_and_agent_die_comes_back_without_its_old_containers()
    {
        await fixture.AllReadyAsync();
        await fixture.CreateSixReplicasAsync("crashed");
        await Eventually.True(async () => await Cluster.RunningContainersAsync(2, "crashed") > 0, TimeSpan.FromSeconds(60), "n2 runs some of crashed");

        // The engine and the agent die together (the containers with them), then come back.
        await Cluster.KillAgentAsync(2);
        await Cluster.KillEngineAsync(2);
        await fixture.NodeIsAsync(2, "Down");
        await fixture.TasksRunOnlyOnAsync("crashed", [1, 3]);
        await Cluster.RestartMissingAgentsAsync();
        await fixture.NodeIsAsync(2, "Ready");
        await Eventually.True(async () => (await Cluster.Engine(2, "ps", "-aq", "--filter", "label=eventswarm.service.name=crashed")).Output.Trim() == "",
            TimeSpan.FromSeconds(30), "n2's old containers are removed");
        await fixture.OneContainerPerSlotAsync("crashed");
        (await Cluster.EventSwarm(1, "service", "rm", "crashed")).ShouldSucceed();
    }

    [Fact]
    public async Task The_only_manager_must_insist_to_leave() =>
        (await Cluster.EventSwarm(1, "swarm", "leave")).ShouldFailWith("Removing the last manager erases all current state of the swarm");

    [Fact]
    public async Task A_worker_that_leaves_is_Down_for_the_others_takes_its_containers_and_can_be_removed()
    {
        await fixture.AllReadyAsync();
        await fixture.CreateSixReplicasAsync("leaver");
        await Eventually.True(async () => await Cluster.RunningContainersAsync(3, "leaver") > 0, TimeSpan.FromSeconds(60), "n3 runs some of leaver");
        Assert.Equal("Node left the swarm.", (await Cluster.Docker(3, "swarm", "leave")).ShouldSucceed().Output.Trim());
        try
        {
            (await Cluster.EventSwarm(3, "node", "ls")).ShouldFailWith("not a swarm manager");
            await fixture.NodeIsAsync(3, "Down");
            await Eventually.True(async () => (await Cluster.Engine(3, "ps", "-aq", "--filter", "label=eventswarm.service.name=leaver")).Output.Trim() == "",
                TimeSpan.FromSeconds(30), "n3's task containers are removed when it leaves");
            await fixture.TasksRunOnlyOnAsync("leaver", [1, 2]);
            (await Cluster.EventSwarm(1, "node", "rm", "n3")).ShouldSucceed();
            Assert.DoesNotContain((await Cluster.EventSwarm(1, "node", "ls")).ShouldSucceed().Rows, r => r.Contains(" n3 "));
        }
        finally
        {
            // Back as the other tests expect it: n3 a Ready worker again (its old entry removed first, as Swarm asks).
            await Cluster.EventSwarm(1, "node", "rm", "--force", "n3");
            (await Cluster.EventSwarm(3, "swarm", "join", "--token", fixture.WorkerToken, WorkersJoinedWithTokens.Manager)).ShouldSucceed();
            await fixture.AllReadyAsync();
            (await Cluster.EventSwarm(1, "service", "rm", "leaver")).ShouldSucceed();
        }
    }
}
