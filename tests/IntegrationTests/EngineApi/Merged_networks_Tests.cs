using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.EngineApi;

/// <summary>
/// /networks lists the swarm's networks and the engine's local ones, as dockerd merges its cluster's and libnetwork's.
/// The tests that read share one swarm with a network of each kind (<see cref="NetworksOfBothKinds"/>).
/// </summary>
public sealed class Merged_networks_Tests(NetworksOfBothKinds fixture) : IClassFixture<NetworksOfBothKinds>
{
    internal const string Label = "eventswarm.test=networks";

    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public async Task A_bridge_network_goes_to_the_engine_which_honours_internal_and_IPAM_ranges()
    {
        // The docker CLI's default driver is bridge; --internal and IPAM ranges are the engine's to honour.
        using var inspected = JsonDocument.Parse((await Direct("network", "inspect", fixture.Local)).ShouldSucceed().Output);
        var network = inspected.RootElement[0];
        Assert.True(network.GetProperty("Internal").GetBoolean());
        Assert.Equal("10.231.0.128/25", network.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("IPRange").GetString());
    }

    [Fact]
    public async Task An_overlay_network_goes_to_the_log_and_not_to_the_engine()
    {
        var overlay = $"es-ovl-{Guid.NewGuid():N}"[..16];
        var before = (await Agent.LogLengthAsync()).Events;
        (await Agent.Docker("network", "create", "-d", "overlay", overlay)).ShouldSucceed();
        Assert.True((await Agent.LogLengthAsync()).Events > before, "an overlay network is the log's");
        Assert.DoesNotContain(overlay, (await Direct("network", "ls", "--format", "{{.Name}}")).Output);
        (await Agent.Docker("network", "rm", overlay)).ShouldSucceed();
    }

