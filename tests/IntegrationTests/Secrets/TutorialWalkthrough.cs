using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Secrets;

/// <summary>
/// The tutorial's section on Docker secrets, told once on three joined nodes (n1 manages, n2 and n3 work): first
/// verbatim with the stock docker CLI, then with EventSwarm's own (its objects prefixed "es-" so both live in one
/// swarm), then the manager is restarted and every place a plaintext could leak is searched. Each CLI's walkthrough
/// and the search are stories of their own (<see cref="Scenario"/>): one that stops does not hide the others. The
/// tests of the "Secrets walkthrough" collection only read what was recorded.
/// </summary>
public sealed class TutorialWalkthrough : IAsyncLifetime
{
    /// <summary>`vim password` in the tutorial: the file ends with the newline vim writes.</summary>
    public const string FilePassword = "admin123\n";

    /// <summary>`echo "adminadmin" | docker secret create my-pw2 -`: echo's newline included.</summary>
    public const string PipedPassword = "adminadmin\n";

    private const string Forever = "while true; do sleep 3600; done";
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(60);

    public NamespaceCluster Cluster { get; private set; } = null!;

    public Scenario Docker { get; } = new();
    public Scenario EventSwarm { get; } = new();
    public Scenario HardWay { get; } = new();

    public static TheoryData<string> Clis => new() { "docker", "eventswarm" };

    public Scenario StoryOf(string cli) => cli == "docker" ? Docker : EventSwarm;

