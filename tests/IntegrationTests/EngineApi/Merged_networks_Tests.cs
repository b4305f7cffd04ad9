using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.EngineApi;

/// <summary>/networks lists the swarm's networks and the engine's local ones, as dockerd merges its cluster's and libnetwork's.</summary>
public sealed class Merged_networks_Tests
{
    private const string Label = "eventswarm.test=networks";

    [Fact]
    public async Task Bridge_networks_go_to_the_engine_overlay_ones_to_the_log_and_both_are_listed_once()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        var local = $"es-loc-{Guid.NewGuid():N}"[..16];
        var swarm = $"es-ovl-{Guid.NewGuid():N}"[..16];
        try
        {
            // The docker CLI's default driver is bridge; --internal and IPAM ranges are the engine's to honour.
            (await agent.Docker("network", "create", "--label", Label, "--internal", "--subnet", "10.231.0.0/24", "--ip-range", "10.231.0.128/25", local)).ShouldSucceed();
            using (var inspected = JsonDocument.Parse((await Direct("network", "inspect", local)).ShouldSucceed().Output))
            {
                var network = inspected.RootElement[0];
                Assert.True(network.GetProperty("Internal").GetBoolean());
                Assert.Equal("10.231.0.128/25", network.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("IPRange").GetString());
            }

            var before = (await agent.LogLengthAsync()).Events;
            (await agent.Docker("network", "create", "-d", "overlay", "--label", Label, swarm)).ShouldSucceed();
            Assert.True((await agent.LogLengthAsync()).Events > before, "an overlay network is the log's");
            Assert.DoesNotContain(swarm, (await Direct("network", "ls", "--format", "{{.Name}}")).Output);

            // A task on the overlay network makes its local bridge on this node; it is not listed a second time.
            (await agent.Docker("service", "create", "-d", "--name", "netuser", "--network", swarm, "--container-label", Label, "busybox:latest", "sleep", "300")).ShouldSucceed();
            await Eventually.True(async () => (await Direct("network", "ls", "--filter", "label=eventswarm.network.name=" + swarm, "-q")).Output.Trim().Length > 0,
                TimeSpan.FromSeconds(60), "the overlay network's bridge on this node");

            var all = Names(await agent.Docker("network", "ls", "--format", "{{.Name}} {{.Scope}}"));
            Assert.Contains($"{local} local", all);
            Assert.Contains($"{swarm} swarm", all);
            Assert.Contains("bridge local", all);
            Assert.Single(all, n => n.StartsWith(swarm, StringComparison.Ordinal));

            Assert.DoesNotContain(Names(await agent.Docker("network", "ls", "--filter", "scope=local", "--format", "{{.Name}}")), n => n == swarm);
            Assert.Equal([swarm], Names(await agent.Docker("network", "ls", "--filter", "driver=overlay", "--filter", "label=" + Label, "--format", "{{.Name}}")));
            Assert.DoesNotContain("bridge", Names(await agent.Docker("network", "ls", "--filter", "type=custom", "--format", "{{.Name}}")));
            Assert.Equal([local], Names(await agent.Docker("network", "ls", "--filter", "name=" + local, "--format", "{{.Name}}")));

            // A name the swarm has cannot be taken by a local network, as in Docker.
            (await agent.Docker("network", "create", swarm)).ShouldFailWith("already exists");
            Assert.Equal("swarm", (await agent.Docker("network", "inspect", "--format", "{{.Scope}}", swarm)).ShouldSucceed().Output.Trim());
            Assert.Equal("local", (await agent.Docker("network", "inspect", "--format", "{{.Scope}}", local)).ShouldSucceed().Output.Trim());

            (await agent.Docker("service", "rm", "netuser")).ShouldSucceed();
            (await agent.Docker("network", "rm", local)).ShouldSucceed();
            Assert.DoesNotContain(local, (await Direct("network", "ls", "--format", "{{.Name}}")).Output);
            await Eventually.True(async () => (await agent.Docker("network", "rm", swarm)).ExitCode == 0, TimeSpan.FromSeconds(30), "the overlay network removed once its task is gone");
            Assert.DoesNotContain(swarm, (await agent.Docker("network", "ls", "--format", "{{.Name}}")).Output);
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

    private static Task<CommandResult> Direct(params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///var/run/docker.sock" });
}
