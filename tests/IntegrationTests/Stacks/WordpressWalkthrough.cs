using System.Diagnostics;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;
using EventSwarm.IntegrationTests.Secrets;

namespace EventSwarm.IntegrationTests.Stacks;

/// <summary>
/// The tutorial's WordPress stack, told once on three joined nodes (n1 manages, n2 and n3 work), once per CLI: the
/// stock docker CLI against n1's socket (stack "wordpress"), then EventSwarm's own (stack "es-wordpress"). The two
/// tell the same story one after the other on the same cluster, each ending with `stack rm`, because the compose
/// files are deployed verbatim and so both publish 8080. Each CLI's story is a <see cref="Scenario"/>; read-only
/// checks that need not stop it (mysql kept through the redeploy, the stack's history) are asides of their own.
/// The tests of the "WordPress walkthrough" collection only read what was recorded.
/// </summary>
public sealed class WordpressWalkthrough : IAsyncLifetime
{
    /// <summary>`printf adminadmin | docker secret create my-pw2 -`: file 2's DB password.</summary>
    public const string SecretPassword = "adminadmin";

    public const string Deployed = "file 1 deploys verbatim";
    public const string Listed = "stack ls lists the stack with its 2 services";
    public const string Services = "stack services shows web 3/3 and mysql 1/1";
    public const string Placed = "stack ps shows web spread over the 3 nodes and mysql on the manager";
    public const string Answers = "every node's 8080 answers the WordPress install redirect";
    public const string Installed = "the install completes and a post is served through every node";
    public const string VolumeLabelled = "the mysql volume is the stack's named volume";
    public const string PostSurvives = "the post survives docker rm -f of the mysql container";
    public const string Rolled = "a redeploy with wordpress:6 rolls web one task at a time 10 s apart with 0 failed requests";
    public const string Removed = "stack rm leaves no service, network or task container";
    public const string VolumeKept = "stack rm keeps the named volume";
    public const string RefusedWithoutSecret = "file 2 is refused naming my-pw2 while it does not exist, and nothing is created";
    public const string SecretCreated = "printf adminadmin | secret create my-pw2 - creates the secret";
    public const string SecretDeployed = "file 2 deploys verbatim and WordPress installs with the DB password from my-pw2";
    public const string SecretKept = "stack rm of file 2's stack keeps the external my-pw2";
    public const string MysqlKept = "the redeploy leaves mysql's task running (its spec did not change)";
    public const string History = "stack history lists both deploys with their files' digests";

    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(90);

    /// <summary>mysql initialises its datadir (6-10 s) and WordPress answers 500 until then; loaded engines add more.</summary>
    private static readonly TimeSpan WordpressAnswers = TimeSpan.FromSeconds(120);

    public NamespaceCluster Cluster { get; private set; } = null!;

    public Scenario Docker { get; } = new();
    public Scenario EventSwarm { get; } = new();
    public Scenario DockerAsides { get; } = new();
    public Scenario EventSwarmAsides { get; } = new();

    /// <summary>Timings and what the request loops recorded, worth reading beside the results.</summary>
    public List<string> Notes { get; } = [];

    public static TheoryData<string> Clis => new() { "docker", "eventswarm" };

    public Scenario StoryOf(string cli) => cli == "docker" ? Docker : EventSwarm;

    public Scenario AsidesOf(string cli) => cli == "docker" ? DockerAsides : EventSwarmAsides;

    public static string StackOf(string cli) => cli == "docker" ? "wordpress" : "es-wordpress";

