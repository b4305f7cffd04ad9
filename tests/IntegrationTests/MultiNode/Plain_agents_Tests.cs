using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Three real nodes whose agents were started with no address at all, as dockerd is: the swarm's addresses come
/// from `swarm init` and `swarm join`, survive a restart of every agent, and go with `swarm leave`. A story told
/// once (<see cref="Plain_agents_Story"/>), each behaviour it shows one test.
/// </summary>
public sealed class Plain_agents_Tests(Plain_agents_Story story) : IClassFixture<Plain_agents_Story>
{
    [Fact]
    public void A_node_in_no_swarm_listens_for_no_other_node() => story.Story.AssertHeld(nameof(A_node_in_no_swarm_listens_for_no_other_node));

    [Fact]
    public void Swarm_init_prints_the_join_command_with_the_manager_s_address() => story.Story.AssertHeld(nameof(Swarm_init_prints_the_join_command_with_the_manager_s_address));

    [Fact]
    public void Joins_through_either_CLI_without_an_address_make_a_worker_and_a_reachable_manager() => story.Story.AssertHeld(nameof(Joins_through_either_CLI_without_an_address_make_a_worker_and_a_reachable_manager));

    [Fact]
    public void A_node_joined_without_an_address_is_known_by_the_one_it_reaches_the_manager_from() => story.Story.AssertHeld(nameof(A_node_joined_without_an_address_is_known_by_the_one_it_reaches_the_manager_from));

    [Fact]
    public void A_service_created_through_the_docker_CLI_runs_its_tasks() => story.Story.AssertHeld(nameof(A_service_created_through_the_docker_CLI_runs_its_tasks));

    [Fact]
    public void Every_node_is_Ready_again_after_every_agent_restarted() => story.Story.AssertHeld(nameof(Every_node_is_Ready_again_after_every_agent_restarted));

    [Fact]
    public void After_every_agent_restarted_new_commands_commit_and_every_task_runs_once() => story.Story.AssertHeld(nameof(After_every_agent_restarted_new_commands_commit_and_every_task_runs_once));

    [Fact]
    public void A_worker_listens_for_the_others_while_in_the_swarm() => story.Story.AssertHeld(nameof(A_worker_listens_for_the_others_while_in_the_swarm));

    [Fact]
    public void Swarm_leave_closes_the_worker_s_listener_and_leaves_it_inactive() => story.Story.AssertHeld(nameof(Swarm_leave_closes_the_worker_s_listener_and_leaves_it_inactive));
}

/// <summary>Three plain agents made a swarm, restarted and left, told once for <see cref="Plain_agents_Tests"/>.</summary>
public sealed class Plain_agents_Story : IAsyncLifetime
{
    private NamespaceCluster _cluster = null!;

    public Scenario Story { get; } = new();

    public async Task InitializeAsync()
    {
        var cluster = _cluster = await NamespaceCluster.StartAsync(3);
        var manager = $"{NamespaceCluster.Address(1)}:2377";
        await Story.StepAsync(nameof(Plain_agents_Tests.A_node_in_no_swarm_listens_for_no_other_node), async () =>
            Assert.False(await ListensAsync(NamespaceCluster.Address(1)), "a node in no swarm listens for no other node"));
        await Story.StepAsync(nameof(Plain_agents_Tests.Swarm_init_prints_the_join_command_with_the_manager_s_address), async () =>
        {
            var init = (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed().Output;
            Assert.Contains($"eventswarm swarm join --token SWMTKN-1-", init);
            Assert.Contains($" {manager}", init);
        });
        await Story.StepAsync(nameof(Plain_agents_Tests.Joins_through_either_CLI_without_an_address_make_a_worker_and_a_reachable_manager), async () =>
        {
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
        });
        await Story.StepAsync(nameof(Plain_agents_Tests.A_node_joined_without_an_address_is_known_by_the_one_it_reaches_the_manager_from), async () =>
        {
            Assert.Equal(NamespaceCluster.Address(2), (await cluster.Docker(1, "node", "inspect", "n2", "--format", "{{.Status.Addr}}")).ShouldSucceed().Output.Trim());
            Assert.Equal($"{NamespaceCluster.Address(3)}:2377",
                (await cluster.Docker(1, "node", "inspect", "n3", "--format", "{{.ManagerStatus.Addr}}")).ShouldSucceed().Output.Trim());
        });
        await Story.StepAsync(nameof(Plain_agents_Tests.A_service_created_through_the_docker_CLI_runs_its_tasks), async () =>
        {
            (await cluster.Docker(1, "service", "create", "-d", "--name", "web", "--replicas", "3", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
            await Eventually.True(async () => RunningTasks(await cluster.EventSwarm(3, "service", "ps", "web")) == 3, TimeSpan.FromSeconds(60),
                "web's three tasks run");
        });
        await Story.StepAsync(nameof(Plain_agents_Tests.Every_node_is_Ready_again_after_every_agent_restarted), async () =>
        {
            foreach (var node in new[] { 1, 2, 3 }) await cluster.KillAgentAsync(node);
            await cluster.RestartMissingAgentsAsync();
            await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
                TimeSpan.FromSeconds(60), "every node is Ready again after every agent restarted");
        });
        await Story.StepAsync(nameof(Plain_agents_Tests.After_every_agent_restarted_new_commands_commit_and_every_task_runs_once), async () =>
        {
            await Eventually.True(async () => (await cluster.EventSwarm(3, "service", "scale", "-d", "web=4")).ExitCode == 0, TimeSpan.FromSeconds(30),
                "a new command is committed");
            await Eventually.True(async () => RunningTasks(await cluster.EventSwarm(1, "service", "ps", "web")) == 4, TimeSpan.FromSeconds(60),
                "web's tasks run again, the new one too");
            var containers = 0;
            foreach (var node in new[] { 1, 2, 3 }) containers += await cluster.RunningContainersAsync(node, "web");
            Assert.Equal(4, containers);
        });
        await Story.StepAsync(nameof(Plain_agents_Tests.A_worker_listens_for_the_others_while_in_the_swarm), async () =>
            Assert.True(await ListensAsync(NamespaceCluster.Address(2)), "the worker listens for the others while in the swarm"));
        await Story.StepAsync(nameof(Plain_agents_Tests.Swarm_leave_closes_the_worker_s_listener_and_leaves_it_inactive), async () =>
        {
            (await cluster.EventSwarm(2, "swarm", "leave", "--force")).ShouldSucceed();
            Assert.False(await ListensAsync(NamespaceCluster.Address(2)), "after `swarm leave` nothing answers on the worker's :2377");
            Assert.Contains("inactive", (await cluster.Docker(2, "info", "--format", "{{.Swarm.LocalNodeState}}")).ShouldSucceed().Output);
        });
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

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
