using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

/// <summary>
/// The seed's first section, end to end on the real Docker Engine, once through the stock docker CLI pointed at
/// EventSwarm's socket and once through EventSwarm's own CLI: the same API serves both.
/// </summary>
public sealed class Seed_walkthrough_Tests
{
    public static TheoryData<string> Clis => new() { "docker", "eventswarm" };

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task Seed_walkthrough_creates_scales_heals_and_removes_a_service(string cli)
    {
        await using var agent = await LocalAgent.StartAsync();
        Func<string[], Task<CommandResult>> run = cli == "docker" ? agent.Docker : agent.EventSwarm;

        (await run(["swarm", "init", "--advertise-addr", "127.0.0.1"])).ShouldSucceed();
        var nodes = (await run(["node", "ls"])).ShouldSucceed().Rows;
        var node = Assert.Single(nodes);
        Assert.Contains($"{agent.NodeId} *", node);
        Assert.Matches(@"Ready\s+Active\s+Leader", node);

        (await run(["service", "create", "--name", "demo", "busybox", "sh", "-c", "while true;do sleep 3600;done"])).ShouldSucceed();
        var service = Assert.Single((await run(["service", "ls"])).ShouldSucceed().Rows);
        Assert.Matches(@"demo\s+replicated\s+1/1\s+busybox", service);
        var task = Assert.Single((await run(["service", "ps", "demo"])).ShouldSucceed().Rows);
        Assert.Matches(@"^(\w{12})\s+demo\.1\s+busybox\S*\s+\S+\s+Running\s+Running", task);
        var taskId = task[..12];
        var container = Assert.Single(await Engine.ContainersOfNodeAsync(agent.NodeId));
        Assert.StartsWith($"/demo.1.{taskId}", container.Names.Single());

        (await run(["service", "scale", "demo=5"])).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId)).Count == 5, TimeSpan.FromSeconds(60), "5 containers run");

        var victim = (await Engine.ContainersOfNodeAsync(agent.NodeId)).OrderBy(c => c.Names.Single()).Last();
        var victimSlot = victim.Labels["eventswarm.task.slot"];
        await Engine.KillAndRemoveAsync(victim.ID);
        await Eventually.True(async () =>
        {
            var running = await Engine.ContainersOfNodeAsync(agent.NodeId);
            return running.Count == 5 && running.All(c => c.ID != victim.ID);
        }, TimeSpan.FromSeconds(60), "a replacement task runs in place of the killed one");
        var history = (await run(["service", "ps", "demo"])).ShouldSucceed().Rows;
        Assert.Contains(history, row => row.Contains($"\\_ demo.{victimSlot}") && row.Contains("Failed") && row.Contains("task: non-zero exit (137)"));
        Assert.Equal(5, history.Count(row => row.Contains("Running") && !row.Contains("\\_")));

        (await run(["service", "rm", "demo"])).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(agent.NodeId, all: true)).Count == 0,
            TimeSpan.FromSeconds(60), "every container of demo is gone");
        Assert.Empty((await run(["service", "ls"])).ShouldSucceed().Rows);
    }
}
