using System.Text.Json;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Updates;

/// <summary>
/// An update to an image whose process exits at once (python-hello-world:broken) fails within its monitor period:
/// with failure_action rollback the service goes back to its previous spec on its own, with pause it stops there
/// with Docker's message, and in both cases the tasks not yet replaced serve every request meanwhile. One agent
/// serves the class; each test has its own network, services and published port.
/// </summary>
public sealed class Failure_action_Tests(SwarmOfOne fixture, ITestOutputHelper output) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public async Task A_failed_update_with_failure_action_rollback_rolls_back_on_its_own_and_drops_no_request()
    {
        const string name = "fa-rollback";
        var probe = new UpdateProbe(Agent);
        await using var loops = await ServeAsync(probe, name, 18491, "rollback");

        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.Broken, name)).ShouldSucceed();
        var seen = await probe.WaitForUpdateStateAsync(name, "rollback_completed");
        output.WriteLine(string.Join("\n", seen.Select(s => $"{s.State}: {s.Message}")));

        // swarmkit's messages: the rollback names the task that failed, then says it completed.
        var started = Assert.Single(seen, s => s.State == "rollback_started");
        var failedTask = Regex.Match(started.Message, @"^update rolled back due to failure or early termination of task (\w+)$");
        Assert.True(failedTask.Success, $"rollback_started with \"{started.Message}\"");
        Assert.Equal(("rollback_completed", "rollback completed"), seen[^1]);
        var task = (await probe.TasksAsync(name)).Single(t => t.GetProperty("ID").GetString() == failedTask.Groups[1].Value);
        Assert.StartsWith(UpdateProbe.Broken, UpdateProbe.ImageOf(task), StringComparison.Ordinal);

        // The spec is back, and Swarm keeps no previous spec after an automatic rollback.
        var inspect = await probe.InspectAsync(name);
        Assert.StartsWith(UpdateProbe.V1, await probe.ImageOfAsync(name), StringComparison.Ordinal);
        Assert.True(!inspect.TryGetProperty("PreviousSpec", out var previous) || previous.ValueKind == JsonValueKind.Null, $"PreviousSpec after an automatic rollback: {previous}");
        await probe.WaitForRunningAsync(name, 2, UpdateProbe.V1);

        await loops.WaitForAnswersAsync(UpdateProbe.Answer1);
        var (vip, mesh) = await loops.StopAsync();
        Report(vip, mesh);
        AssertOnly(vip, "the VIP", UpdateProbe.Answer1);
        AssertOnly(mesh, "the routing mesh", UpdateProbe.Answer1);
        (await Agent.Docker("service", "rm", name, $"{name}-client")).ShouldSucceed();
    }

    [Fact]
    public async Task A_failed_update_with_failure_action_pause_pauses_with_Docker_s_message_and_a_new_update_resumes_it()
    {
        const string name = "fa-pause";
        var probe = new UpdateProbe(Agent);
        await using var loops = await ServeAsync(probe, name, 18492, "pause");

        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.Broken, name)).ShouldSucceed();
        var seen = await probe.WaitForUpdateStateAsync(name, "paused");
        output.WriteLine(string.Join("\n", seen.Select(s => $"{s.State}: {s.Message}")));
        var paused = Regex.Match(seen[^1].Message, @"^update paused due to failure or early termination of task (\w+)$");
        Assert.True(paused.Success, $"paused with \"{seen[^1].Message}\"");
        var task = (await probe.TasksAsync(name)).Single(t => t.GetProperty("ID").GetString() == paused.Groups[1].Value);
        Assert.StartsWith(UpdateProbe.Broken, UpdateProbe.ImageOf(task), StringComparison.Ordinal);

        // Paused, it stays paused: the slot the update has not reached keeps its 1.0 task, and it serves.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal("paused", (await probe.UpdateStatusAsync(name)).State);
        var running = (await probe.TasksAsync(name)).Where(t => UpdateProbe.StateOf(t) == "running").ToList();
        Assert.Contains(running, t => UpdateProbe.ImageOf(t).StartsWith(UpdateProbe.V1, StringComparison.Ordinal));
        await loops.WaitForAnswersAsync(UpdateProbe.Answer1);

        // A new spec resumes the update (swarmkit: a paused update waits for a new spec), and it completes.
        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.V2, name)).ShouldSucceed();
        await probe.WaitForUpdateStateAsync(name, "completed");
        Assert.Equal("update completed", (await probe.UpdateStatusAsync(name)).Message);
        await probe.WaitForRunningAsync(name, 2, UpdateProbe.V2);
        await loops.WaitForAnswersAsync(UpdateProbe.Answer2);

        var (vip, mesh) = await loops.StopAsync();
        Report(vip, mesh);
        RequestLoops.AssertNoneFailedAndSwitched(vip, "the VIP", UpdateProbe.Answer1, UpdateProbe.Answer2);
        RequestLoops.AssertNoneFailedAndSwitched(mesh, "the routing mesh", UpdateProbe.Answer1, UpdateProbe.Answer2);
        (await Agent.Docker("service", "rm", name, $"{name}-client")).ShouldSucceed();
    }

    /// <summary>web at 1.0 with two replicas, watched 3 s after each replacement, and a client on its network; the request loops started.</summary>
    private async Task<RequestLoops> ServeAsync(UpdateProbe probe, string name, int port, string failureAction)
    {
        var client = $"{name}-client";
        (await Agent.Docker("network", "create", "-d", "overlay", name)).ShouldSucceed();
        (await Agent.Docker("service", "create", "-d", "--no-resolve-image", "--name", name, "--network", name, "--publish", $"{port}:5000",
            "--replicas", "2", "--stop-grace-period", "2s", "--update-failure-action", failureAction, "--update-monitor", "3s",
            "--rollback-monitor", "2s", UpdateProbe.V1)).ShouldSucceed();
        (await Agent.Docker("service", "create", "-d", "--name", client, "--network", name, "--stop-grace-period", "1s",
            "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
        await probe.WaitForRunningAsync(name, 2, UpdateProbe.V1);
        var loops = await RequestLoops.StartAsync(await probe.ContainerOfAsync(client), name, port, UpdateProbe.Answer1);
        await loops.WaitForAnswersAsync(UpdateProbe.Answer1);
        return loops;
    }

    private void Report(IReadOnlyList<string> vip, IReadOnlyList<string> mesh)
    {
        output.WriteLine($"VIP {vip.Count} requests, {vip.Count(a => a.StartsWith("FAILED", StringComparison.Ordinal))} failed: {RequestLoops.Summary(vip)}");
        output.WriteLine($"mesh {mesh.Count} requests, {mesh.Count(a => a.StartsWith("FAILED", StringComparison.Ordinal))} failed: {RequestLoops.Summary(mesh)}");
    }

    private static void AssertOnly(IReadOnlyList<string> answers, string through, string expected)
    {
        Assert.True(answers.Count >= 20, $"only {answers.Count} requests went through {through}");
        var failed = answers.Where(a => a != expected).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} requests through {through} failed: {string.Join(" | ", failed.Distinct().Take(5))}");
    }
}
