using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>Three real nodes (namespaces, engines, agents): one manager, two workers that join with a token.</summary>
public sealed class Worker_join_Tests
{
    [Fact]
    public async Task Workers_join_with_a_token_run_spread_tasks_and_a_dead_worker_s_tasks_move_and_do_not_run_twice_when_it_returns()
    {
        await using var cluster = await NamespaceCluster.StartAsync(3);
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var token = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        var manager = $"{NamespaceCluster.Address(1)}:2377";

        (await cluster.Docker(2, "swarm", "join", "--token", token[..^25] + new string('x', 25), manager)).ShouldFailWith("the secret is wrong or has been rotated");
        (await cluster.Docker(2, "swarm", "join", "--token", token, manager)).ShouldSucceed();
        (await cluster.EventSwarm(3, "swarm", "join", "--token", token, manager)).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(30), "three nodes are Ready");
        (await cluster.Docker(2, "service", "create", "-d", "--name", "x", "busybox", "sleep", "1")).ShouldFailWith("not a swarm manager");

        (await cluster.EventSwarm(1, "service", "create", "--name", "web", "--replicas", "6", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        foreach (var node in new[] { 1, 2, 3 })
            Assert.Equal(2, await cluster.RunningContainersAsync(node, "web"));

        await cluster.KillAgentAsync(3);
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Any(r => r.Contains(" n3 ") && r.Contains("Down")),
            TimeSpan.FromSeconds(30), "n3 is marked Down");
        await Eventually.True(async () =>
        {
            var tasks = (await cluster.EventSwarm(1, "service", "ps", "web")).Rows.Where(r => !r.Contains("\\_")).ToList();
            // Desired and current state both Running: the replacement's container has started.
            return tasks.Count == 6 && tasks.All(r => System.Text.RegularExpressions.Regex.IsMatch(r, @"Running\s+Running") && !r.Contains(" n3 "));
        }, TimeSpan.FromSeconds(60), "web's six tasks run on n1 and n2");
        Assert.Equal(6, await cluster.RunningContainersAsync(1, "web") + await cluster.RunningContainersAsync(2, "web"));

        await cluster.RestartMissingAgentsAsync();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(30), "n3 is Ready again");
        await Eventually.True(async () => await cluster.RunningContainersAsync(3, "web") == 0, TimeSpan.FromSeconds(30),
            "n3's stale containers are stopped, so no slot runs twice");
        Assert.Equal(6, await cluster.RunningContainersAsync(1, "web") + await cluster.RunningContainersAsync(2, "web"));
    }
}
