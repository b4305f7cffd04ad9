using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode.Updates;

/// <summary>
/// The tutorial's section "Service 更新", verbatim, on three joined nodes (n1 manages, n2 and n3 work): an overlay
/// network, web published on 80, scaled to 2, `curl 127.0.0.1` on a worker, a curl loop left running on a worker
/// while web goes from python-hello-world:1.0 to 2.0, `service ps` for the update's history, then the port moved to
/// 8080. Told once per CLI (<see cref="Cli"/>); each behaviour it shows is one test.
/// </summary>
public abstract class TutorialUpdateWalkthrough : IAsyncLifetime
{
    public const string V1 = "Hello Docker, Version 1.0";
    public const string V2 = "Hello Docker, Version 2.0";
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(90);

    /// <summary>The worker the tutorial types `curl 127.0.0.1` on, and leaves its curl loop running on.</summary>
    private const int Worker = 3;

    /// <summary>Where the tutorial's curl goes: the worker's loopback, which the routing mesh answers on as Docker's ingress does.</summary>
    private const string Loopback = "127.0.0.1";

    private NamespaceCluster _cluster = null!;

    public Scenario Story { get; } = new();

    /// <summary>What the request loop recorded and how long the update took, worth reading beside the results.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The CLI the user types, pointed at node K's agent (the manager n1 here).</summary>
    protected abstract Task<CommandResult> Cli(NamespaceCluster cluster, int node, params string[] args);

