using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Health;

/// <summary>
/// Swarm's health rule on a real node: a task whose container has a health check (--health-cmd, or the image's
/// HEALTHCHECK unless --no-healthcheck) is Running only once the engine says healthy, only then takes traffic
/// through its service's VIP, and a container that turns unhealthy has its task failed with Docker's error and replaced.
/// </summary>
public sealed class Health_check_Tests(HealthCluster fixture) : IClassFixture<HealthCluster>
{
    private const string UnhealthyError = "task: non-zero exit (137): dockerexec: unhealthy container";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    /// <summary>The commands below create the file the checks test 3 s after they start.</summary>
    private static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(3);

    /// <summary>Slack between the engine's clock of a container's start and the process's first instruction.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(300);

    private NamespaceCluster Cluster => fixture.Cluster;

    private Task<CommandResult> Create(params string[] args) => Cluster.EventSwarm(1, ["service", "create", "-d", "--stop-grace-period", "1s", .. args]);

    private async Task<TaskView> RunningTaskAsync(string service)
    {
        TaskView? running = null;
        await Eventually.True(async () => (running = (await fixture.TasksAsync(service)).FirstOrDefault(t => t.State == "running")) is not null,
            Within, $"a task of {service} runs");
        return running!;
    }

    [Fact]
    public async Task Task_with_a_health_cmd_is_running_only_once_its_container_is_healthy()
    {
        (await Create("--name", "h-cmd", "--health-cmd", "test -f /tmp/healthy", "--health-interval", "1s", "--health-timeout", "1s",
            "--health-retries", "3", "busybox", "sh", "-c", "sleep 3; touch /tmp/healthy; exec sleep 3600")).ShouldSucceed();

        var task = await RunningTaskAsync("h-cmd");

        var started = await fixture.StartedAtAsync(task.ContainerId);
        Assert.True(task.Timestamp >= started + HealthyAfter - Slack,
            $"running at {task.Timestamp:O}, before its check could pass (container started {started:O})");
        Assert.Equal("healthy", (await fixture.Inspect(task.ContainerId, "{{.State.Health.Status}}")).Output.Trim());
        (await Cluster.EventSwarm(1, "service", "rm", "h-cmd")).ShouldSucceed();
    }

    [Fact]
    public async Task Unhealthy_task_is_failed_and_replaced()
    {
        // Healthy at once, unhealthy from 4 s on: running first, then failed (sleep as PID 1 ignores SIGTERM: killed, 137).
        (await Create("--name", "h-sick", "--health-cmd", "test -f /tmp/healthy", "--health-interval", "1s", "--health-timeout", "1s",
            "--health-retries", "2", "busybox", "sh", "-c", "touch /tmp/healthy; sleep 4; rm /tmp/healthy; exec sleep 3600")).ShouldSucceed();
        var first = await RunningTaskAsync("h-sick");

        IReadOnlyList<TaskView> tasks = [];
        await Eventually.True(async () =>
        {
            tasks = await fixture.TasksAsync("h-sick");
            return tasks.Any(t => t.Id == first.Id && t.State == "failed") && tasks.Any(t => t.Id != first.Id && t.DesiredState == "running");
        }, Within, "the unhealthy task is failed and a replacement is on its way");

        var failed = tasks.Single(t => t.Id == first.Id);
        Assert.Equal(UnhealthyError, failed.Error);
        Assert.Equal("started", failed.Message);
        Assert.Equal("false", (await fixture.Inspect(failed.ContainerId, "{{.State.Running}}")).Output.Trim());
        Assert.Contains(tasks, t => t.Id != first.Id && t.Slot == first.Slot);
        Assert.Contains("dockerexec: unhealthy container", (await Cluster.Docker(1, "service", "ps", "--no-trunc", "h-sick")).ShouldSucceed().Output);
        (await Cluster.EventSwarm(1, "service", "rm", "h-sick")).ShouldSucceed();
    }

