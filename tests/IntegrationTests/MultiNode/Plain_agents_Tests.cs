using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Three real nodes whose agents were started with no address at all, as dockerd is: the swarm's addresses come
/// from `swarm init` and `swarm join`, survive a restart of every agent, and go with `swarm leave`.
/// </summary>
public sealed class Plain_agents_Tests
{
    [Fact]
    public async Task Agents_started_without_addresses_form_a_swarm_from_init_and_join_come_back_whole_after_all_restart_and_a_leave_closes_the_listener()
    {
        await using var cluster = await NamespaceCluster.StartAsync(3);
        var manager = $"{NamespaceCluster.Address(1)}:2377";
        Assert.False(await ListensAsync(NamespaceCluster.Address(1)), "a node in no swarm listens for no other node");

        var init = (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed().Output;
        Assert.Contains($"eventswarm swarm join --token SWMTKN-1-", init);
        Assert.Contains($" {manager}", init);
        var workerToken = (await cluster.Docker(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        var managerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        // Neither join names an address: each node is known by the one it reaches the manager from.
        Assert.Contains("as a worker", (await cluster.Docker(2, "swarm", "join", "--token", workerToken, manager)).ShouldSucceed().Output);
        Assert.Contains("as a manager", (await cluster.EventSwarm(3, "swarm", "join", "--token", managerToken, manager)).ShouldSucceed().Output);
        await Eventually.True(async () =>
        {
            var rows = (await cluster.EventSwarm(1, "node", "ls")).Rows;
            return rows.Count(r => r.Contains("Ready")) == 3 && Row(rows, "n1").Contains("Leader") && Row(rows, "n3").Contains("Reachable");
        }, TimeSpan.FromSeconds(30), "three nodes are Ready, n1 leads and n3 is a reachable manager");
        Assert.Equal(NamespaceCluster.Address(2), (await cluster.Docker(1, "node", "inspect", "n2", "--format", "{{.Status.Addr}}")).ShouldSucceed().Output.Trim());
        Assert.Equal($"{NamespaceCluster.Address(3)}:2377",
            (await cluster.Docker(1, "node", "inspect", "n3", "--format", "{{.ManagerStatus.Addr}}")).ShouldSucceed().Output.Trim());

        (await cluster.Docker(1, "service", "create", "-d", "--name", "web", "--replicas", "3", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => RunningTasks(await cluster.EventSwarm(3, "service", "ps", "web")) == 3, TimeSpan.FromSeconds(60),
            "web's three tasks run");

        foreach (var node in new[] { 1, 2, 3 }) await cluster.KillAgentAsync(node);
        await cluster.RestartMissingAgentsAsync();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(60), "every node is Ready again after every agent restarted");
        await Eventually.True(async () => (await cluster.EventSwarm(3, "service", "scale", "-d", "web=4")).ExitCode == 0, TimeSpan.FromSeconds(30),
            "a new command is committed");
        await Eventually.True(async () => RunningTasks(await cluster.EventSwarm(1, "service", "ps", "web")) == 4, TimeSpan.FromSeconds(60),
            "web's tasks run again, the new one too");
        var containers = 0;
        foreach (var node in new[] { 1, 2, 3 }) containers += await cluster.RunningContainersAsync(node, "web");
        Assert.Equal(4, containers);

        Assert.True(await ListensAsync(NamespaceCluster.Address(2)), "the worker listens for the others while in the swarm");
        (await cluster.EventSwarm(2, "swarm", "leave", "--force")).ShouldSucceed();
        Assert.False(await ListensAsync(NamespaceCluster.Address(2)), "after `swarm leave` nothing answers on the worker's :2377");
        Assert.Contains("inactive", (await cluster.Docker(2, "info", "--format", "{{.Swarm.LocalNodeState}}")).ShouldSucceed().Output);
    }

    private static string Row(IReadOnlyList<string> rows, string hostname) => rows.FirstOrDefault(r => r.Contains($" {hostname} ")) ?? "";

    private static int RunningTasks(CommandResult servicePs) =>
        servicePs.Rows.Count(r => !r.Contains("\\_") && Regex.IsMatch(r, @"Running\s+Running"));

    /// <summary>Whether anything accepts a connection on the node's swarm port (from the bridge the namespaces share).</summary>
    private static async Task<bool> ListensAsync(string address)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Parse(address), 2377).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
