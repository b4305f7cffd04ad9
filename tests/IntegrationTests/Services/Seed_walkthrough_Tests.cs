using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

/// <summary>
/// The seed's first section, step by step on the real Docker Engine, once through the stock docker CLI pointed at
/// EventSwarm's socket and once through EventSwarm's own CLI: the same API serves both. Each step is one test on
/// the class's one-node swarm, with a service of its own (named for the step and the CLI) that it removes again.
/// </summary>
public sealed class Seed_walkthrough_Tests(SwarmOfOne fixture) : IClassFixture<SwarmOfOne>
{
    private const string Forever = "while true;do sleep 3600;done";

    public static TheoryData<string> Clis => new() { "docker", "eventswarm" };

    private LocalAgent Agent => fixture.Agent;

    private static Func<string[], Task<CommandResult>> Cli(LocalAgent agent, string cli) => cli == "docker" ? agent.Docker : agent.EventSwarm;

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task Swarm_init_makes_the_node_the_only_one_Ready_Active_and_Leader(string cli)
    {
        // Init itself is the step: a fresh agent, not the class's swarm.
        await using var agent = await LocalAgent.StartAsync();
        var run = Cli(agent, cli);
        (await run(["swarm", "init", "--advertise-addr", "127.0.0.1"])).ShouldSucceed();
        var node = Assert.Single((await run(["node", "ls"])).ShouldSucceed().Rows);
        Assert.Contains($"{agent.NodeId} *", node);
        Assert.Matches(@"Ready\s+Active\s+Leader", node);
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task A_created_service_runs_one_task_in_a_container_named_for_the_task(string cli)
    {
        var run = Cli(Agent, cli);
        var name = $"demo-{cli}";
        (await run(["service", "create", "--name", name, "busybox", "sh", "-c", Forever])).ShouldSucceed();
        var service = Assert.Single((await run(["service", "ls"])).ShouldSucceed().Rows, r => r.Contains($" {name} "));
        Assert.Matches($@"{name}\s+replicated\s+1/1\s+busybox", service);
        var task = Assert.Single((await run(["service", "ps", name])).ShouldSucceed().Rows);
        Assert.Matches($@"^(\w{{12}})\s+{name}\.1\s+busybox\S*\s+\S+\s+Running\s+Running", task);
        var taskId = task[..12];
        var container = Assert.Single(await Engine.ContainersOfServiceAsync(Agent.NodeId, name));
        Assert.StartsWith($"/{name}.1.{taskId}", container.Names.Single());
        await RemoveAsync(run, name);
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task A_service_scaled_to_five_runs_five_containers(string cli)
    {
        var run = Cli(Agent, cli);
        var name = $"scaled-{cli}";
        (await run(["service", "create", "--name", name, "busybox", "sh", "-c", Forever])).ShouldSucceed();
        (await run(["service", "scale", $"{name}=5"])).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfServiceAsync(Agent.NodeId, name)).Count == 5, TimeSpan.FromSeconds(60), "5 containers run");
        await RemoveAsync(run, name);
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task A_killed_task_is_replaced_and_its_failure_stays_in_the_history(string cli)
    {
        var run = Cli(Agent, cli);
        var name = $"healed-{cli}";
        (await run(["service", "create", "--name", name, "--replicas", "5", "busybox", "sh", "-c", Forever])).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfServiceAsync(Agent.NodeId, name)).Count == 5, TimeSpan.FromSeconds(60), "5 containers run");

        var victim = (await Engine.ContainersOfServiceAsync(Agent.NodeId, name)).OrderBy(c => c.Names.Single()).Last();
        var victimSlot = victim.Labels["eventswarm.task.slot"];
        await Engine.KillAndRemoveAsync(victim.ID);
        await Eventually.True(async () =>
        {
            var running = await Engine.ContainersOfServiceAsync(Agent.NodeId, name);
            return running.Count == 5 && running.All(c => c.ID != victim.ID);
        }, TimeSpan.FromSeconds(60), "a replacement task runs in place of the killed one");
        var history = (await run(["service", "ps", name])).ShouldSucceed().Rows;
        Assert.Contains(history, row => row.Contains($"\\_ {name}.{victimSlot}") && row.Contains("Failed") && row.Contains("task: non-zero exit (137)"));
        Assert.Equal(5, history.Count(row => row.Contains("Running") && !row.Contains("\\_")));
        await RemoveAsync(run, name);
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task A_removed_service_leaves_no_container_and_is_no_longer_listed(string cli)
    {
        var run = Cli(Agent, cli);
        var name = $"removed-{cli}";
        (await run(["service", "create", "--name", name, "--replicas", "2", "busybox", "sh", "-c", Forever])).ShouldSucceed();
        (await run(["service", "rm", name])).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfServiceAsync(Agent.NodeId, name, all: true)).Count == 0,
            TimeSpan.FromSeconds(60), $"every container of {name} is gone");
        Assert.DoesNotContain((await run(["service", "ls"])).ShouldSucceed().Rows, r => Regex.IsMatch(r, $@"\s{name}\s"));
    }

    /// <summary>Leaves the class's swarm as the test found it; the containers stop in the background (no other test looks at them).</summary>
    private static async Task RemoveAsync(Func<string[], Task<CommandResult>> run, string name) =>
        (await run(["service", "rm", name])).ShouldSucceed();
}
