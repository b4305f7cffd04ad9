using System.Diagnostics;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Five real nodes: three managers that replicate the log through Raft, two workers. The leader is killed under a
/// stream of commands, comes back, then two of three managers are lost and the survivor forces a new cluster: a
/// story told once (<see cref="Manager_failover_Story"/>), each behaviour it shows one test.
/// </summary>
public sealed class Manager_failover_Tests(Manager_failover_Story story, ITestOutputHelper output) : IClassFixture<Manager_failover_Story>
{
    [Fact]
    public void Managers_join_directly_or_through_a_follower_and_workers_through_any_manager() => Held(nameof(Managers_join_directly_or_through_a_follower_and_workers_through_any_manager));

    [Fact]
    public void The_first_manager_leads_and_the_two_others_are_reachable() => Held(nameof(The_first_manager_leads_and_the_two_others_are_reachable));

    [Fact]
    public void A_service_written_through_a_follower_is_placed_by_rules_that_see_every_node() => Held(nameof(A_service_written_through_a_follower_is_placed_by_rules_that_see_every_node));

    [Fact]
    public void Commands_refused_while_the_leader_is_lost_say_so() => Held(nameof(Commands_refused_while_the_leader_is_lost_say_so));

    [Fact]
    public void A_follower_acknowledges_commands_again_after_the_leader_is_killed() => Held(nameof(A_follower_acknowledges_commands_again_after_the_leader_is_killed));

    [Fact]
    public void No_acknowledged_command_is_lost_when_the_leader_is_killed() => Held(nameof(No_acknowledged_command_is_lost_when_the_leader_is_killed));

    [Fact]
    public void Every_acknowledged_command_reaches_the_other_follower() => Held(nameof(Every_acknowledged_command_reaches_the_other_follower));

    [Fact]
    public void The_killed_leader_is_shown_Unreachable() => Held(nameof(The_killed_leader_is_shown_Unreachable));

    [Fact]
    public void The_old_leader_comes_back_as_a_follower_and_every_manager_holds_the_same_state() => Held(nameof(The_old_leader_comes_back_as_a_follower_and_every_manager_holds_the_same_state));

    [Fact]
    public void The_old_leader_stops_its_orphaned_containers_so_no_replica_runs_twice() => Held(nameof(The_old_leader_stops_its_orphaned_containers_so_no_replica_runs_twice));

    [Fact]
    public void Without_quorum_a_write_is_refused_with_Swarm_s_message_instead_of_hanging() => Held(nameof(Without_quorum_a_write_is_refused_with_Swarm_s_message_instead_of_hanging));

    [Fact]
    public void Without_quorum_reads_still_answer() => Held(nameof(Without_quorum_reads_still_answer));

    [Fact]
    public void Force_new_cluster_gives_the_survivor_a_swarm_that_kept_its_services_and_takes_writes() => Held(nameof(Force_new_cluster_gives_the_survivor_a_swarm_that_kept_its_services_and_takes_writes));

    [Fact]
    public void After_force_new_cluster_the_survivor_leads_and_the_lost_manager_shows_Unreachable() => Held(nameof(After_force_new_cluster_the_survivor_leads_and_the_lost_manager_shows_Unreachable));

    private void Held(string behaviour)
    {
        foreach (var note in story.Notes) output.WriteLine(note);
        story.Story.AssertHeld(behaviour);
    }
}

/// <summary>The failover story on five real nodes, told once for <see cref="Manager_failover_Tests"/>.</summary>
public sealed class Manager_failover_Story : IAsyncLifetime
{
    private NamespaceCluster _cluster = null!;

    public Scenario Story { get; } = new();

    /// <summary>Timings worth reading beside the results (how soon writes resumed, how soon a write without quorum was refused).</summary>
    public List<string> Notes { get; } = [];