    [Fact]
    public async Task Image_HEALTHCHECK_is_honoured_and_no_healthcheck_disables_it()
    {
        (await Create("--name", "h-image", HealthCluster.LateImage)).ShouldSucceed();
        (await Create("--name", "h-none", "--no-healthcheck", HealthCluster.LateImage)).ShouldSucceed();

        var gated = await RunningTaskAsync("h-image");
        var started = await fixture.StartedAtAsync(gated.ContainerId);
        Assert.True(gated.Timestamp >= started + HealthyAfter - Slack,
            $"running at {gated.Timestamp:O}, before the image's check could pass (container started {started:O})");

        var unchecked_ = await RunningTaskAsync("h-none");
        var uncheckedStarted = await fixture.StartedAtAsync(unchecked_.ContainerId);
        Assert.True(unchecked_.Timestamp < uncheckedStarted + HealthyAfter - Slack,
            $"running at {unchecked_.Timestamp:O}: it waited for a check that --no-healthcheck disabled (container started {uncheckedStarted:O})");
        Assert.Contains("NONE", (await fixture.Inspect(unchecked_.ContainerId, "{{json .Config.Healthcheck}}")).Output);
        Assert.Equal("", (await fixture.Inspect(unchecked_.ContainerId, "{{if .State.Health}}{{.State.Health.Status}}{{end}}")).Output.Trim());
        (await Cluster.EventSwarm(1, "service", "rm", "h-image", "h-none")).ShouldSucceed();
    }

    /// <summary>
    /// Two replicas of a web server, of which only the first to take a lock (a directory on a bind mount shared by
    /// both) passes its check: the other, and each of its replacements, fails its check and is failed. Requests to the
    /// service's VIP from a client on the same overlay network all reach the healthy one.
    /// </summary>
    [Fact]
    public async Task Health_gated_rotation()
    {
        var shared = Directory.CreateTempSubdirectory("eventswarm-health-gate-").FullName;
        try
        {
            (await Create("--name", "h-gated", "--replicas", "2", "--network", HealthCluster.Network,
                "--mount", $"type=bind,source={shared},target=/shared",
                "--health-cmd", "test -f /www/ok", "--health-interval", "1s", "--health-timeout", "1s", "--health-retries", "2",
                "busybox", "sh", "-c", "mkdir -p /www; hostname > /www/index.html; if mkdir /shared/winner; then touch /www/ok; fi; exec httpd -f -p 8080 -h /www"))
                .ShouldSucceed();
            (await Create("--name", "h-client", "--network", HealthCluster.Network, "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
            var healthy = await RunningTaskAsync("h-gated");
            var client = await RunningTaskAsync("h-client");
            await Eventually.True(async () => (await fixture.TasksAsync("h-gated")).Any(t => t.Error == UnhealthyError || t.Error.EndsWith("dockerexec: unhealthy container")),
                Within, "the replica that did not take the lock fails its check");

            // 40 requests through the VIP, a quarter of a second apart, while the losing slot's tasks keep failing.
            var loop = "for i in $(seq 1 40); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 h-gated 8080 | tail -n 1; echo; sleep 0.25; done";
            var answers = (await Cluster.Engine(1, "exec", client.ContainerId, "sh", "-c", loop)).Output
                .Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToList();

            var healthyHost = healthy.ContainerId[..12];
            Assert.True(answers.Count >= 38, $"only {answers.Count} of 40 requests were answered");
            Assert.All(answers, host => Assert.Equal(healthyHost, host));

            var tasks = await fixture.TasksAsync("h-gated");
            var failed = tasks.Where(t => t.Error.EndsWith("dockerexec: unhealthy container")).ToList();
            Assert.NotEmpty(failed);
            // None of them was ever running: each failed while it was still starting.
            Assert.All(failed, t => Assert.Equal("starting", t.Message));
            Assert.Single(tasks, t => t.State == "running");
        }
        finally
        {
            await Cluster.EventSwarm(1, "service", "rm", "h-gated", "h-client");
            await Eventually.True(async () => (await Cluster.Engine(1, "ps", "-q", "--filter", "label=eventswarm.service.name=h-gated")).Output.Trim().Length == 0,
                Within, "the gated service's containers are gone");
            Directory.Delete(shared, recursive: true);
        }
    }
}
