using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// The stock docker CLI's `docker stack` commands against both sides: the tutorial's compose files deployed,
/// listed, inspected and removed with the same commands, and what each side answered compared line by line
/// (tables) or field by field (inspect), each side's own IDs, host names and times aside.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class StackTests(OracleFixture fixture)
{
    private const string Stack = "wordpress";
    private static readonly string Files = Path.Combine(AppContext.BaseDirectory, "Stacks", "Files");
    private static readonly TimeSpan Converges = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_tutorials_stack_deploys_lists_inspects_and_removes_as_in_Docker_Swarm()
    {
        await PrepareAsync();

        // Verbatim, real images, the CLI's defaults (it asks each side for the images' digests: neither reaches a registry).
        await DeployAsync("tutorial-v3.yml");
        await CompareDeployedAsync();
        await RemoveAsync();
    }

    [Fact]
    public async Task The_tutorials_stack_with_an_external_secret_deploys_and_removes_as_in_Docker_Swarm_and_keeps_the_secret()
    {
        await PrepareAsync();
        var secretFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(secretFile, "tutorial-pw");
            await BothAsync("secret", "rm", "my-pw2");
            (await BothAsync("secret", "create", "my-pw2", secretFile))[0].ShouldSucceed();

            await DeployAsync("tutorial-v3.1.yml", "--resolve-image", "never");
            await CompareDeployedAsync();
            await RemoveAsync();

            // External: the stack uses it but does not own it, so `stack rm` leaves it on both sides.
            var secrets = await BothAsync("secret", "ls", "--format", "{{.Name}}");
            Assert.All(secrets, s => Assert.Equal("my-pw2", s.Output.Trim()));
        }
        finally
        {
            File.Delete(secretFile);
            await BothAsync("secret", "rm", "my-pw2");
        }
    }

    [Fact]
    public async Task Deploying_a_stack_on_an_unknown_external_network_fails_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();

        var results = await BothAsync("stack", "deploy", "--resolve-image", "never", "-c", Path.Combine(Files, "external-network-missing.yml"), "outside");

        Assert.NotEqual(0, results[0].ExitCode);
        Assert.Equal(results[0].Error.Trim(), results[1].Error.Trim());
        Assert.Equal(results[0].Output, results[1].Output);
        Assert.All(await BothAsync("service", "ls", "--filter", "label=com.docker.stack.namespace=outside", "-q"), r => Assert.Equal("", r.Output.Trim()));
    }

    /// <summary>Both sides in a swarm with the tutorial's images, and nothing left of an earlier run of the stack.</summary>
    private async Task PrepareAsync()
    {
        await fixture.InSwarmAsync();
        await fixture.LoadImagesAsync("wordpress:latest", "mysql:5.7");
        await BothAsync("stack", "rm", Stack);
        await GoneAsync();
    }

    private async Task DeployAsync(string file, params string[] flags)
    {
        var deployed = await BothAsync(["stack", "deploy", .. flags, "-c", Path.Combine(Files, file), Stack]);
        deployed[0].ShouldSucceed();
        // The CLI creates the networks and services in its own map order ("Creating service …"), random per run.
        Assert.Equal(Lines(deployed[0].Output), Lines(deployed[1].Output));
        Assert.Equal(Lines(deployed[0].Error), Lines(deployed[1].Error));
        // Converged: every replica of both services running on both sides (wordpress 3/3, mysql global 1/1).
        foreach (var side in fixture.Sides)
            await Eventually.True(async () => (await side.Cli("stack", "services", Stack, "--format", "{{.Replicas}}")).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().SequenceEqual(["1/1", "3/3"]),
                Converges, $"{side}: the stack's services converged");
    }

    private async Task CompareDeployedAsync()
    {
        var ls = await BothAsync("stack", "ls");
        Assert.Equal(ls[0].Output, ls[1].Output);

        var services = await BothAsync("stack", "services", Stack);
        Assert.Equal(Header(services[0]), Header(services[1]));
        services = await BothAsync("stack", "services", Stack, "--format", "{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}");
        Assert.Equal(services[0].Output, services[1].Output);

        var tasks = await BothAsync("stack", "ps", Stack);
        Assert.Equal(Header(tasks[0]), Header(tasks[1]));
        var nodes = new List<string>();
        foreach (var side in fixture.Sides) nodes.Add(await side.NodeIdAsync());
        tasks = await BothAsync("stack", "ps", Stack, "--no-trunc", "--format", "{{.Name}}\t{{.Image}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}");
        Assert.Equal(TaskRows(tasks[0], nodes[0]), TaskRows(tasks[1], nodes[1]));

        foreach (var service in new[] { $"{Stack}_mysql", $"{Stack}_web" })
        {
            var inspected = await BothAsync("service", "inspect", service);
            JsonComparison.AssertSame("service", JsonNode.Parse(inspected[0].Output)![0], JsonNode.Parse(inspected[1].Output)![0], $"docker service inspect {service}");
        }

        var network = await BothAsync("network", "inspect", $"{Stack}_my-network");
        var (dockerNetwork, eventswarmNetwork) = (JsonNode.Parse(network[0].Output)![0]!, JsonNode.Parse(network[1].Output)![0]!);
        foreach (var field in new[] { "Labels", "Driver", "Scope" })
            JsonComparison.AssertSame("network", dockerNetwork[field], eventswarmNetwork[field], $"docker network inspect {Stack}_my-network: {field}");

        // The named volume of the mysql service, created by each side's engine from the mount the CLI sent (its
        // stack label in VolumeOptions), as Swarm's executor has it created.
        var volume = await BothAsync("volume", "inspect", $"{Stack}_mysql-data");
        var (dockerVolume, eventswarmVolume) = (JsonNode.Parse(volume[0].Output)![0]!, JsonNode.Parse(volume[1].Output)![0]!);
        Assert.Equal("wordpress", (string?)eventswarmVolume["Labels"]?["com.docker.stack.namespace"]);
        foreach (var field in new[] { "Labels", "Driver", "Options", "Scope" })
            JsonComparison.AssertSame("volume", dockerVolume[field], eventswarmVolume[field], $"docker volume inspect {Stack}_mysql-data: {field}");
    }

    /// <summary>`docker stack rm` prints and exits alike, and leaves no service and no network of the stack behind.</summary>
    private async Task RemoveAsync()
    {
        var removed = await BothAsync("stack", "rm", Stack);
        removed[0].ShouldSucceed();
        Assert.Equal(Lines(removed[0].Output), Lines(removed[1].Output));
        Assert.Equal(Lines(removed[0].Error), Lines(removed[1].Error));
        await GoneAsync();
    }

    /// <summary>No service, network or secret of the stack on either side, and (once its containers are gone) not its volume.</summary>
    private async Task GoneAsync()
    {
        foreach (var side in fixture.Sides)
        {
            foreach (var kind in new[] { "service", "network", "secret" })
                await Eventually.True(async () => (await side.Cli(kind, "ls", "-q", "--filter", $"label=com.docker.stack.namespace={Stack}")).Output.Trim() == "",
                    TimeSpan.FromSeconds(30), $"{side}: no {kind} of the stack left");
            // Docker keeps a stack's volumes; removed here so that the next deploy creates it anew. In use until the
            // stack's containers are gone.
            await Eventually.True(async () => (await side.Cli("volume", "rm", "-f", $"{Stack}_mysql-data")).ExitCode == 0
                    && (await side.Cli("volume", "inspect", $"{Stack}_mysql-data")).ExitCode != 0,
                TimeSpan.FromSeconds(60), $"{side}: the stack's volume removed");
        }
    }

    private async Task<IReadOnlyList<CommandResult>> BothAsync(params string[] args)
    {
        var results = new List<CommandResult>();
        foreach (var side in fixture.Sides) results.Add(await side.Cli(args));
        Assert.True(results[0].ExitCode == results[1].ExitCode,
            $"`docker {string.Join(' ', args)}` exit code: docker={results[0].ExitCode} eventswarm={results[1].ExitCode}\n"
            + $"docker: {results[0].Output}{results[0].Error}\neventswarm: {results[1].Output}{results[1].Error}");
        return results;
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    private static string Header(CommandResult result) => Regex.Replace(result.Output.Split('\n')[0], @"\s+", " ").Trim();

    /// <summary>Rows sorted, the node's ID in a global task's name replaced, and "Running 5 seconds ago" cut to its state.</summary>
    private static List<string> TaskRows(CommandResult result, string nodeId) =>
        [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(row => row.Replace(nodeId, "<node>"))
            .Select(row => Regex.Replace(row, @"\t(\w+) [^\t]* ago\t", "\t$1\t"))
            .Order(StringComparer.Ordinal)];
}
