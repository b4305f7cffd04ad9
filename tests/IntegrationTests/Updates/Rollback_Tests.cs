using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Updates;

/// <summary>
/// Rollback as the stock docker CLI asks for it (`service rollback`, `service update --rollback`: Docker's
/// rollback=previous), and beyond Swarm's one previous spec: the log's history of every version and a rollback to
/// any of them. One agent serves the class; each test has its own service.
/// </summary>
public sealed class Rollback_Tests(SwarmOfOne fixture, ITestOutputHelper output) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public async Task Docker_service_rollback_restores_the_previous_spec_and_the_CLI_follows_it_to_the_end()
    {
        const string name = "rb-cli";
        var probe = new UpdateProbe(Agent);
        await CreateAsync(probe, name);
        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.V2, name)).ShouldSucceed();
        await probe.WaitForUpdateStateAsync(name, "completed");

        // Not detached: the CLI prints its progress and returns once the service converged.
        var rollback = await Agent.Docker("service", "rollback", name);
        output.WriteLine(rollback.Output + rollback.Error);
        rollback.ShouldSucceed();
        Assert.Equal(("rollback_completed", "rollback completed"), await probe.UpdateStatusAsync(name));
        Assert.StartsWith(UpdateProbe.V1, await probe.ImageOfAsync(name), StringComparison.Ordinal);
        await probe.WaitForRunningAsync(name, 1, UpdateProbe.V1);
        // A manual rollback keeps the spec it left as the previous one (Swarm's rule): a second rollback undoes the first.
        var previous = (await probe.InspectAsync(name)).GetProperty("PreviousSpec");
        Assert.StartsWith(UpdateProbe.V2, previous.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Image").GetString(), StringComparison.Ordinal);

        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }

    [Fact]
    public async Task Docker_service_update_rollback_restores_the_previous_spec()
    {
        const string name = "rb-update";
        var probe = new UpdateProbe(Agent);
        await CreateAsync(probe, name);
        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.V2, name)).ShouldSucceed();
        await probe.WaitForUpdateStateAsync(name, "completed");
        await probe.WaitForRunningAsync(name, 1, UpdateProbe.V2);

        var rollback = await Agent.Docker("service", "update", "--rollback", name);
        output.WriteLine(rollback.Output + rollback.Error);
        rollback.ShouldSucceed();
        Assert.Equal(("rollback_completed", "rollback completed"), await probe.UpdateStatusAsync(name));
        Assert.StartsWith(UpdateProbe.V1, await probe.ImageOfAsync(name), StringComparison.Ordinal);
        await probe.WaitForRunningAsync(name, 1, UpdateProbe.V1);

        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }

    [Fact]
    public async Task History_lists_every_version_and_a_rollback_to_version_1_is_an_update_that_adds_a_fifth()
    {
        const string name = "rb-history";
        var probe = new UpdateProbe(Agent);
        await CreateAsync(probe, name);
        foreach (var change in new[] { new[] { "--image", UpdateProbe.V2 }, ["--env-add", "GREETING=hi"], ["--image", UpdateProbe.V1] })
        {
            (await Agent.Docker(["service", "update", "-d", "--no-resolve-image", .. change, name])).ShouldSucceed();
            await probe.WaitForUpdateStateAsync(name, "completed");
        }

        var history = await HistoryAsync(probe, name);
        output.WriteLine(JsonSerializer.Serialize(history.Select(v => new { v.Version, v.Who, v.Command, v.Changes })));
        Assert.Equal([1, 2, 3, 4], history.Select(v => v.Version));
        Assert.All(history, v => Assert.False(string.IsNullOrEmpty(v.Command), $"version {v.Version} names no command"));
        Assert.All(history, v => Assert.False(string.IsNullOrEmpty(v.Who), $"version {v.Version} names no one"));
        Assert.Equal(["created"], history[0].Changes);
        Assert.Contains(history[1].Changes, c => c.StartsWith("TaskTemplate.ContainerSpec.Image: python-hello-world:1.0 -> python-hello-world:2.0", StringComparison.Ordinal));
        Assert.Contains(history[2].Changes, c => c.StartsWith("TaskTemplate.ContainerSpec.Env", StringComparison.Ordinal) && c.Contains("GREETING=hi", StringComparison.Ordinal));
        Assert.Contains(history[3].Changes, c => c.StartsWith("TaskTemplate.ContainerSpec.Image: python-hello-world:2.0 -> python-hello-world:1.0", StringComparison.Ordinal));
        var before = (await probe.TasksAsync(name)).Single(t => UpdateProbe.StateOf(t) == "running").GetProperty("ID").GetString();

        var version = (await probe.InspectAsync(name)).GetProperty("Version").GetProperty("Index").GetInt64();
        using (var http = Agent.Http())
        {
            using var response = await http.PostAsync($"/eventswarm/v1/services/{name}/rollback?to-version=1&version={version}", null);
            Assert.True(response.IsSuccessStatusCode, $"rollback to version 1: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Applied as an update: the tasks are replaced as update_config says, and the update completes.
        var seen = await probe.WaitForUpdateStateAsync(name, "completed");
        Assert.DoesNotContain(seen, s => s.State.StartsWith("rollback", StringComparison.Ordinal));
        var spec = (await probe.InspectAsync(name)).GetProperty("Spec");
        Assert.False(spec.GetProperty("TaskTemplate").GetProperty("ContainerSpec").TryGetProperty("Env", out var env) && env.GetRawText().Contains("GREETING", StringComparison.Ordinal),
            $"version 1 had no GREETING: {spec}");
        var after = (await probe.TasksAsync(name)).Single(t => UpdateProbe.StateOf(t) == "running" && t.GetProperty("DesiredState").GetString() == "running");
        Assert.NotEqual(before, after.GetProperty("ID").GetString());
        var container = await probe.ContainerOfAsync(name);
        Assert.DoesNotContain("GREETING=hi", (await UpdateProbe.EngineCli("inspect", "--format", "{{json .Config.Env}}", container)).ShouldSucceed().Output);

        history = await HistoryAsync(probe, name);
        Assert.Equal([1, 2, 3, 4, 5], history.Select(v => v.Version));
        Assert.Contains(history[4].Changes, c => c.StartsWith("TaskTemplate.ContainerSpec.Env", StringComparison.Ordinal));
        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }

    /// <summary>One replica of 1.0, updated and rolled back one task at a time, watched 1 s.</summary>
    private async Task CreateAsync(UpdateProbe probe, string name)
    {
        (await Agent.Docker("service", "create", "-d", "--no-resolve-image", "--name", name, "--stop-grace-period", "2s",
            "--update-monitor", "1s", "--rollback-monitor", "1s", UpdateProbe.V1)).ShouldSucceed();
        await probe.WaitForRunningAsync(name, 1, UpdateProbe.V1);
    }

    private sealed record HistoryEntry(int Version, string Who, string Command, List<string> Changes);

    /// <summary>GET /eventswarm/v1/services/{name}/history, its fields read by name whatever their case.</summary>
    private static async Task<List<HistoryEntry>> HistoryAsync(UpdateProbe probe, string name)
    {
        var history = await probe.GetJsonAsync($"/eventswarm/v1/services/{name}/history");
        return [.. history.EnumerateArray().Select(v => new HistoryEntry(
            Field(v, "version").GetInt32(), Field(v, "who").GetString() ?? "", Field(v, "command").GetString() ?? "",
            [.. Field(v, "changes").EnumerateArray().Select(c => c.GetString() ?? "")]))];
    }

    private static JsonElement Field(JsonElement element, string name) =>
        element.EnumerateObject().First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
}
