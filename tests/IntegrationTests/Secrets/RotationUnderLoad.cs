using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Secrets;

/// <summary>
/// `eventswarm secret rotate` while a service reads the secret and serves it: web, three busybox httpd replicas
/// serving /run/secrets on an overlay network (port 8000, published on 8080 through the routing mesh), is asked
/// for the secret's file in a bounded loop through its VIP (from a client task on the same network) and through
/// the mesh (from this machine) while the secret rotates from "version-one" to "version-two". Told once on three
/// joined nodes; each test reads one recorded behaviour.
/// </summary>
public sealed class RotationUnderLoad : IAsyncLifetime
{
    public const string Old = "version-one";
    public const string New = "version-two";
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(120);

    public NamespaceCluster Cluster { get; private set; } = null!;
    public Scenario Story { get; } = new();

    public async Task InitializeAsync()
    {
        Cluster = await NamespaceCluster.StartJoinedAsync(3);
        var probe = new SecretsProbe(Cluster);
        var secretId = "";
        (int Node, string Container, string TaskId) client = default;
        var vip = new List<string>();
        var mesh = new List<string>();

        await Story.StepAsync("the service serves the secret's first version", async () =>
        {
            secretId = (await SecretsProbe.Piped(Old, $"unix://{SecretsProbe.Socket(1)}", "docker", "secret", "create", "web-pw", "-")).ShouldSucceed().Output.Trim();
            (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "rot")).ShouldSucceed();
            (await Cluster.EventSwarm(1, "service", "create", "--name", "web", "--replicas", "3", "--network", "rot", "--secret", "web-pw",
                "-p", "8080:8000", "--stop-grace-period", "1s", "busybox", "httpd", "-f", "-p", "8000", "-h", "/run/secrets")).ShouldSucceed();
            (await Cluster.EventSwarm(1, "service", "create", "--name", "rot-client", "--network", "rot", "--stop-grace-period", "1s",
                "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
            client = await probe.RunningTaskAsync("rot-client", Converges);
            await Eventually.True(async () => (await probe.RunningContainersAsync("web")).Count == 3, Converges, "3 tasks of web run");
            await Eventually.True(async () => (await Cluster.Engine(client.Node, "exec", client.Container, "sh", "-c",
                "printf 'GET /web-pw HTTP/1.0\\r\\n\\r\\n' | nc -w 3 web 8000")).Output.EndsWith(Old), Converges, "web answers through its VIP");
            await Eventually.True(async () => await MeshAsync() == Old, Converges, "web answers through the routing mesh");
        });

        await Story.StepAsync("the rotation rolls every task to the new version", async () =>
        {
            // Through the VIP: a bounded loop inside the client task, one line of status and one of body per request.
            const string loop = "i=0; while [ $i -lt 1500 ] && [ ! -f /tmp/stop ]; do "
                + "r=$(printf 'GET /web-pw HTTP/1.0\\r\\n\\r\\n' | nc -w 3 web 8000); echo \"$r\" | head -1; echo \"$r\" | tail -1; echo ==; "
                + "i=$((i+1)); sleep 0.1; done > /tmp/requests 2>&1; touch /tmp/done";
            (await Cluster.Engine(client.Node, "exec", "-d", client.Container, "sh", "-c", loop)).ShouldSucceed();
            // Through the mesh: from here, on the node that runs the client (any node answers).
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var meshLoop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested) { mesh.Add(await MeshAsync()); await Task.Delay(100); }
            });
            try
            {
                await Eventually.True(async () => (await VipAnswersAsync(client)).Count >= 10, Converges, "10 requests through the VIP were answered before the rotation");

                (await SecretsProbe.Piped(New, $"unix://{SecretsProbe.Socket(1)}", "eventswarm", "secret", "rotate", "web-pw", "-")).ShouldSucceed();
                await Eventually.True(async () =>
                {
                    var secret = await SecretsProbe.GetJsonAsync(1, "/secrets/web-pw");
                    var tasks = secret.GetProperty("Tasks").EnumerateArray().ToList();
                    if (secret.GetProperty("DataVersion").GetInt64() != 2 || tasks.Count < 3 || tasks.Any(t => t.GetProperty("DataVersion").GetInt64() != 2)) return false;
                    var running = await probe.RunningContainersAsync("web");
                    return running.Count == 3;
                }, Converges, "every task of web reads version 2");
                await Task.Delay(2000); // a few more requests once the last old task is gone
            }
            finally
            {
                stop.Cancel();
                await meshLoop;
            }
            (await Cluster.Engine(client.Node, "exec", client.Container, "touch", "/tmp/stop")).ShouldSucceed();
            await Eventually.True(async () => (await Cluster.Engine(client.Node, "exec", client.Container, "test", "-f", "/tmp/done")).ExitCode == 0,
                TimeSpan.FromSeconds(10), "the request loop ended");
            vip.AddRange(await VipAnswersAsync(client));
        });

        await Story.StepAsync("no request through the VIP failed", () =>
        {
            AssertNoneFailed(vip, "the VIP");
            return Task.CompletedTask;
        });

        await Story.StepAsync("no request through the routing mesh failed", () =>
        {
            AssertNoneFailed(mesh, "the routing mesh");
            return Task.CompletedTask;
        });

        await Story.StepAsync("every task ends on the new content", async () =>
        {
            var running = await probe.RunningContainersAsync("web");
            Assert.Equal(3, running.Count);
            foreach (var (node, container) in running)
                Assert.Equal(New, (await Cluster.Engine(node, "exec", container, "cat", "/run/secrets/web-pw")).ShouldSucceed().Output);
        });

        await Story.StepAsync("inspect shows version 2 and no task on version 1", async () =>
        {
            var secret = await SecretsProbe.GetJsonAsync(1, "/secrets/web-pw");
            Assert.Equal(2, secret.GetProperty("DataVersion").GetInt64());
            var tasks = secret.GetProperty("Tasks").EnumerateArray().ToList();
            Assert.Equal(3, tasks.Count);
            Assert.All(tasks, t => Assert.Equal(2, t.GetProperty("DataVersion").GetInt64()));
            var inspect = (await Cluster.EventSwarm(1, "secret", "inspect", "web-pw")).ShouldSucceed().Output;
            Assert.Contains("\"DataVersion\": 2", inspect);
        });

        await Story.StepAsync("the old version leaves every node", async () =>
        {
            await Eventually.True(() => Task.FromResult(Enumerable.Range(1, 3).All(n => !SecretsProbe.SecretFiles(n).Keys.Any(f => f.EndsWith($"{secretId}-v1")))),
                TimeSpan.FromSeconds(30), "no node holds version 1 of web-pw");
            foreach (var node in Enumerable.Range(1, 3))
                Assert.DoesNotContain(Old, SecretsProbe.SecretFiles(node).Values);
        });

        await Story.StepAsync("the audit trail shows the rotation and who did it", async () =>
        {
            using var trail = JsonDocument.Parse(await SecretsProbe.GetAsync(1, "/eventswarm/v1/events"));
            var rotated = Assert.Single(trail.RootElement.EnumerateArray(), e => e.GetProperty("type").GetString() == "secret-rotated");
            Assert.True(rotated.TryGetProperty("metadata", out var who) && who.ValueKind == JsonValueKind.Object && who.EnumerateObject().Any(),
                $"the rotation carries no metadata of who rotated: {rotated}");
        });
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static async Task<string> MeshAsync() =>
        (await CommandResult.RunAsync("curl", ["-s", "--max-time", "3", $"http://{NamespaceCluster.Address(3)}:8080/web-pw"], new Dictionary<string, string>())).Output;

    /// <summary>What the VIP loop recorded so far, one entry per request: the body, or "FAILED: status" when it was no 200.</summary>
    private async Task<List<string>> VipAnswersAsync((int Node, string Container, string TaskId) client)
    {
        var raw = (await Cluster.Engine(client.Node, "exec", client.Container, "cat", "/tmp/requests")).Output;
        return raw.Split("==\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n') is [var status, var body, ..] && System.Text.RegularExpressions.Regex.IsMatch(status, @"^HTTP/1\.[01] 200 ") ? body : $"FAILED: {block.Trim()}")
            .ToList();
    }

    private static void AssertNoneFailed(IReadOnlyList<string> answers, string through)
    {
        Assert.True(answers.Count >= 20, $"only {answers.Count} requests went through {through}");
        var failed = answers.Where(a => a is not (Old or New)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} requests through {through} failed: {string.Join(" | ", failed.Distinct().Take(5))}");
        Assert.Contains(Old, answers);
        Assert.Equal(New, answers[^1]);
    }
}
