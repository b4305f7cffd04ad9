using System.Diagnostics;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>Five real nodes: three managers that replicate the log through Raft, two workers.</summary>
public sealed class Manager_failover_Tests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_leader_under_a_stream_of_commands_loses_no_acknowledged_command_and_managers_converge()
    {
        await using var cluster = await NamespaceCluster.StartAsync(5);
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var managerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        var workerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();

        Assert.Contains("as a manager", (await cluster.EventSwarm(2, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed().Output);
        // Through a follower: it forwards the join to the leader, and any manager can sign the certificate.
        Assert.Contains("as a manager", (await cluster.Docker(3, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(2)}:2377")).ShouldSucceed().Output);
        (await cluster.EventSwarm(4, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(3)}:2377")).ShouldSucceed();
        (await cluster.EventSwarm(5, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(2, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 5,
            TimeSpan.FromSeconds(30), "five nodes are Ready");
        var nodes = (await cluster.EventSwarm(3, "node", "ls")).Rows;
        Assert.Single(nodes, r => r.Contains(" n1 ") && r.Contains("Leader"));
        Assert.Equal(2, nodes.Count(r => r.Contains("Reachable")));

        // Written through followers; placement rules see every node.
        (await cluster.EventSwarm(2, "service", "create", "--name", "web", "--replicas", "4", "--constraint", "node.role==manager",
            "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        Assert.Equal(4, await cluster.RunningContainersAsync(1, "web") + await cluster.RunningContainersAsync(2, "web") + await cluster.RunningContainersAsync(3, "web"));

        // A stream of commands through n2 while the leader is killed: every acknowledged one must survive.
        var acknowledged = new List<int>();
        var stopwatch = Stopwatch.StartNew();
        TimeSpan? killedAt = null, firstAfterKill = null;
        for (var i = 0; i < 30; i++)
        {
            if (i == 8)
            {
                await cluster.KillAgentAsync(1);
                killedAt = stopwatch.Elapsed;
            }
            var result = await cluster.EventSwarm(2, "node", "update", "--label-add", $"stream.{i}={i}", "n4");
            if (result.ExitCode == 0)
            {
                acknowledged.Add(i);
                if (killedAt is not null && firstAfterKill is null) firstAfterKill = stopwatch.Elapsed - killedAt;
            }
            else
                Assert.Contains("leader", result.Error + result.Output);
        }
        output.WriteLine($"first command acknowledged {firstAfterKill?.TotalSeconds:0.00} s after the leader was killed; {acknowledged.Count}/30 acknowledged");
        Assert.NotNull(firstAfterKill);
        // n2 answered each command only after applying it; n3 learns the last commit index with the next heartbeat.
        var labelsOnN2 = (await cluster.Docker(2, "node", "inspect", "--format", "{{json .Spec.Labels}}", "n4")).ShouldSucceed().Output;
        foreach (var i in acknowledged) Assert.Contains($"\"stream.{i}\":\"{i}\"", labelsOnN2);
        await Eventually.True(async () =>
        {
            var labels = (await cluster.Docker(3, "node", "inspect", "--format", "{{json .Spec.Labels}}", "n4")).Output;
            return acknowledged.All(i => labels.Contains($"\"stream.{i}\":\"{i}\""));
        }, TimeSpan.FromSeconds(5), "every acknowledged command is applied on n3 too");
        Assert.Contains((await cluster.EventSwarm(3, "node", "ls")).Rows, r => r.Contains(" n1 ") && r.Contains("Unreachable"));

        // The old leader comes back as a follower and catches up: all three projections end identical.
        await cluster.RestartMissingAgentsAsync();
        await Eventually.True(async () =>
        {
            var views = await Task.WhenAll(new[] { 1, 2, 3 }.Select(cluster.LogAsync));
            return views[0].LastSequence > 0 && views.All(v => v == views[0]);
        }, TimeSpan.FromSeconds(60), "the three managers hold the same state (same digest)");
        // n1's engine kept running the containers of its orphaned tasks; its agent stops them once back.
        await Eventually.True(async () => await cluster.RunningContainersAsync(1, "web") + await cluster.RunningContainersAsync(2, "web")
            + await cluster.RunningContainersAsync(3, "web") == 4, TimeSpan.FromSeconds(30), "web runs exactly its 4 replicas, none twice");

        // Two of three managers gone: no quorum. Writes fail with Swarm's message instead of hanging; reads answer.
        await cluster.KillAgentAsync(1);
        await cluster.KillAgentAsync(3);
        var refused = Stopwatch.StartNew();
        (await cluster.EventSwarm(2, "service", "scale", "-d", "web=5")).ShouldFailWith("does not have a leader");
        output.WriteLine($"write without quorum refused after {refused.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains((await cluster.EventSwarm(2, "service", "ls")).ShouldSucceed().Rows, r => r.Contains("web") && r.Contains("4/4"));

        // Swarm's way out: the survivor forces a new cluster of itself, keeping every service, and takes writes again.
        (await cluster.EventSwarm(2, "swarm", "init", "--force-new-cluster", "--advertise-addr", NamespaceCluster.Address(2))).ShouldSucceed();
        (await cluster.EventSwarm(2, "service", "scale", "-d", "web=5")).ShouldSucceed();
        Assert.Contains((await cluster.EventSwarm(2, "service", "ls")).ShouldSucceed().Rows, r => r.Contains("web") && r.Contains("/5"));
        var managers = (await cluster.EventSwarm(2, "node", "ls")).ShouldSucceed().Rows;
        Assert.Contains(managers, r => r.Contains(" n2 ") && r.Contains("Leader"));
        Assert.Contains(managers, r => r.Contains(" n1 ") && r.Contains("Unreachable"));
    }
}