    /// <summary>The compose files as the tutorial gives them, and file 1 with web's image changed to wordpress:6.</summary>
    public static string File1 => FileOf("tutorial-v3.yml");
    public static string File2 => FileOf("tutorial-v3.1.yml");
    public static string File1Wordpress6 => FileOf("tutorial-v3-wordpress-6.yml");

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Cluster = await NamespaceCluster.StartJoinedAsync(3);
        Notes.Add($"3 joined nodes: {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        // Global mysql runs on the manager, web on every node: each engine gets both images, in parallel, and the
        // second tag of the redeploy (the same image: only the spec's image name changes).
        await Task.WhenAll(Enumerable.Range(1, 3).Select(async n =>
        {
            await Cluster.LoadImagesAsync(n, "mysql:5.7", "wordpress:latest");
            (await Cluster.Engine(n, "tag", "wordpress:latest", "wordpress:6")).ShouldSucceed();
        }));
        Notes.Add($"mysql:5.7 and wordpress:latest loaded into the 3 engines: {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var cli in new[] { "docker", "eventswarm" })
        {
            clock.Restart();
            await TellAsync(cli);
            Notes.Add($"{cli}'s story: {clock.Elapsed.TotalSeconds:0.0} s");
            try { await ClearAsync(StackOf(cli)); }
            catch (Exception e) { Notes.Add($"{cli}'s story left something behind: {e.Message}"); }
        }
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private Func<string[], Task<CommandResult>> Cli(string cli) => args => cli == "docker" ? Cluster.Docker(1, args) : Cluster.EventSwarm(1, args);

    private async Task TellAsync(string cli)
    {
        var run = Cli(cli);
        var story = StoryOf(cli);
        var asides = AsidesOf(cli);
        var stack = StackOf(cli);
        var (web, mysql) = ($"{stack}_web", $"{stack}_mysql");
        var marker = $"{stack}-marker-{Guid.NewGuid():N}";
        var postId = 0;
        var mysqlTaskBefore = "";
        var mysqlTaskAfter = "";
        var redeployed = false;
        var clock = Stopwatch.StartNew();

        await story.StepAsync(Deployed, async () =>
        {
            clock.Restart();
            (await run(["stack", "deploy", "-c", File1, stack])).ShouldSucceed();
        });

        await story.StepAsync(Listed, async () =>
        {
            var ls = (await run(["stack", "ls"])).ShouldSucceed();
            Assert.Matches(@"^NAME\s+SERVICES", ls.Output.Split('\n')[0]);
            Assert.Contains(ls.Rows, r => Regex.IsMatch(r, $@"^{Regex.Escape(stack)}\s+2(\s|$)"));
        });

        await story.StepAsync(Services, async () =>
        {
            await ServicesAsync(run, stack);
            Notes.Add($"{cli}: file 1 deployed until web 3/3 and mysql 1/1: {clock.Elapsed.TotalSeconds:0.0} s");
        });

        await story.StepAsync(Placed, async () =>
        {
            IReadOnlyList<string[]> running = [];
            await Until(async () =>
            {
                running = RunningRows(await run(["stack", "ps", stack]));
                return running.Count == 4;
            }, Converges, () => $"stack ps {stack} shows 4 running tasks ({string.Join(" | ", running.Select(r => string.Join(' ', r)))})");
            // ID, NAME, IMAGE, NODE, DESIRED STATE, CURRENT STATE
            var webNodes = running.Where(r => r[1].StartsWith($"{web}.", StringComparison.Ordinal)).Select(r => r[3]).OrderBy(n => n).ToList();
            Assert.Equal(new[] { "n1", "n2", "n3" }, webNodes);
            var db = Assert.Single(running, r => r[1].StartsWith($"{mysql}.", StringComparison.Ordinal));
            Assert.Equal("n1", db[3]);
        });

        await story.StepAsync(Answers, async () =>
        {
            foreach (var node in Enumerable.Range(1, 3))
            {
                var answer = await WordpressProbe.UntilAsync(() => WordpressProbe.HeadAsync(node), a => WordpressProbe.IsInstallRedirect(a, node), WordpressAnswers);
                Assert.True(WordpressProbe.IsInstallRedirect(answer, node),
                    $"`curl -sI {WordpressProbe.Url(node, "/")}` answered {answer} within {WordpressAnswers.TotalSeconds:0} s, not 302 to /wp-admin/install.php");
            }
            Notes.Add($"{cli}: file 1 deployed until WordPress answers on every node: {clock.Elapsed.TotalSeconds:0.0} s");
        });

        await story.StepAsync(Installed, async () =>
        {
            var install = await WordpressProbe.InstallAsync($"{stack} on EventSwarm");
            Assert.True(install.Status == 200 && install.Body.Contains("Success!", StringComparison.Ordinal), $"the install answered {install}");
            postId = await WordpressProbe.NewPostAsync($"Hello from {stack}", marker);
            foreach (var node in Enumerable.Range(1, 3))
            {
                var post = await WordpressProbe.PostAsync(node, postId);
                Assert.True(post.Status == 200 && post.Body.Contains(marker, StringComparison.Ordinal), $"post {postId} through n{node} answered {post}");
            }
        });

        await story.StepAsync(VolumeLabelled, async () =>
        {
            var labels = (await Cluster.Engine(1, "volume", "inspect", "-f", "{{json .Labels}}", $"{stack}_mysql-data")).ShouldSucceed().Output;
            Assert.Contains($"\"com.docker.stack.namespace\":\"{stack}\"", labels);
        });

        await story.StepAsync(PostSurvives, async () =>
        {
            var before = await MysqlContainerAsync(mysql);
            Assert.NotNull(before);
            mysqlTaskBefore = before.Value.TaskId;
            var killed = Stopwatch.StartNew();
            (await Cluster.Engine(1, "rm", "-f", before.Value.Container)).ShouldSucceed();
            (string Container, string TaskId)? after = null;
            await Eventually.True(async () => (after = await MysqlContainerAsync(mysql)) is { } a && a.Container != before.Value.Container,
                Converges, $"a new mysql container runs on n1 in place of {before.Value.Container[..12]}");
            Assert.NotEqual(mysqlTaskBefore, after!.Value.TaskId);
            mysqlTaskBefore = after.Value.TaskId;
            var post = await WordpressProbe.UntilAsync(() => WordpressProbe.PostAsync(2, postId),
                a => a.Status == 200 && a.Body.Contains(marker, StringComparison.Ordinal), Converges);
            Assert.True(post.Status == 200 && post.Body.Contains(marker, StringComparison.Ordinal), $"post {postId} after mysql's replacement answered {post}");
            Notes.Add($"{cli}: mysql container removed until the post is served again: {killed.Elapsed.TotalSeconds:0.0} s");
            // The replacement found the datadir initialised: the volume kept it, nothing was initialised again.
            var logs = await Cluster.Engine(1, "logs", after.Value.Container);
            Assert.DoesNotContain("Initializing database", logs.Output + logs.Error);
        });

        await story.StepAsync(Rolled, async () =>
        {
            var loops = Enumerable.Range(1, 3).Select(n => new PostLoop(n, postId, marker)).ToList();
            var answers = new Dictionary<int, IReadOnlyList<(DateTime At, bool Served, string Answer)>>();
            var started = DateTime.UtcNow;
            IReadOnlyList<StackTask>? tasks = null;
            try
            {
                foreach (var loop in loops) await loop.AnsweredAsync(4, TimeSpan.FromSeconds(30));
                started = DateTime.UtcNow;
                (await run(["stack", "deploy", "-c", File1Wordpress6, stack])).ShouldSucceed();
                await Until(async () =>
                {
                    tasks = await StackTask.ListAsync(1, web);
                    var running = tasks?.Where(t => t.DesiredState == "running").ToList() ?? [];
                    return running.Count == 3 && running.All(t => t.State == "running" && t.Image.StartsWith("wordpress:6", StringComparison.Ordinal));
                }, TimeSpan.FromSeconds(150), () => $"web runs 3 tasks of wordpress:6 ({(tasks is null ? "no answer" : StackTask.Describe(tasks))})");
                Notes.Add($"{cli}: redeploy with wordpress:6 until web runs 3 new tasks: {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
                // A few more requests once the last old task is gone.
                foreach (var loop in loops) await loop.AnsweredAsync(loop.Answers.Count + 4, TimeSpan.FromSeconds(30));
            }
            finally
            {
                foreach (var loop in loops)
                {
                    answers[loop.Node] = await loop.StopAsync();
                    await loop.DisposeAsync();
                }
            }
            redeployed = true;
            mysqlTaskAfter = (await StackTask.ListAsync(1, mysql))?.FirstOrDefault(t => t.DesiredState == "running")?.Id ?? "";

            foreach (var (node, record) in answers)
            {
                var during = record.Count(a => a.At >= started);
                Notes.Add($"{cli}: request loop through n{node}'s mesh: {record.Count} requests ({during} during the update), {record.Count(a => !a.Served)} failed");
            }
            var failed = answers.SelectMany(a => a.Value.Where(x => !x.Served).Select(x => $"n{a.Key} at {x.At:HH:mm:ss.f}: {x.Answer}")).ToList();
            Assert.True(failed.Count == 0, $"{failed.Count} requests through the mesh failed during the rolling update, e.g.\n{string.Join("\n", failed.Take(5))}");
            Assert.All(answers, a => Assert.True(a.Value.Count(x => x.At >= started) >= 20, $"only {a.Value.Count(x => x.At >= started)} requests through n{a.Key} during the update"));

            // One task at a time, 10 s apart (update_config parallelism 1, delay 10s): each new task was created at
            // least 10 s after the one before it was running (the delay counts from there, as swarmkit's).
            var fresh = tasks!.Where(t => t.DesiredState == "running").OrderBy(t => t.CreatedAt).ToList();
            Assert.Equal(3, fresh.Select(t => t.Slot).Distinct().Count());
            var gaps = fresh.Skip(1).Select((t, i) => (t.CreatedAt - fresh[i].CreatedAt, t.CreatedAt - fresh[i].StatusAt)).ToList();
            Notes.Add($"{cli}: web's new tasks created {string.Join(" and ", gaps.Select(g => $"{g.Item1.TotalSeconds:0.0} s"))} apart "
                + $"({string.Join(" and ", gaps.Select(g => $"{g.Item2.TotalSeconds:0.0} s"))} after the previous one was running)");
            Assert.All(gaps, g => Assert.True(g.Item2 >= TimeSpan.FromSeconds(9.5),
                $"a new task was created {g.Item2.TotalSeconds:0.0} s after the previous one was running, not 10 s: {StackTask.Describe(tasks!)}"));
            // Each old task was shut down before its slot's new one started (stop-first), so at most one slot was down.
            var all = tasks!;
            foreach (var t in fresh)
            {
                var old = all.Where(o => o.Slot == t.Slot && o.Id != t.Id).ToList();
                Assert.True(old.Count >= 1 && old.All(o => o.DesiredState == "shutdown"), $"slot {t.Slot} has no old task shut down: {StackTask.Describe(all)}");
            }
        });

        if (cli == "eventswarm")
            await asides.StepAsync(History, async () =>
            {
                Assert.True(redeployed, "the story stopped before the redeploy");
                var history = (await run(["stack", "history", stack])).ShouldSucceed();
                Assert.True(history.Rows.Count >= 2, $"stack history lists fewer than 2 deploys:\n{history.Output}");
                var json = await SecretsProbe.GetJsonAsync(1, $"/eventswarm/v1/stacks/{stack}/history");
                var digests = json.EnumerateArray().Select(v => v.GetProperty("Files").EnumerateArray().Select(f => f.GetProperty("Digest").GetString()!.ToLowerInvariant().Replace("sha256:", "")).ToList()).ToList();
                Assert.Equal(2, digests.Count);
                Assert.Equal(new[] { Sha256(File1) }, digests[0]);
                Assert.Equal(new[] { Sha256(File1Wordpress6) }, digests[1]);
            });

        await story.StepAsync(Removed, async () =>
        {
            (await run(["stack", "rm", stack])).ShouldSucceed();
            await GoneAsync(stack);
        });

        await story.StepAsync(VolumeKept, async () =>
        {
            var volumes = (await Cluster.Engine(1, "volume", "ls", "-q")).ShouldSucceed().Output.Split('\n');
            Assert.Contains($"{stack}_mysql-data", volumes);
            // File 2 is deployed under the same name: on this datadir mysql would keep file 1's root password and
            // never read my-pw2, so the user removes the volume first (nothing in docker removes it).
            (await Cluster.Engine(1, "volume", "rm", $"{stack}_mysql-data")).ShouldSucceed();
        });

        await story.StepAsync(RefusedWithoutSecret, async () =>
        {
            var before = await Cluster.LogAsync(1);
            (await run(["stack", "deploy", "-c", File2, stack])).ShouldFailWith("my-pw2");
            var services = (await Cluster.Docker(1, "service", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output;
            Assert.DoesNotContain($"{stack}_", services);
            var networks = (await Cluster.Docker(1, "network", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output;
            if (cli == "docker")
            {
                // The stock CLI creates the stack's networks before it looks up the secrets its services name
                // (cli/command/stack/deploy_composefile.go): a half-made stack is docker's client-side sequence.
                Notes.Add($"docker: the refused deploy of file 2 left {(networks.Contains($"{stack}_my-network") ? $"{stack}_my-network" : "no network")} (docker's CLI creates networks first)");
                await Cluster.Docker(1, "network", "rm", $"{stack}_my-network");
            }
            else
            {
                Assert.DoesNotContain($"{stack}_", networks);
                Assert.Equal(before, await Cluster.LogAsync(1));
            }
        });

        await story.StepAsync(SecretCreated, async () =>
        {
            var id = (await SecretsProbe.Piped(SecretPassword, $"unix://{SecretsProbe.Socket(1)}", cli, "secret", "create", "my-pw2", "-")).ShouldSucceed().Output.Trim();
            Assert.Matches("^[a-z0-9]{25}$", id);
        });

        await story.StepAsync(SecretDeployed, async () =>
        {
            clock.Restart();
            (await run(["stack", "deploy", "-c", File2, stack])).ShouldSucceed();
            await ServicesAsync(run, stack);
            foreach (var node in Enumerable.Range(1, 3))
            {
                var answer = await WordpressProbe.UntilAsync(() => WordpressProbe.HeadAsync(node), a => WordpressProbe.IsInstallRedirect(a, node), WordpressAnswers);
                Assert.True(WordpressProbe.IsInstallRedirect(answer, node), $"`curl -sI {WordpressProbe.Url(node, "/")}` answered {answer}, not the install redirect");
            }
            Notes.Add($"{cli}: file 2 deployed until WordPress answers on every node: {clock.Elapsed.TotalSeconds:0.0} s");
            var install = await WordpressProbe.InstallAsync($"{stack} with a secret");
            Assert.True(install.Status == 200 && install.Body.Contains("Success!", StringComparison.Ordinal), $"the install answered {install}");
            // The DB's root password is the secret's: mysql took it from /run/secrets/my-pw2.
            var db = await MysqlContainerAsync(mysql);
            Assert.NotNull(db);
            (await Cluster.Engine(1, "exec", db.Value.Container, "mysql", "-uroot", $"-p{SecretPassword}", "-e", "select 1")).ShouldSucceed();
            (await Cluster.Engine(1, "exec", db.Value.Container, "mysql", "-uroot", "-proot", "-e", "select 1")).ShouldFailWith("Access denied");
        });

        await story.StepAsync(SecretKept, async () =>
        {
            (await run(["stack", "rm", stack])).ShouldSucceed();
            await GoneAsync(stack);
            Assert.Contains((await run(["secret", "ls"])).ShouldSucceed().Rows, r => Regex.IsMatch(r, @"^\w{25}\s+my-pw2\s"));
        });

        await asides.StepAsync(MysqlKept, () =>
        {
            Assert.True(redeployed, "the story stopped before the redeploy");
            Assert.True(mysqlTaskBefore != "" && mysqlTaskAfter == mysqlTaskBefore,
                $"mysql's running task was {mysqlTaskBefore} before the redeploy and {mysqlTaskAfter} after it");
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// What a story left (a stopped story leaves its stack), removed as the user would, so the next CLI's story
    /// starts from an empty swarm: the stack, the external secret, the stack's volume.
    /// </summary>
    private async Task ClearAsync(string stack)
    {
        await Cluster.Docker(1, "stack", "rm", stack);
        await Eventually.True(async () => !(await Cluster.Docker(1, "service", "ls", "-q")).Output.Any(char.IsLetterOrDigit), Converges,
            $"the services of {stack} are gone");
        foreach (var node in Enumerable.Range(1, 3))
            await Eventually.True(async () => (await Cluster.Engine(node, "ps", "-q", "--filter", "label=eventswarm.task.id")).Output.Trim() == "", Converges,
                $"n{node} runs no task container of {stack}");
        await Cluster.Docker(1, "network", "rm", $"{stack}_my-network");
        await Cluster.Docker(1, "secret", "rm", "my-pw2");
        await Cluster.Engine(1, "volume", "rm", $"{stack}_mysql-data");
    }

    /// <summary>`stack services` shows web replicated 3/3 and mysql global 1/1 (bounded: the tasks start meanwhile).</summary>
    private static async Task ServicesAsync(Func<string[], Task<CommandResult>> run, string stack)
    {
        var last = "";
        await Until(async () =>
        {
            var services = (await run(["stack", "services", stack])).ShouldSucceed();
            last = services.Output;
            // ID, NAME, MODE, REPLICAS, IMAGE, PORTS
            return Regex.IsMatch(services.Output.Split('\n')[0], @"^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS")
                && services.Rows.Count == 2
                && services.Rows.Any(r => Regex.IsMatch(r, $@"^\w+\s+{Regex.Escape(stack)}_web\s+replicated\s+3/3\s+wordpress\S*\s+\*:8080->80/tcp"))
                && services.Rows.Any(r => Regex.IsMatch(r, $@"^\w+\s+{Regex.Escape(stack)}_mysql\s+global\s+1/1\s+mysql:5\.7"));
        }, TimeSpan.FromSeconds(120), () => $"stack services {stack} shows web 3/3 and mysql 1/1:\n{last}");
    }

    /// <summary>The rows of `stack ps` whose desired state and current state are Running, split into columns.</summary>
    private static IReadOnlyList<string[]> RunningRows(CommandResult ps) =>
        ps.ExitCode != 0 ? [] : ps.Rows.Select(r => Regex.Split(r.Trim(), @"\s{2,}")).Where(c => c.Length >= 6 && c[4] == "Running" && c[5].StartsWith("Running", StringComparison.Ordinal)).ToList();

    /// <summary>mysql's running container on n1 and its task, if one runs.</summary>
    private async Task<(string Container, string TaskId)?> MysqlContainerAsync(string service)
    {
        var ids = (await Cluster.Engine(1, "ps", "-q", "--filter", $"label=eventswarm.service.name={service}")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length != 1) return null;
        var task = (await Cluster.Engine(1, "inspect", "-f", "{{index .Config.Labels \"eventswarm.task.id\"}}", ids[0])).Output.Trim();
        return (ids[0], task);
    }

    /// <summary>Waits (bounded) until the stack has no service, no network, and no node has a task container (running or not).</summary>
    private async Task GoneAsync(string stack)
    {
        var left = new List<string>();
        await Until(async () =>
        {
            left.Clear();
            left.AddRange((await Cluster.Docker(1, "service", "ls", "--format", "service {{.Name}}")).ShouldSucceed().Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Contains($" {stack}_")));
            left.AddRange((await Cluster.Docker(1, "network", "ls", "--format", "network {{.Name}}")).ShouldSucceed().Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Contains($" {stack}_")));
            foreach (var node in Enumerable.Range(1, 3))
            {
                left.AddRange((await Cluster.Engine(node, "ps", "-a", "--filter", "label=eventswarm.task.id", "--format", $"n{node}'s container {{{{.Names}}}}")).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries));
                left.AddRange((await Cluster.Engine(node, "network", "ls", "--format", $"n{node}'s network {{{{.Name}}}}")).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Contains($" {stack}_")));
            }
            return left.Count == 0;
        }, Converges, () => $"nothing of {stack} is left ({string.Join(", ", left)})");
    }

    /// <summary><see cref="Eventually.True"/> whose failure tells what was last seen.</summary>
    private static async Task Until(Func<Task<bool>> condition, TimeSpan within, Func<string> what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {within.TotalSeconds:0} s waiting until {what()}");
            await Task.Delay(200);
        }
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private static string FileOf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "IntegrationTests", "Stacks", "Files", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"tests/IntegrationTests/Stacks/Files/{name} not found above the test binaries");
    }
}

[CollectionDefinition(Name)]
public sealed class WordpressWalkthroughCollection : ICollectionFixture<WordpressWalkthrough>
{
    public const string Name = "WordPress walkthrough";
}