    public async Task InitializeAsync()
    {
        _cluster = await NamespaceCluster.StartAsync(5);
        var cluster = _cluster;
        await Story.StepAsync(nameof(Manager_failover_Tests.Managers_join_directly_or_through_a_follower_and_workers_through_any_manager), async () =>
        {
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
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.The_first_manager_leads_and_the_two_others_are_reachable), async () =>
        {
            var nodes = (await cluster.EventSwarm(3, "node", "ls")).Rows;
            Assert.Single(nodes, r => r.Contains(" n1 ") && r.Contains("Leader"));
            Assert.Equal(2, nodes.Count(r => r.Contains("Reachable")));
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.A_service_written_through_a_follower_is_placed_by_rules_that_see_every_node), async () =>
        {
            (await cluster.EventSwarm(2, "service", "create", "--name", "web", "--replicas", "4", "--constraint", "node.role==manager",
                "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
            Assert.Equal(4, await WebOnManagersAsync());
        });

        // A stream of commands through n2 while the leader is killed: every acknowledged one must survive.
        var acknowledged = new List<int>();
        TimeSpan? firstAfterKill = null;
        await Story.StepAsync(nameof(Manager_failover_Tests.Commands_refused_while_the_leader_is_lost_say_so), async () =>
        {
            var stopwatch = Stopwatch.StartNew();
            TimeSpan? killedAt = null;
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
            Notes.Add($"first command acknowledged {firstAfterKill?.TotalSeconds:0.00} s after the leader was killed; {acknowledged.Count}/30 acknowledged");
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.A_follower_acknowledges_commands_again_after_the_leader_is_killed), () =>
        {
            Assert.NotNull(firstAfterKill);
            return Task.CompletedTask;
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.No_acknowledged_command_is_lost_when_the_leader_is_killed), async () =>
        {
            // n2 answered each command only after applying it.
            var labelsOnN2 = (await cluster.Docker(2, "node", "inspect", "--format", "{{json .Spec.Labels}}", "n4")).ShouldSucceed().Output;
            foreach (var i in acknowledged) Assert.Contains($"\"stream.{i}\":\"{i}\"", labelsOnN2);
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.Every_acknowledged_command_reaches_the_other_follower), async () =>
        {
            // n3 learns the last commit index with the next heartbeat.
            await Eventually.True(async () =>
            {
                var labels = (await cluster.Docker(3, "node", "inspect", "--format", "{{json .Spec.Labels}}", "n4")).Output;
                return acknowledged.All(i => labels.Contains($"\"stream.{i}\":\"{i}\""));
            }, TimeSpan.FromSeconds(5), "every acknowledged command is applied on n3 too");
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.The_killed_leader_is_shown_Unreachable), async () =>
            Assert.Contains((await cluster.EventSwarm(3, "node", "ls")).Rows, r => r.Contains(" n1 ") && r.Contains("Unreachable")));

        await Story.StepAsync(nameof(Manager_failover_Tests.The_old_leader_comes_back_as_a_follower_and_every_manager_holds_the_same_state), async () =>
        {
            // The old leader comes back as a follower and catches up: all three projections end identical.
            await cluster.RestartMissingAgentsAsync();
            await Eventually.True(async () =>
            {
                var views = await Task.WhenAll(new[] { 1, 2, 3 }.Select(cluster.LogAsync));
                return views[0].LastSequence > 0 && views.All(v => v == views[0]);
            }, TimeSpan.FromSeconds(60), "the three managers hold the same state (same digest)");
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.The_old_leader_stops_its_orphaned_containers_so_no_replica_runs_twice), async () =>
        {
            // n1's engine kept running the containers of its orphaned tasks; its agent stops them once back.
            // Four containers alone are not the end: while the orphan still runs, its replacement waits in Ready for
            // it to stop (never two at once), so the log must also say 4/4 Running.
            await Eventually.True(async () => await WebOnManagersAsync() == 4
                    && (await cluster.EventSwarm(2, "service", "ls")).Rows.Any(r => r.Contains("web") && r.Contains("4/4")),
                TimeSpan.FromSeconds(30), "web runs exactly its 4 replicas, none twice, and the log says 4/4");
        });

        // Two of three managers gone: no quorum. Writes fail with Swarm's message instead of hanging; reads answer.
        await Story.StepAsync(nameof(Manager_failover_Tests.Without_quorum_a_write_is_refused_with_Swarm_s_message_instead_of_hanging), async () =>
        {
            await cluster.KillAgentAsync(1);
            await cluster.KillAgentAsync(3);
            var refused = Stopwatch.StartNew();
            (await cluster.EventSwarm(2, "service", "scale", "-d", "web=5")).ShouldFailWith("does not have a leader");
            Notes.Add($"write without quorum refused after {refused.Elapsed.TotalSeconds:0.0} s");
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.Without_quorum_reads_still_answer), async () =>
            Assert.Contains((await cluster.EventSwarm(2, "service", "ls")).ShouldSucceed().Rows, r => r.Contains("web") && r.Contains("4/4")));

        // Swarm's way out: the survivor forces a new cluster of itself, keeping every service, and takes writes again.
        await Story.StepAsync(nameof(Manager_failover_Tests.Force_new_cluster_gives_the_survivor_a_swarm_that_kept_its_services_and_takes_writes), async () =>
        {
            (await cluster.EventSwarm(2, "swarm", "init", "--force-new-cluster", "--advertise-addr", NamespaceCluster.Address(2))).ShouldSucceed();
            (await cluster.EventSwarm(2, "service", "scale", "-d", "web=5")).ShouldSucceed();
            Assert.Contains((await cluster.EventSwarm(2, "service", "ls")).ShouldSucceed().Rows, r => r.Contains("web") && r.Contains("/5"));
        });
        await Story.StepAsync(nameof(Manager_failover_Tests.After_force_new_cluster_the_survivor_leads_and_the_lost_manager_shows_Unreachable), async () =>
        {
            var managers = (await cluster.EventSwarm(2, "node", "ls")).ShouldSucceed().Rows;
            Assert.Contains(managers, r => r.Contains(" n2 ") && r.Contains("Leader"));
            Assert.Contains(managers, r => r.Contains(" n1 ") && r.Contains("Unreachable"));
        });
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<int> WebOnManagersAsync() =>
        await _cluster.RunningContainersAsync(1, "web") + await _cluster.RunningContainersAsync(2, "web") + await _cluster.RunningContainersAsync(3, "web");
}
