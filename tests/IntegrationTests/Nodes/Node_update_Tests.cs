using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Nodes;

public sealed class Node_update_Tests
{
    [Fact]
    public async Task Draining_the_node_stops_its_tasks_and_activating_it_with_a_label_runs_them_and_the_constrained_service()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "-d", "--name", "web", "--replicas", "2", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        (await agent.EventSwarm("service", "create", "-d", "--name", "zoned", "--constraint", "node.labels.zone==a", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 2, TimeSpan.FromSeconds(60), "web's 2 tasks run");
        var zoned = Assert.Single((await agent.Docker("service", "ps", "--no-trunc", "zoned")).Rows);
        Assert.Contains("Pending", zoned);
        using var http = agent.Http();
        Assert.Contains("no suitable node (scheduling constraints not satisfied on 1 node)", await http.GetStringAsync("/v1.41/tasks"));

        (await agent.Docker("node", "update", "--availability", "drain", agent.NodeId)).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 0, TimeSpan.FromSeconds(60), "the drained node runs nothing");
        Assert.Matches(@"Ready\s+Drain\s+Leader", Assert.Single((await agent.EventSwarm("node", "ls")).Rows));
        Assert.Contains((await agent.Docker("service", "ps", "web")).Rows, row => row.Contains("Pending"));

        (await agent.EventSwarm("node", "update", "--availability", "active", "--label-add", "zone=a", agent.NodeId)).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 3, TimeSpan.FromSeconds(60), "web and zoned run again");
        Assert.Contains("zone:a", (await agent.Docker("node", "inspect", "--format", "{{.Spec.Labels}}", agent.NodeId)).ShouldSucceed().Output);
    }

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
