using System.Globalization;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// How a task stops, as Docker Swarm's: a task on a network first leaves the routing mesh and the VIPs, then its
/// container gets SIGTERM and the service's stop_grace_period (10 s unless set) to exit before SIGKILL.
/// The containers write the moment SIGTERM reaches them (`docker logs -t`); the engine says when they ended.
/// </summary>
public sealed class Stop_grace_period_Tests(SwarmOfOne swarm) : IClassFixture<SwarmOfOne>
{
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(60);
    private LocalAgent Agent => swarm.Agent;

    [Fact]
    public async Task A_task_that_exits_within_its_grace_period_on_SIGTERM_exits_by_itself_after_leaving_the_mesh()
    {
        // Published, so the task is on the ingress network and in the mesh's rotation.
        var (container, sentAt) = await StopAsync("graceful", ["--stop-grace-period", "5s", "--publish", "18090:5000"],
            "trap 'echo term; sleep 2; exit 0' TERM; while true; do sleep 0.1; done");
        var (exitCode, term, finished) = await EndedAsync(container);

        Assert.Equal(0, exitCode);
        Assert.InRange((finished - term).TotalSeconds, 1.5, 4.5);
        // The node took the task out of the rotation (a new network plan) between the scale-down and SIGTERM.
        var plans = Regex.Matches(Agent.AgentLog, @"network plan at \d+ applied at (\d\d:\d\d:\d\d\.\d\d\d)")
            .Select(m => sentAt.Date + TimeSpan.ParseExact(m.Groups[1].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture))
            .Select(at => at < sentAt - TimeSpan.FromHours(12) ? at.AddDays(1) : at);
        Assert.Contains(plans, at => at > sentAt && at < term);
        Assert.True(term - sentAt >= TimeSpan.FromSeconds(0.9), $"SIGTERM came {(term - sentAt).TotalSeconds:0.00} s after the scale-down, before the rotations could hear it");
    }

    [Fact]
    public async Task A_task_that_ignores_SIGTERM_is_killed_after_the_default_10_s()
    {
        var (container, _) = await StopAsync("stubborn", [], "trap 'echo term' TERM; while true; do sleep 0.1; done");
        var (exitCode, term, finished) = await EndedAsync(container);

        Assert.Equal(137, exitCode); // SIGKILL
        Assert.InRange((finished - term).TotalSeconds, 9.0, 12.5);
    }

    /// <summary>Runs the busybox script as a one-replica service, then scales it to 0 (the container stays, stopped).</summary>
    private async Task<(string Container, DateTime SentAt)> StopAsync(string name, string[] flags, string script)
    {
        (await Agent.Docker(["service", "create", "-d", "--name", name, .. flags, "busybox", "sh", "-c", script])).ShouldSucceed();
        var container = "";
        await Eventually.True(async () =>
        {
            container = (await Engine.ContainersOfServiceAsync(Agent.NodeId, name)).Select(c => c.ID).FirstOrDefault() ?? "";
            return container.Length > 0 && (await Agent.Docker("service", "ps", "--format", "{{.CurrentState}}", name)).Output.StartsWith("Running");
        }, Converges, $"{name} runs");
        var sentAt = DateTime.UtcNow;
        (await Agent.Docker("service", "scale", "-d", $"{name}=0")).ShouldSucceed();
        await Eventually.True(async () => (await Host("inspect", "-f", "{{.State.Status}}", container)).Output.Trim() == "exited",
            TimeSpan.FromSeconds(30), $"{name}'s container has stopped");
        return (container, sentAt);
    }

    private static async Task<(int ExitCode, DateTime Term, DateTime Finished)> EndedAsync(string container)
    {
        var state = (await Host("inspect", "-f", "{{.State.ExitCode}} {{.State.FinishedAt}}", container)).ShouldSucceed().Output.Trim().Split(' ');
        var logs = (await Host("logs", "-t", container)).ShouldSucceed().Output;
        var line = logs.Split('\n').FirstOrDefault(l => l.EndsWith(" term")) ?? throw new Xunit.Sdk.XunitException($"no SIGTERM in the logs: {logs}");
        return (int.Parse(state[0], CultureInfo.InvariantCulture), Time(line.Split(' ')[0]), Time(state[1]));
    }

    /// <summary>Docker's RFC 3339 times carry nanoseconds; .NET reads seven digits of a fraction at most.</summary>
    private static DateTime Time(string rfc3339) =>
        DateTime.Parse(Regex.Replace(rfc3339, @"(\.\d{7})\d+", "$1"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>This machine's engine, which runs the single node's containers.</summary>
    private static Task<CommandResult> Host(params string[] args) => CommandResult.RunAsync("docker", args, new Dictionary<string, string>());
}
