using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.EngineApi;

/// <summary>A Docker SDK other than Docker.DotNet, at its defaults: Debian's python3-docker (tests/sdk/python_smoke.py).</summary>
public sealed class Python_sdk_Tests
{
    [Fact]
    public async Task Python_docker_sdk_at_its_defaults_negotiates_and_drives_services()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        var result = await CommandResult.RunAsync("/usr/bin/python3", [Script()], new Dictionary<string, string> { ["DOCKER_HOST"] = agent.Host });
        Assert.True(result.ExitCode == 0, $"python_smoke.py failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
        Assert.Contains("api version: 1.41", result.Output);
        Assert.Contains("service scaled: 2", result.Output);
        Assert.EndsWith("smoke ok\n", result.Output);
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "sdk", "python_smoke.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/sdk/python_smoke.py not found above " + AppContext.BaseDirectory);
    }
}