    [Fact]
    public async Task Networks_of_both_kinds_are_listed_once_even_an_overlay_with_a_local_bridge_for_its_task()
    {
        // A task on the overlay network made its local bridge on this node; it is not listed a second time.
        var all = Names(await Agent.Docker("network", "ls", "--format", "{{.Name}} {{.Scope}}"));
        Assert.Contains($"{fixture.Local} local", all);
        Assert.Contains($"{fixture.Swarm} swarm", all);
        Assert.Contains("bridge local", all);
        Assert.Single(all, n => n.StartsWith(fixture.Swarm, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Network_ls_filters_apply_to_the_merged_list()
    {
        Assert.DoesNotContain(Names(await Agent.Docker("network", "ls", "--filter", "scope=local", "--format", "{{.Name}}")), n => n == fixture.Swarm);
        Assert.Equal([fixture.Swarm], Names(await Agent.Docker("network", "ls", "--filter", "driver=overlay", "--filter", "label=" + Label, "--format", "{{.Name}}")));
        Assert.DoesNotContain("bridge", Names(await Agent.Docker("network", "ls", "--filter", "type=custom", "--format", "{{.Name}}")));
        Assert.Equal([fixture.Local], Names(await Agent.Docker("network", "ls", "--filter", "name=" + fixture.Local, "--format", "{{.Name}}")));
    }

    [Fact]
    public async Task A_name_the_swarm_has_cannot_be_taken_by_a_local_network()
    {
        // As in Docker.
        (await Agent.Docker("network", "create", fixture.Swarm)).ShouldFailWith("already exists");
        Assert.Equal("swarm", (await Agent.Docker("network", "inspect", "--format", "{{.Scope}}", fixture.Swarm)).ShouldSucceed().Output.Trim());
        Assert.Equal("local", (await Agent.Docker("network", "inspect", "--format", "{{.Scope}}", fixture.Local)).ShouldSucceed().Output.Trim());
    }

    [Fact]
    public async Task A_local_network_is_removed_from_the_engine_and_an_overlay_one_once_its_task_is_gone()
    {
        var local = $"es-rml-{Guid.NewGuid():N}"[..16];
        var swarm = $"es-rmo-{Guid.NewGuid():N}"[..16];
        try
        {
            (await Agent.Docker("network", "create", "--label", Label, local)).ShouldSucceed();
            (await Agent.Docker("network", "create", "-d", "overlay", swarm)).ShouldSucceed();
            (await Agent.Docker("service", "create", "-d", "--name", "netleaver", "--network", swarm, "--container-label", Label, "busybox:latest", "sleep", "300")).ShouldSucceed();
            await Eventually.True(async () => (await Direct("network", "ls", "--filter", "label=eventswarm.network.name=" + swarm, "-q")).Output.Trim().Length > 0,
                TimeSpan.FromSeconds(60), "the overlay network's bridge on this node");

            (await Agent.Docker("service", "rm", "netleaver")).ShouldSucceed();
            (await Agent.Docker("network", "rm", local)).ShouldSucceed();
            Assert.DoesNotContain(local, (await Direct("network", "ls", "--format", "{{.Name}}")).Output);
            await Eventually.True(async () => (await Agent.Docker("network", "rm", swarm)).ExitCode == 0, TimeSpan.FromSeconds(30), "the overlay network removed once its task is gone");
            Assert.DoesNotContain(swarm, (await Agent.Docker("network", "ls", "--format", "{{.Name}}")).Output);
        }
        finally
        {
            await Direct("network", "rm", local);
        }
    }

    [Fact]
    public async Task Without_a_swarm_networks_are_the_engines()
    {
        await using var agent = await LocalAgent.StartAsync();
        var local = $"es-nos-{Guid.NewGuid():N}"[..16];
        try
        {
            var names = Names(await agent.Docker("network", "ls", "--format", "{{.Name}}"));
            Assert.Contains("bridge", names);
            Assert.Contains("host", names);
            Assert.Contains("none", names);
            (await agent.Docker("network", "create", "--label", Label, local)).ShouldSucceed();
            Assert.Equal("bridge", (await agent.Docker("network", "inspect", "--format", "{{.Driver}}", local)).ShouldSucceed().Output.Trim());
            (await agent.Docker("network", "rm", local)).ShouldSucceed();
            (await agent.Docker("network", "create", "-d", "overlay", local)).ShouldFailWith("not a swarm manager");
        }
        finally
        {
            await Direct("network", "rm", local);
        }
    }

    private static List<string> Names(CommandResult result) =>
        [.. result.ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())];

    internal static Task<CommandResult> Direct(params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///var/run/docker.sock" });
}

/// <summary>
/// An agent in a swarm with a labelled local bridge network (internal, 10.231.0.0/24, IP range 10.231.0.128/25) and a
/// labelled overlay network that a task uses, so that the overlay has its local bridge on this node.
/// </summary>
public sealed class NetworksOfBothKinds : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;
    public string Local { get; } = $"es-loc-{Guid.NewGuid():N}"[..16];
    public string Swarm { get; } = $"es-ovl-{Guid.NewGuid():N}"[..16];

    public async Task InitializeAsync()
    {
        Agent = await LocalAgent.StartSwarmAsync();
        (await Agent.Docker("network", "create", "--label", Merged_networks_Tests.Label, "--internal", "--subnet", "10.231.0.0/24", "--ip-range", "10.231.0.128/25", Local)).ShouldSucceed();
        (await Agent.Docker("network", "create", "-d", "overlay", "--label", Merged_networks_Tests.Label, Swarm)).ShouldSucceed();
        (await Agent.Docker("service", "create", "-d", "--name", "netuser", "--network", Swarm, "--container-label", Merged_networks_Tests.Label, "busybox:latest", "sleep", "300")).ShouldSucceed();
        await Eventually.True(async () => (await Merged_networks_Tests.Direct("network", "ls", "--filter", "label=eventswarm.network.name=" + Swarm, "-q")).Output.Trim().Length > 0,
            TimeSpan.FromSeconds(60), "the overlay network's bridge on this node");
    }

    public async Task DisposeAsync()
    {
        if (Agent is not null)
        {
            // The overlay's local bridge is the agent's to remove, once the task is gone: not left on the engine.
            await Agent.Docker("service", "rm", "netuser");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await Agent.Docker("network", "rm", Swarm)).ExitCode != 0 && DateTime.UtcNow < deadline) await Task.Delay(500);
            await Agent.DisposeAsync();
        }
        await Merged_networks_Tests.Direct("network", "rm", Local);
    }
}