    public async Task InitializeAsync()
    {
        Cluster = await NamespaceCluster.StartJoinedAsync(3);
        // The db task may land on any node: each gets the image, in parallel (11-22 s per node one after the other).
        await Task.WhenAll(Enumerable.Range(1, 3).Select(n => Cluster.LoadImagesAsync(n, "mysql:5.7", "mysql:latest")));
        await TellAsync("docker", Docker);
        await TellAsync("eventswarm", EventSwarm);
        await SearchAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private Func<string[], Task<CommandResult>> Cli(string cli) => args => cli == "docker" ? Cluster.Docker(1, args) : Cluster.EventSwarm(1, args);

    private async Task TellAsync(string cli, Scenario story)
    {
        var run = Cli(cli);
        var p = cli == "docker" ? "" : "es-";
        var probe = new SecretsProbe(Cluster);
        var secretId = "";
        (int Node, string Container, string TaskId) client = default;

        await story.StepAsync("secret create reads the data from a file", async () =>
        {
            var dir = Directory.CreateTempSubdirectory("eventswarm-secret-").FullName;
            try
            {
                await File.WriteAllTextAsync(Path.Combine(dir, "password"), FilePassword);
                var id = (await run(["secret", "create", $"{p}my-pw", Path.Combine(dir, "password")])).ShouldSucceed().Output.Trim();
                Assert.Matches("^[a-z0-9]{25}$", id);
            }
            finally { Directory.Delete(dir, recursive: true); }
        });

        await story.StepAsync("secret create reads the data from stdin", async () =>
        {
            secretId = (await SecretsProbe.Piped(PipedPassword, $"unix://{SecretsProbe.Socket(1)}", cli, "secret", "create", $"{p}my-pw2", "-"))
                .ShouldSucceed().Output.Trim();
            Assert.Matches("^[a-z0-9]{25}$", secretId);
        });

        await story.StepAsync("secret ls lists both in docker's table", async () =>
        {
            var ls = (await run(["secret", "ls"])).ShouldSucceed();
            Assert.Matches(@"^ID\s+NAME\s+DRIVER\s+CREATED\s+UPDATED\s*$", ls.Output.Split('\n')[0]);
            Assert.Contains(ls.Rows, r => System.Text.RegularExpressions.Regex.IsMatch(r, $@"^\w{{25}}\s+{p}my-pw\s"));
            Assert.Contains(ls.Rows, r => System.Text.RegularExpressions.Regex.IsMatch(r, $@"^{secretId}\s+{p}my-pw2\s"));
        });

        await story.StepAsync("secret rm removes the secret", async () =>
        {
            (await run(["secret", "rm", $"{p}my-pw"])).ShouldSucceed();
            Assert.DoesNotContain((await run(["secret", "ls"])).ShouldSucceed().Rows, r => r.Contains($" {p}my-pw "));
        });

        await story.StepAsync("a task reads the secret under /run/secrets", async () =>
        {
            (await run(["service", "create", "--name", $"{p}client", "--secret", $"{p}my-pw2", "--stop-grace-period", "1s",
                "busybox", "sh", "-c", Forever])).ShouldSucceed();
            client = await probe.RunningTaskAsync($"{p}client", Converges);
            var read = (await Cluster.Engine(client.Node, "exec", client.Container, "cat", $"/run/secrets/{p}my-pw2")).ShouldSucceed();
            Assert.Equal(PipedPassword, read.Output);
        });

        await story.StepAsync("the secret is a read-only file in memory", async () =>
        {
            var mounts = (await Cluster.Engine(client.Node, "exec", client.Container, "cat", "/proc/mounts")).ShouldSucceed().Output;
            var line = Assert.Single(mounts.Split('\n'), l => l.Split(' ') is [_, var target, ..] && target == $"/run/secrets/{p}my-pw2");
            Assert.Equal("tmpfs", line.Split(' ')[2]);
            Assert.StartsWith("ro", line.Split(' ')[3]);
            (await Cluster.Engine(client.Node, "exec", client.Container, "sh", "-c", $"echo x > /run/secrets/{p}my-pw2"))
                .ShouldFailWith("Read-only file system");
        });

        await story.StepAsync("only the node running the task holds the secret", async () =>
        {
            Assert.True(SecretsProbe.HoldsFilesOf(client.Node, client.TaskId), $"n{client.Node} runs task {client.TaskId} but its tmpfs has no file of it");
            var held = Enumerable.Range(1, 3).ToDictionary(n => n, n => SecretsProbe.SecretFiles(n).Where(f => Path.GetFileName(f.Key).StartsWith(secretId)).ToList());
            var (path, content) = Assert.Single(held[client.Node]);
            Assert.Equal(PipedPassword, content);
            Assert.Equal(Path.Combine(SecretsProbe.SecretsTmpfs(client.Node), client.TaskId, $"{secretId}-v1"), path);
            foreach (var node in Enumerable.Range(1, 3).Where(n => n != client.Node))
                Assert.True(held[node].Count == 0, $"n{node} runs no task of {p}client yet holds {string.Join(", ", held[node].Select(f => f.Key))}");
        });

        await story.StepAsync("the secret leaves the node when its task ends", async () =>
        {
            // docker: the service removed; eventswarm: scaled to 0. Either way the task ends.
            (await (cli == "docker" ? run(["service", "rm", $"{p}client"]) : run(["service", "scale", $"{p}client=0"]))).ShouldSucceed();
            await Eventually.True(() => Task.FromResult(Enumerable.Range(1, 3).All(n => !SecretsProbe.SecretFiles(n).Keys.Any(f => f.Contains(secretId)))),
                Converges, $"no node holds {p}my-pw2 once the task of {p}client ended");
        });

        await story.StepAsync("mysql starts with the secret as root password and logs in with it", async () =>
        {
            (await run(["service", "create", "--name", $"{p}db", "--secret", $"{p}my-pw2", "-e", $"MYSQL_ROOT_PASSWORD_FILE=/run/secrets/{p}my-pw2",
                "--stop-grace-period", "1s", "mysql"])).ShouldSucceed();
            var db = await probe.RunningTaskAsync($"{p}db", TimeSpan.FromSeconds(120));
            (await Cluster.Engine(db.Node, "exec", db.Container, "ls", "/run/secrets")).ShouldSucceed();
            // mysqld initialises its datadir first (seconds to tens of seconds): bounded, with the last refusal shown.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            CommandResult login;
            while ((login = await Cluster.Engine(db.Node, "exec", db.Container, "mysql", "-u", "root", "-padminadmin", "-e", "select 1")).ExitCode != 0
                && DateTime.UtcNow < deadline)
                await Task.Delay(1000);
            login.ShouldSucceed();
            Assert.Contains("1", login.Output);
            // The password is the secret's, not any: a wrong one is refused.
            (await Cluster.Engine(db.Node, "exec", db.Container, "mysql", "-u", "root", "-pwrong", "-e", "select 1")).ShouldFailWith("Access denied");
        });

        // The docker CLI's db has shown what it shows: it frees its memory for the rest; EventSwarm's keeps running
        // (its node's tmpfs legitimately holds the secret during the search).
        if (cli == "docker") await run(["service", "rm", $"{p}db"]);
    }

    /// <summary>Where each plaintext was found after the walkthroughs and a manager restart (empty when nowhere).</summary>
    public List<string> Hits { get; } = [];

    private async Task SearchAsync()
    {
        var needles = SecretsProbe.FormsOf(FilePassword.TrimEnd()).Concat(SecretsProbe.FormsOf(PipedPassword.TrimEnd())).ToList();
        var logsBefore = new Dictionary<string, string>();

        await HardWay.StepAsync("a restarted manager serves the secrets again", async () =>
        {
            foreach (var node in Enumerable.Range(1, 3)) logsBefore[$"n{node}'s agent log before the restart"] = await File.ReadAllTextAsync(SecretsProbe.AgentLog(node));
            await Cluster.KillAgentAsync(1);
            await Cluster.RestartMissingAgentsAsync();
            await Eventually.True(async () => (await Cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
                Converges, "the restarted manager sees 3 nodes Ready");
            var names = (await SecretsProbe.GetJsonAsync(1, "/secrets")).EnumerateArray().Select(s => s.GetProperty("Spec").GetProperty("Name").GetString()).ToList();
            Assert.Contains("my-pw2", names);
        });

        await HardWay.StepAsync("no plaintext on any node's disk", () =>
        {
            foreach (var node in Enumerable.Range(1, 3))
            {
                Hits.AddRange(SecretsProbe.FilesContaining(NamespaceCluster.DataDirectory(node), needles));
                // The node's run directory (logs, pids), but the secrets tmpfs, which holds them by design, and the
                // engine's exec root (containers' FIFOs and runtime state: the engine's, not the agent's).
                Hits.AddRange(SecretsProbe.FilesContaining($"/run/eventswarm-cluster/n{node}", needles,
                    skip: d => d == SecretsProbe.SecretsTmpfs(node) || d == $"/run/eventswarm-cluster/n{node}/exec"));
            }
            Assert.True(Hits.Count == 0, string.Join("\n", Hits));
            return Task.CompletedTask;
        });

        await HardWay.StepAsync("no plaintext in the agents' logs", async () =>
        {
            var logs = new Dictionary<string, string>(logsBefore);
            foreach (var node in Enumerable.Range(1, 3)) logs[$"n{node}'s agent log now"] = await File.ReadAllTextAsync(SecretsProbe.AgentLog(node));
            var found = logs.SelectMany(l => needles.Where(n => l.Value.Contains(n, StringComparison.Ordinal)).Select(n => $"{l.Key} holds \"{n}\"")).ToList();
            Assert.True(found.Count == 0, string.Join("\n", found));
        });

        await HardWay.StepAsync("no plaintext in the API's answers", async () =>
        {
            var paths = new List<string> { "/secrets", "/services", "/tasks", "/nodes", "/configs", "/info", "/swarm", "/eventswarm/v1/log" };
            paths.AddRange((await SecretsProbe.GetJsonAsync(1, "/secrets")).EnumerateArray().Select(s => $"/secrets/{s.GetProperty("ID").GetString()}"));
            paths.AddRange((await SecretsProbe.GetJsonAsync(1, "/services")).EnumerateArray().Select(s => $"/services/{s.GetProperty("ID").GetString()}"));
            var found = new List<string>();
            foreach (var node in Enumerable.Range(1, 3))
                foreach (var path in paths)
                {
                    var body = await SecretsProbe.GetAsync(node, path);
                    found.AddRange(needles.Where(n => body.Contains(n, StringComparison.Ordinal)).Select(n => $"n{node} GET {path} answers \"{n}\""));
                }
            Assert.True(found.Count == 0, string.Join("\n", found));
        });

        await HardWay.StepAsync("no plaintext in the audit trail, which records every secret event", async () =>
        {
            var trail = await SecretsProbe.GetAsync(1, "/eventswarm/v1/events");
            using var events = JsonDocument.Parse(trail);
            var types = events.RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString() ?? "").ToList();
            Assert.True(types.Count(t => t == "secret-created") >= 4, $"the trail records the 4 secrets created: {string.Join(", ", types.Distinct())}");
            Assert.Contains("secret-removed", types);
            foreach (var e in events.RootElement.EnumerateArray().Where(e => e.GetProperty("type").GetString()!.StartsWith("secret-")))
                Assert.True(e.TryGetProperty("metadata", out var who) && who.ValueKind == JsonValueKind.Object && who.EnumerateObject().Any(),
                    $"event {e.GetProperty("sequence")} ({e.GetProperty("type")}) carries no metadata of who caused it");
            var found = needles.Where(n => trail.Contains(n, StringComparison.Ordinal)).ToList();
            Assert.True(found.Count == 0, $"the audit trail holds {string.Join(", ", found)}");
        });
    }
}

[CollectionDefinition(Name)]
public sealed class WalkthroughCollection : ICollectionFixture<TutorialWalkthrough>
{
    public const string Name = "Secrets walkthrough";
}
