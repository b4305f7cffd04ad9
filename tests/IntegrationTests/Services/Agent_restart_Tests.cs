using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

public sealed class Agent_restart_Tests
{
    [Fact]
    public async Task Agent_killed_with_kill_9_rebuilds_its_state_from_the_log_and_adopts_the_running_containers()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "-d", "--name", "demo", "--replicas", "5", "busybox", "sh", "-c", "while true;do sleep 3600;done")).ShouldSucceed();
        await Eventually.True(async () => (await agent.Docker("service", "ls")).Output.Contains("5/5"), TimeSpan.FromSeconds(60), "demo is 5/5");
        var before = (await Engine.ContainersOfNodeAsync(agent.NodeId)).Select(c => c.ID).OrderBy(id => id).ToList();
        var logBefore = await agent.LogLengthAsync();
        Assert.Equal(5, before.Count);

        await agent.KillAsync();
        await agent.StartProcessAsync();

        // The state is back from the on-disk log: the same service, the same five tasks, at least the same history.
        var logAfter = await agent.LogLengthAsync();
        Assert.True(logAfter.Events >= logBefore.Events, $"events after restart {logAfter.Events} < before {logBefore.Events}");
        await Eventually.True(async () => (await agent.Docker("service", "ls")).Output.Contains("5/5"), TimeSpan.FromSeconds(30), "demo is 5/5 again");
        // Give a wrongly duplicating agent the time to show it, then check that nothing was started or lost.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = (await Engine.ContainersOfNodeAsync(agent.NodeId, all: true)).Select(c => c.ID).OrderBy(id => id).ToList();
        Assert.Equal(before, after);
        var tasks = (await agent.Docker("service", "ps", "demo")).ShouldSucceed().Rows;
        Assert.Equal(5, tasks.Count);
        Assert.All(tasks, row => Assert.Contains("Running", row));
    }
}
