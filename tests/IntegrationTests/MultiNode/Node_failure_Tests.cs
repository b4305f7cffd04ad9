using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>Three real nodes (one manager, two workers, 1 s heartbeats): a worker cut off by the network, then a worker whose engine and agent die.</summary>
public sealed class Node_failure_Tests
{
    [Fact]
    public async Task A_cut_off_worker_is_down_its_tasks_move_and_after_healing_no_slot_runs_twice_then_a_killed_worker_returns_without_its_old_containers()
    {
        await using var cluster = await NamespaceCluster.StartJoinedAsync(3);
        (await cluster.EventSwarm(1, "service", "create", "--name", "web", "--replicas", "6", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        foreach (var node in new[] { 1, 2, 3 })
            Assert.Equal(2, await cluster.RunningContainersAsync(node, "web"));

        // No packet crosses: the manager hears nothing, not even a closed connection, so only the heartbeats tell.
        await cluster.SetLinkAsync(3, up: false);
        await NodeIsAsync(cluster, 3, "Down");
        await TasksRunOnlyOnAsync(cluster, [1, 2]);
        Assert.Equal(2, await cluster.RunningContainersAsync(3, "web"));   // cut off, n3 cannot know it should stop them

        await cluster.SetLinkAsync(3, up: true);
        await NodeIsAsync(cluster, 3, "Ready");
        await Eventually.True(async () => await cluster.RunningContainersAsync(3, "web") == 0, TimeSpan.FromSeconds(30),
            "n3 stops the tasks that were replaced while it was cut off");
        await OneContainerPerSlotAsync(cluster);

        // The engine and the agent die together (the containers with them), then come back.
        await cluster.KillAgentAsync(2);
        await cluster.KillEngineAsync(2);
        await NodeIsAsync(cluster, 2, "Down");
        await TasksRunOnlyOnAsync(cluster, [1, 3]);
        await cluster.RestartMissingAgentsAsync();
        await NodeIsAsync(cluster, 2, "Ready");
        await Eventually.True(async () => (await cluster.Engine(2, "ps", "-aq", "--filter", "label=eventswarm.service.name=web")).Output.Trim() == "",
            TimeSpan.FromSeconds(30), "n2's old containers are removed");
        await OneContainerPerSlotAsync(cluster);

        // Leaving: the only manager must insist; a worker leaves, is Down for the others until removed, and takes
        // its task containers with it.
        (await cluster.EventSwarm(1, "swarm", "leave")).ShouldFailWith("Removing the last manager erases all current state of the swarm");
        await Eventually.True(async () => await cluster.RunningContainersAsync(3, "web") > 0, TimeSpan.FromSeconds(60), "n3 runs some of web again");
        Assert.Equal("Node left the swarm.", (await cluster.Docker(3, "swarm", "leave")).ShouldSucceed().Output.Trim());
        (await cluster.EventSwarm(3, "node", "ls")).ShouldFailWith("not a swarm manager");
        await NodeIsAsync(cluster, 3, "Down");
        await Eventually.True(async () => (await cluster.Engine(3, "ps", "-aq", "--filter", "label=eventswarm.service.name=web")).Output.Trim() == "",
            TimeSpan.FromSeconds(30), "n3's task containers are removed when it leaves");
        await TasksRunOnlyOnAsync(cluster, [1, 2]);
        (await cluster.EventSwarm(1, "node", "rm", "n3")).ShouldSucceed();
        Assert.DoesNotContain((await cluster.EventSwarm(1, "node", "ls")).ShouldSucceed().Rows, r => r.Contains(" n3 "));
    }

    private static Task NodeIsAsync(NamespaceCluster cluster, int node, string status) =>
        Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Any(r => r.Contains($" n{node} ") && r.Contains(status)),
            TimeSpan.FromSeconds(30), $"n{node} is {status}");

    private static Task TasksRunOnlyOnAsync(NamespaceCluster cluster, int[] nodes) =>
        Eventually.True(async () =>
        {
            var tasks = (await cluster.EventSwarm(1, "service", "ps", "web")).Rows.Where(r => !r.Contains("\\_")).ToList();
            return tasks.Count == 6 && tasks.All(r => Regex.IsMatch(r, @"Running\s+Running") && nodes.Any(n => r.Contains($" n{n} ")));
        }, TimeSpan.FromSeconds(60), $"web's six tasks run on {string.Join(", ", nodes.Select(n => $"n{n}"))}");

    /// <summary>Across every engine of the cluster, each of web's six slots has exactly one running container.</summary>
    private static async Task OneContainerPerSlotAsync(NamespaceCluster cluster)
    {
        var names = new List<string>();
        foreach (var node in Enumerable.Range(1, cluster.Nodes))
            names.AddRange((await cluster.Engine(node, "ps", "--format", "{{.Names}}", "--filter", "label=eventswarm.service.name=web")).ShouldSucceed()
                .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var slots = names.GroupBy(n => n.Split('.')[1]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, slots.Count);
        Assert.All(slots, slot => Assert.Equal(1, slot.Value));
    }
}
