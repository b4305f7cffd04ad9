using System.Globalization;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// How a task stops, as Docker Swarm's: a task on a network first leaves the routing mesh and the VIPs, then its
/// container gets SIGTERM and the service's stop_grace_period (10 s unless set) to exit before SIGKILL.
/// The engine's events say when it sent SIGTERM (and SIGKILL) and when and how the container ended.
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
        var (exitCode, term, finished, killed) = await EndedAsync(container, sentAt);

        Assert.Equal(0, exitCode);
        Assert.False(killed);
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
        var (container, sentAt) = await StopAsync("stubborn", [], "trap 'echo term' TERM; while true; do sleep 0.1; done");
        var (exitCode, term, finished, killed) = await EndedAsync(container, sentAt);

        Assert.True(killed);
        Assert.Equal(137, exitCode);
        Assert.InRange((finished - term).TotalSeconds, 9.0, 12.5);
    }

    /// <summary>Runs the busybox script as a one-replica service, then scales it to 0.</summary>
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
        return (container, sentAt);
    }

    /// <summary>
    /// The engine's own record of the stop (its events: a scaled-down task's container is removed at once): when
    /// SIGTERM was sent, whether SIGKILL followed, when and how the container died.
    /// </summary>
    private static async Task<(int ExitCode, DateTime Term, DateTime Finished, bool Killed)> EndedAsync(string container, DateTime since)
    {
        var events = new List<string[]>();
        await Eventually.True(async () =>
        {
            var output = (await Host("events", "--since", Unix(since - TimeSpan.FromSeconds(1)), "--until", Unix(DateTime.UtcNow),
                "--filter", $"container={container}", "--format", "{{.Action}} {{.TimeNano}} {{index .Actor.Attributes \"signal\"}} {{index .Actor.Attributes \"exitCode\"}}")).ShouldSucceed().Output;
            events = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))];
            return events.Any(e => e[0] == "die");
        }, TimeSpan.FromSeconds(40), $"the container {container[..12]} has died");
        var term = events.FirstOrDefault(e => e[0] == "kill" && e[2] == "15") ?? throw new Xunit.Sdk.XunitException("no SIGTERM among the container's events");
        var die = events.First(e => e[0] == "die");
        return (int.Parse(die[3], CultureInfo.InvariantCulture), Nano(term[1]), Nano(die[1]), events.Any(e => e[0] == "kill" && e[2] == "9"));
    }

    private static string Unix(DateTime at) => ((at - DateTime.UnixEpoch).TotalSeconds).ToString("0.000", CultureInfo.InvariantCulture);

    private static DateTime Nano(string timeNano) => DateTime.UnixEpoch.AddTicks(long.Parse(timeNano, CultureInfo.InvariantCulture) / 100);

    /// <summary>This machine's engine, which runs the single node's containers.</summary>
    private static Task<CommandResult> Host(params string[] args) => CommandResult.RunAsync("docker", args, new Dictionary<string, string>());
}
