using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>Four real nodes; roles change while tasks run: a worker is promoted, managers (the leader too) demoted.</summary>
public sealed class Promotion_Tests
{
    [Fact]
    public async Task Promoted_workers_join_the_Raft_cluster_and_demoted_managers_leave_it_while_their_tasks_keep_running()
    {
        await using var cluster = await NamespaceCluster.StartAsync(4);
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var managerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        var workerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        (await cluster.EventSwarm(2, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        (await cluster.EventSwarm(3, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        // n4 follows n2, which is demoted below: it must move to a manager on its own.
        (await cluster.EventSwarm(4, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(2)}:2377")).ShouldSucceed();
        (await cluster.EventSwarm(1, "service", "create", "--name", "web", "--replicas", "4", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();

        Assert.Contains("promoted to a manager", (await cluster.EventSwarm(2, "node", "promote", "n3")).ShouldSucceed().Output);
        await Eventually.True(async () => Row(await cluster.EventSwarm(3, "node", "ls"), "n3").Contains("Reachable"), TimeSpan.FromSeconds(30),
            "n3 is a Raft member and answers node ls itself");

        (await cluster.Docker(3, "node", "demote", "n2")).ShouldSucceed();
        await Eventually.True(async () =>
        {
            var refused = await cluster.EventSwarm(2, "service", "scale", "-d", "web=4");  // even a no-op is refused on a worker
            return refused.ExitCode != 0 && (refused.Error + refused.Output).Contains("not a swarm manager");
        }, TimeSpan.FromSeconds(30), "n2 is a worker: it refuses cluster changes");

        // The leader itself: it stops leading, and n3 (the only other manager left) takes over.
        (await cluster.EventSwarm(3, "node", "demote", "n1")).ShouldSucceed();
        await Eventually.True(async () => Row(await cluster.EventSwarm(3, "node", "ls"), "n3").Contains("Leader"), TimeSpan.FromSeconds(30),
            "n3 leads after the leader was demoted");
        await Eventually.True(async () => (await cluster.EventSwarm(3, "service", "scale", "-d", "web=5")).ExitCode == 0, TimeSpan.FromSeconds(30),
            "commands succeed on the new leader");

        await Eventually.True(async () =>
        {
            var rows = (await cluster.EventSwarm(3, "node", "ls")).Rows;
            return rows.Count(r => r.Contains("Ready")) == 4 && rows.Count(r => r.Contains("Leader") || r.Contains("Reachable")) == 1;
        }, TimeSpan.FromSeconds(45), "every node is Ready and n3 is the one manager");
        await Eventually.True(async () =>
        {
            var tasks = (await cluster.EventSwarm(3, "service", "ps", "web")).Rows.Where(r => !r.Contains("\\_")).ToList();
            var containers = 0;
            foreach (var node in new[] { 1, 2, 3, 4 }) containers += await cluster.RunningContainersAsync(node, "web");
            return tasks.Count == 5 && tasks.All(r => Regex.IsMatch(r, @"Running\s+Running")) && containers == 5;
        }, TimeSpan.FromSeconds(45), "web's five tasks run, one container each, through every role change");
    }

    private static string Row(CommandResult nodeLs, string hostname) => nodeLs.Rows.FirstOrDefault(r => r.Contains($" {hostname} ")) ?? "";
}
