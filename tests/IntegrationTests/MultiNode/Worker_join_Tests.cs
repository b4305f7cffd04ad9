using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>Three real nodes (namespaces, engines, agents): one manager, two workers that joined with a token.</summary>
[Collection(WorkersJoinedWithTokensCollection.Name)]
public sealed class Worker_join_Tests(WorkersJoinedWithTokens fixture)
{
    private NamespaceCluster Cluster => fixture.Cluster;

    [Fact]
    public void A_join_with_a_token_whose_secret_is_wrong_is_refused() =>
        fixture.WrongSecretJoin.ShouldFailWith("the secret is wrong or has been rotated");

    [Fact]
    public async Task Workers_that_join_with_the_token_through_either_CLI_are_Ready() => await fixture.AllReadyAsync();

    [Fact]
    public async Task A_worker_refuses_to_change_the_cluster() =>
        (await Cluster.Docker(2, "service", "create", "-d", "--name", "x", "busybox", "sleep", "1")).ShouldFailWith("not a swarm manager");

    [Fact]
    public async Task A_service_s_replicas_are_spread_evenly_over_the_nodes()
    {
        await fixture.AllReadyAsync();
        await fixture.CreateSixReplicasAsync("spread");
        foreach (var node in new[] { 1, 2, 3 })
            Assert.Equal(2, await Cluster.RunningContainersAsync(node, "spread"));
        (await Cluster.EventSwarm(1, "service", "rm", "spread")).ShouldSucceed();
    }

    [Fact]
    public async Task A_dead_worker_s_tasks_move_and_do_not_run_twice_when_it_returns()
    {
        await fixture.AllReadyAsync();
        await fixture.CreateSixReplicasAsync("moved");
        await Eventually.True(async () => await Cluster.RunningContainersAsync(3, "moved") > 0, TimeSpan.FromSeconds(60), "n3 runs some of moved");

        await Cluster.KillAgentAsync(3);
        await fixture.NodeIsAsync(3, "Down");
        await fixture.TasksRunOnlyOnAsync("moved", [1, 2]);
        Assert.Equal(6, await Cluster.RunningContainersAsync(1, "moved") + await Cluster.RunningContainersAsync(2, "moved"));

        await Cluster.RestartMissingAgentsAsync();
        await fixture.AllReadyAsync();   // n3 is Ready again
        await Eventually.True(async () => await Cluster.RunningContainersAsync(3, "moved") == 0, TimeSpan.FromSeconds(30),
            "n3's stale containers are stopped, so no slot runs twice");
        Assert.Equal(6, await Cluster.RunningContainersAsync(1, "moved") + await Cluster.RunningContainersAsync(2, "moved"));
        (await Cluster.EventSwarm(1, "service", "rm", "moved")).ShouldSucceed();
    }
}
