using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Nodes;

/// <summary>
/// One node drained and activated again with a label, while a service runs and another waits for the label: a story
/// told once (<see cref="Drain_story"/>), each behaviour it shows one test.
/// </summary>
public sealed class Node_update_Tests(Drain_story story) : IClassFixture<Drain_story>
{
    [Fact]
    public void A_service_constrained_to_a_label_no_node_has_stays_Pending_and_says_why() => story.Story.AssertHeld(nameof(A_service_constrained_to_a_label_no_node_has_stays_Pending_and_says_why));

    [Fact]
    public void Draining_the_node_stops_its_tasks_which_wait_Pending() => story.Story.AssertHeld(nameof(Draining_the_node_stops_its_tasks_which_wait_Pending));

    [Fact]
    public void Activating_the_node_with_a_label_runs_its_tasks_again_and_the_constrained_service() => story.Story.AssertHeld(nameof(Activating_the_node_with_a_label_runs_its_tasks_again_and_the_constrained_service));

    [Fact]
    public async Task Demoting_the_last_manager_is_refused_and_appends_nothing()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        var before = await agent.LogLengthAsync();
        (await agent.EventSwarm("node", "demote", agent.NodeId)).ShouldFailWith("attempting to demote the last manager of the swarm");
        (await agent.Docker("node", "update", "--availability", "sideways", agent.NodeId)).ShouldFailWith("sideways");
        Assert.Equal(before, await agent.LogLengthAsync());
    }
}

/// <summary>The drain and activation of a one-node swarm, told once for <see cref="Node_update_Tests"/>.</summary>
public sealed class Drain_story : IAsyncLifetime
{
    private LocalAgent? _agent;

    public Scenario Story { get; } = new();

    public async Task InitializeAsync()
    {
        var agent = _agent = await LocalAgent.StartSwarmAsync();
        await Story.StepAsync(nameof(Node_update_Tests.A_service_constrained_to_a_label_no_node_has_stays_Pending_and_says_why), async () =>
        {
            (await agent.Docker("service", "create", "-d", "--name", "web", "--replicas", "2", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
            (await agent.EventSwarm("service", "create", "-d", "--name", "zoned", "--constraint", "node.labels.zone==a", "busybox", "sleep", "3600")).ShouldSucceed();
            await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 2, TimeSpan.FromSeconds(60), "web's 2 tasks run");
            var zoned = Assert.Single((await agent.Docker("service", "ps", "--no-trunc", "zoned")).Rows);
            Assert.Contains("Pending", zoned);
            using var http = agent.Http();
            Assert.Contains("no suitable node (scheduling constraints not satisfied on 1 node)", await http.GetStringAsync("/v1.41/tasks"));
        });
        await Story.StepAsync(nameof(Node_update_Tests.Draining_the_node_stops_its_tasks_which_wait_Pending), async () =>
        {
            (await agent.Docker("node", "update", "--availability", "drain", agent.NodeId)).ShouldSucceed();
            await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 0, TimeSpan.FromSeconds(60), "the drained node runs nothing");
            Assert.Matches(@"Ready\s+Drain\s+Leader", Assert.Single((await agent.EventSwarm("node", "ls")).Rows));
            Assert.Contains((await agent.Docker("service", "ps", "web")).Rows, row => row.Contains("Pending"));
        });
        await Story.StepAsync(nameof(Node_update_Tests.Activating_the_node_with_a_label_runs_its_tasks_again_and_the_constrained_service), async () =>
        {
            (await agent.EventSwarm("node", "update", "--availability", "active", "--label-add", "zone=a", agent.NodeId)).ShouldSucceed();
            await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 3, TimeSpan.FromSeconds(60), "web and zoned run again");
            Assert.Contains("zone:a", (await agent.Docker("node", "inspect", "--format", "{{.Spec.Labels}}", agent.NodeId)).ShouldSucceed().Output);
        });
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
    }
}