    public async Task InitializeAsync()
    {
        _cluster = await NamespaceCluster.StartJoinedAsync(3);
        var cluster = _cluster;
        foreach (var node in Enumerable.Range(1, 3))
            await cluster.LoadImagesAsync(node, "python-hello-world:1.0", "python-hello-world:2.0");

        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.The_overlay_network_demo_is_created), async () =>
        {
            (await Cli(cluster, 1, "network", "create", "-d", "overlay", "demo")).ShouldSucceed();
            Assert.Contains((await cluster.Docker(1, "network", "ls")).ShouldSucceed().Rows, r => r.Contains(" demo ") && r.Contains("overlay"));
        });
        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.Web_is_created_on_demo_with_port_80_published_and_runs_version_1_0), async () =>
        {
            (await Cli(cluster, 1, "service", "create", "--name", "web", "--publish", "80:5000", "--network", "demo", "python-hello-world:1.0")).ShouldSucceed();
            await RunningAsync(1, "python-hello-world:1.0");
        });
        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.Web_scales_to_two_replicas), async () =>
        {
            (await Cli(cluster, 1, "service", "scale", "web=2")).ShouldSucceed();
            await RunningAsync(2, "python-hello-world:1.0");
        });
        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.Curl_127_0_0_1_on_a_worker_answers_Hello_Docker_Version_1_0), async () =>
        {
            var answer = await RequestLoop.UntilAsync(Worker, $"http://{Loopback}", a => a == V1, TimeSpan.FromSeconds(30));
            Assert.True(answer == V1, $"`curl {Loopback}` on n{Worker} answered \"{answer}\" within 30 s, not \"{V1}\"");
        });
        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.The_update_to_2_0_switches_the_worker_s_curl_loop_with_no_failed_request), async () =>
        {
            var loop = RequestLoop.Start(Worker, $"http://{Loopback}");
            IReadOnlyList<string> answers;
            try
            {
                await loop.AnsweredAsync(8, TimeSpan.FromSeconds(30));
                var started = DateTime.UtcNow;
                (await Cli(cluster, 1, "service", "update", "--image", "python-hello-world:2.0", "web")).ShouldSucceed();
                await RunningAsync(2, "python-hello-world:2.0");
                Notes.Add($"`service update --image python-hello-world:2.0 web` and both tasks running 2.0: {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
                // A few more requests once the last old task is gone: the loop must go on answering 2.0.
                var before = loop.Answers.Count;
                await loop.AnsweredAsync(before + 8, TimeSpan.FromSeconds(30));
            }
            finally
            {
                answers = await loop.StopAsync();
            }
            Notes.Add($"curl loop on n{Worker} through {Loopback}: {RequestLoop.Summary(answers)}");
            RequestLoop.AssertSwitchedWithoutFailure(answers, V1, V2, $"{Loopback} on n{Worker}");
        });
        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.Service_ps_shows_the_history_each_slot_s_old_task_Shutdown_under_its_new_Running_one), async () =>
        {
            var ps = (await Cli(cluster, 1, "service", "ps", "web")).ShouldSucceed();
            Notes.Add($"service ps web:\n{ps.Output}");
            var rows = ps.Rows.Select(r => Regex.Split(r.Trim(), @"\s{2,}")).ToList();
            foreach (var slot in new[] { 1, 2 })
            {
                // ID, NAME, IMAGE, NODE, DESIRED STATE, CURRENT STATE: the slot's current task first, then its history as \_ rows.
                var current = rows.FindIndex(c => c.Length >= 6 && c[1] == $"web.{slot}");
                Assert.True(current >= 0, $"no row web.{slot} in\n{ps.Output}");
                Assert.Equal("python-hello-world:2.0", rows[current][2]);
                Assert.Equal("Running", rows[current][4]);
                Assert.StartsWith("Running", rows[current][5]);
                var old = rows.Skip(current + 1).TakeWhile(c => c.Length >= 2 && c[1].StartsWith("\\_ ", StringComparison.Ordinal)).ToList();
                Assert.True(old.Count >= 1, $"no \\_ row under web.{slot} in\n{ps.Output}");
                Assert.All(old, c => Assert.Equal($"\\_ web.{slot}", c[1]));
                Assert.Contains(old, c => c[2] == "python-hello-world:1.0" && c[4] == "Shutdown" && c[5].StartsWith("Shutdown", StringComparison.Ordinal));
            }
        });
        await Story.StepAsync(nameof(Tutorial_update_walkthrough_Tests.Publish_rm_80_and_publish_add_8080_move_web_to_port_8080), async () =>
        {
            (await Cli(cluster, 1, "service", "update", "--publish-rm", "80:5000", "--publish-add", "8080:5000", "web")).ShouldSucceed();
            var answer = await RequestLoop.UntilAsync(Worker, $"http://{Loopback}:8080", a => a == V2, TimeSpan.FromSeconds(30));
            Assert.True(answer == V2, $"`curl {Loopback}:8080` on n{Worker} answered \"{answer}\" within 30 s, not \"{V2}\"");
            // curl's exit 7: the connection was refused, nothing listens on 80 any more.
            answer = await RequestLoop.UntilAsync(Worker, $"http://{Loopback}", a => a.StartsWith("FAILED: curl exit 7", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            Assert.True(answer.StartsWith("FAILED: curl exit 7", StringComparison.Ordinal), $"`curl {Loopback}` on n{Worker} still answered within 30 s: {answer}");
            Assert.Contains("8080->5000", (await cluster.Docker(1, "service", "ls")).ShouldSucceed().Output);
        });
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>Waits (bounded) until web runs exactly <paramref name="replicas"/> tasks, all of the image.</summary>
    private async Task RunningAsync(int replicas, string image)
    {
        IReadOnlyList<ServiceTask>? tasks = null;
        await Eventually.True(async () =>
        {
            tasks = await ServiceTask.ListAsync(1, "web");
            var running = tasks?.Where(t => t.IsRunning).ToList() ?? [];
            return running.Count == replicas && running.All(t => t.Image == image);
        }, Converges, $"web runs {replicas} tasks of {image} ({(tasks is null ? "no answer" : ServiceTask.Describe(tasks))})");
    }
}

/// <summary>The walkthrough with the stock docker CLI (DOCKER_HOST at the manager's socket), as the tutorial types it.</summary>
public sealed class DockerCliUpdateWalkthrough : TutorialUpdateWalkthrough
{
    protected override Task<CommandResult> Cli(NamespaceCluster cluster, int node, params string[] args) => cluster.Docker(node, args);
}

/// <summary>The same walkthrough with EventSwarm's own CLI (`eventswarm service …`).</summary>
public sealed class EventSwarmCliUpdateWalkthrough : TutorialUpdateWalkthrough
{
    protected override Task<CommandResult> Cli(NamespaceCluster cluster, int node, params string[] args) => cluster.EventSwarm(node, args);
}
