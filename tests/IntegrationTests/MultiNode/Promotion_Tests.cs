using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Four real nodes; roles change while tasks run: a worker is promoted, managers (the leader too) demoted. A story
/// told once (<see cref="Promotion_Story"/>), each behaviour it shows one test.
/// </summary>
public sealed class Promotion_Tests(Promotion_Story story) : IClassFixture<Promotion_Story>
{
    [Fact]
    public void Nodes_join_with_their_role_s_token_through_any_manager_and_run_a_service() => story.Story.AssertHeld(nameof(Nodes_join_with_their_role_s_token_through_any_manager_and_run_a_service));

    [Fact]
    public void A_promoted_worker_joins_the_Raft_cluster_and_answers_node_ls_itself() => story.Story.AssertHeld(nameof(A_promoted_worker_joins_the_Raft_cluster_and_answers_node_ls_itself));

    [Fact]
    public void A_demoted_manager_refuses_cluster_changes_even_a_no_op() => story.Story.AssertHeld(nameof(A_demoted_manager_refuses_cluster_changes_even_a_no_op));

    [Fact]
    public void A_demoted_leader_stops_leading_and_the_other_manager_takes_over() => story.Story.AssertHeld(nameof(A_demoted_leader_stops_leading_and_the_other_manager_takes_over));

    [Fact]
    public void Commands_succeed_on_the_leader_that_took_over() => story.Story.AssertHeld(nameof(Commands_succeed_on_the_leader_that_took_over));

    [Fact]
    public void Every_node_is_Ready_after_the_role_changes_with_one_manager_left() => story.Story.AssertHeld(nameof(Every_node_is_Ready_after_the_role_changes_with_one_manager_left));

    [Fact]
    public void Tasks_keep_running_through_every_role_change_one_container_each() => story.Story.AssertHeld(nameof(Tasks_keep_running_through_every_role_change_one_container_each));
}

/// <summary>The role changes on four real nodes, told once for <see cref="Promotion_Tests"/>.</summary>
public sealed class Promotion_Story : IAsyncLifetime
{
    private NamespaceCluster _cluster = null!;

    public Scenario Story { get; } = new();

    public async Task InitializeAsync()
    {
        var cluster = _cluster = await NamespaceCluster.StartAsync(4);
        await Story.StepAsync(nameof(Promotion_Tests.Nodes_join_with_their_role_s_token_through_any_manager_and_run_a_service), async () =>
        {
            (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
            var managerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
            var workerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
            (await cluster.EventSwarm(2, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
            (await cluster.EventSwarm(3, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
            // n4 follows n2, which is demoted below: it must move to a manager on its own.
            (await cluster.EventSwarm(4, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(2)}:2377")).ShouldSucceed();
            (await cluster.EventSwarm(1, "service", "create", "--name", "web", "--replicas", "4", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        });
        await Story.StepAsync(nameof(Promotion_Tests.A_promoted_worker_joins_the_Raft_cluster_and_answers_node_ls_itself), async () =>
        {
            Assert.Contains("promoted to a manager", (await cluster.EventSwarm(2, "node", "promote", "n3")).ShouldSucceed().Output);
            await Eventually.True(async () => Row(await cluster.EventSwarm(3, "node", "ls"), "n3").Contains("Reachable"), TimeSpan.FromSeconds(30),
                "n3 is a Raft member and answers node ls itself");
        });
        await Story.StepAsync(nameof(Promotion_Tests.A_demoted_manager_refuses_cluster_changes_even_a_no_op), async () =>
        {
            (await cluster.Docker(3, "node", "demote", "n2")).ShouldSucceed();
            await Eventually.True(async () =>
            {
                var refused = await cluster.EventSwarm(2, "service", "scale", "-d", "web=4");  // even a no-op is refused on a worker
                return refused.ExitCode != 0 && (refused.Error + refused.Output).Contains("not a swarm manager");
            }, TimeSpan.FromSeconds(30), "n2 is a worker: it refuses cluster changes");
        });
        await Story.StepAsync(nameof(Promotion_Tests.A_demoted_leader_stops_leading_and_the_other_manager_takes_over), async () =>
        {
            // The leader itself: it stops leading, and n3 (the only other manager left) takes over.
            (await cluster.EventSwarm(3, "node", "demote", "n1")).ShouldSucceed();
            await Eventually.True(async () => Row(await cluster.EventSwarm(3, "node", "ls"), "n3").Contains("Leader"), TimeSpan.FromSeconds(30),
                "n3 leads after the leader was demoted");
        });
        await Story.StepAsync(nameof(Promotion_Tests.Commands_succeed_on_the_leader_that_took_over), async () =>
            await Eventually.True(async () => (await cluster.EventSwarm(3, "service", "scale", "-d", "web=5")).ExitCode == 0, TimeSpan.FromSeconds(30),
                "commands succeed on the new leader"));
        await Story.StepAsync(nameof(Promotion_Tests.Every_node_is_Ready_after_the_role_changes_with_one_manager_left), async () =>
            await Eventually.True(async () =>
            {
                var rows = (await cluster.EventSwarm(3, "node", "ls")).Rows;
                return rows.Count(r => r.Contains("Ready")) == 4 && rows.Count(r => r.Contains("Leader") || r.Contains("Reachable")) == 1;
            }, TimeSpan.FromSeconds(45), "every node is Ready and n3 is the one manager"));
        await Story.StepAsync(nameof(Promotion_Tests.Tasks_keep_running_through_every_role_change_one_container_each), async () =>
            await Eventually.True(async () =>
            {
                var tasks = (await cluster.EventSwarm(3, "service", "ps", "web")).Rows.Where(r => !r.Contains("\\_")).ToList();
                var containers = 0;
                foreach (var node in new[] { 1, 2, 3, 4 }) containers += await cluster.RunningContainersAsync(node, "web");
                return tasks.Count == 5 && tasks.All(r => Regex.IsMatch(r, @"Running\s+Running")) && containers == 5;
            }, TimeSpan.FromSeconds(45), "web's five tasks run, one container each, through every role change"));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static string Row(CommandResult nodeLs, string hostname) => nodeLs.Rows.FirstOrDefault(r => r.Contains($" {hostname} ")) ?? "";
}
