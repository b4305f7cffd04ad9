using System.Text.Json.Nodes;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// The stock docker CLI through each side's socket: the same commands, their exit codes, and their JSON output
/// compared after normalisation (IDs, host names and engine versions named in <see cref="Differences"/>).
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class CliTests(OracleFixture fixture)
{
    private async Task<IReadOnlyList<CommandResult>> BothAsync(params string[] args)
    {
        var results = new List<CommandResult>();
        foreach (var side in fixture.Sides) results.Add(await side.Cli(args));
        Assert.True(results[0].ExitCode == results[1].ExitCode,
            $"`docker {string.Join(' ', args)}` exit code: docker={results[0].ExitCode} eventswarm={results[1].ExitCode}\n"
            + $"docker: {results[0].Output}{results[0].Error}\neventswarm: {results[1].Output}{results[1].Error}");
        return results;
    }

    /// <summary>`--format json` prints one JSON object per line.</summary>
    private static JsonArray Lines(CommandResult result) =>
        new([.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l))]);

    [Fact]
    public async Task Service_create_and_inspect_through_the_docker_CLI_read_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        await BothAsync("service", "rm", "cli-made");
        // --no-resolve-image: the oracle's namespace has no route to a registry, where the CLI's digest lookup
        // would wait 20 s for nothing; EventSwarm's answer to that lookup is the engine helper's to compare.
        (await BothAsync("service", "create", "--detach", "--no-resolve-image", "--name", "cli-made", "--replicas", "0", "--label", "made-by=cli",
            "--env", "X=1", "--restart-condition", "on-failure", "--restart-delay", "2s", "--stop-grace-period", "3s",
            "--limit-memory", "64M", "--update-parallelism", "2", "--hostname", "cli-host", "busybox:latest", "sleep", "3600"))[0].ShouldSucceed();
        var inspected = await BothAsync("service", "inspect", "cli-made");
        JsonComparison.AssertSame("service", JsonNode.Parse(inspected[0].Output), JsonNode.Parse(inspected[1].Output), "docker service inspect");
        var listed = await BothAsync("service", "ls", "--filter", "name=cli-made", "--format", "json");
        JsonComparison.AssertSame("cli", Lines(listed[0]), Lines(listed[1]), "docker service ls --format json");
        var tasks = await BothAsync("service", "ps", "cli-made", "--format", "json");
        JsonComparison.AssertSame("cli", Lines(tasks[0]), Lines(tasks[1]), "docker service ps --format json");
    }

    [Fact]
    public async Task Node_ls_through_the_docker_CLI_reads_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        var nodes = await BothAsync("node", "ls", "--format", "json");
        JsonComparison.AssertSame("cli", Lines(nodes[0]), Lines(nodes[1]), "docker node ls --format json");
        var self = await BothAsync("node", "inspect", "self");
        JsonComparison.AssertSame("node", JsonNode.Parse(self[0].Output)![0], JsonNode.Parse(self[1].Output)![0], "docker node inspect self");
    }

    [Fact]
    public async Task Refusals_through_the_docker_CLI_read_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        foreach (var args in new[]
        {
            new[] { "service", "inspect", "nope" },
            ["service", "rm", "nope"],
            ["node", "inspect", "nope"],
            ["network", "inspect", "nope"],
            ["swarm", "init"],
            ["swarm", "leave"],
        })
        {
            var results = await BothAsync(args);
            var messages = results.Select(r => Differences.NormaliseMessage(r.Error.Trim(), new Dictionary<string, string>())).ToList();
            Assert.True(messages[1].Contains(messages[0], StringComparison.Ordinal),
                $"`docker {string.Join(' ', args)}`: docker=\"{messages[0]}\" eventswarm=\"{messages[1]}\"");
        }
    }

    [Fact]
    public async Task Swarm_init_and_leave_through_the_docker_CLI_answer_as_in_Docker_Swarm()
    {
        await fixture.OutOfSwarmAsync();
        foreach (var side in fixture.Sides)
            (await side.Cli("swarm", "init", "--advertise-addr", side.AdvertiseAddress, "--listen-addr", side.ListenAddress)).ShouldSucceed();
        var info = await BothAsync("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Managers}} {{.Swarm.Nodes}}");
        Assert.Equal(info[0].Output, info[1].Output);
        (await BothAsync("swarm", "leave", "--force"))[0].ShouldSucceed();
        info = await BothAsync("info", "--format", "{{.Swarm.LocalNodeState}}");
        Assert.Equal(info[0].Output, info[1].Output);
    }
}
