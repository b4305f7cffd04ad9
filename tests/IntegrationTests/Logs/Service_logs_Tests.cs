using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Logs;

/// <summary>
/// Three real nodes (n1 manager, n2 promoted to manager, n3 worker): each test's service runs one task per node, and
/// its logs are read through the stock docker CLI and ours, from either manager. The manager gathers them from the
/// tasks' nodes over the swarm's mutual-TLS links.
/// </summary>
public sealed class Service_logs_Tests(Service_logs_Tests.ThreeNodes fixture) : IClassFixture<Service_logs_Tests.ThreeNodes>
{
    private NamespaceCluster Cluster => fixture.Cluster;

    /// <summary>Three tasks, one per node, each printing numbered lines with its host name.</summary>
    private async Task CreateAsync(string name, string script, params string[] flags)
    {
        (await Cluster.EventSwarm(1, ["service", "create", "-d", "--name", name, "--replicas", "3", "--replicas-max-per-node", "1", .. flags, "busybox", "sh", "-c", script]))
            .ShouldSucceed();
        await Eventually.True(async () =>
        {
            var rows = (await Cluster.EventSwarm(1, "service", "ps", name)).Rows.Where(r => !r.Contains("\\_")).ToList();
            return rows.Count == 3 && rows.All(r => Regex.IsMatch(r, @"Running\s+Running|\sComplete\s"));
        }, TimeSpan.FromSeconds(60), $"{name}'s three tasks run");
    }

    private const string Chatty = "i=0; while true; do echo \"line $i from $(hostname)\"; i=$((i+1)); sleep 0.2; done";

    private static readonly Regex Prefixed = new(@"^(?<service>[a-z]+)\.(?<slot>\d)\.(?<task>[a-z0-9]{12})@(?<node>n\d)    \| (?<text>.*)$");

    [Fact]
    public async Task Follow_shows_every_task_and_then_the_replacement_of_a_removed_container()
    {
        await CreateAsync("chat", Chatty);
        var lines = new ConcurrentQueue<string>();
        using var follow = Start("docker", ["service", "logs", "-f", "chat"], lines);
        try
        {
            var tasks = new HashSet<string>();
            await Eventually.True(() => Task.FromResult(Tasks(lines).Count == 3), TimeSpan.FromSeconds(30), "lines of all three tasks are followed");
            Assert.Equal(["n1", "n2", "n3"], lines.Select(l => Prefixed.Match(l)).Where(m => m.Success).Select(m => m.Groups["node"].Value).Distinct().Order());
            var before = Tasks(lines);

            // The task on n3 loses its container; Swarm replaces the task, and the follow picks the new one up.
            var container = (await Cluster.Engine(3, "ps", "-q", "--filter", "label=eventswarm.service.name=chat")).ShouldSucceed().Output.Trim();
            (await Cluster.Engine(3, "rm", "-f", container)).ShouldSucceed();
            await Eventually.True(() => Task.FromResult(Tasks(lines).Except(before).Any()), TimeSpan.FromSeconds(45),
                "a line of the replacement task appears in the same follow");
            Assert.False(follow.HasExited, "the follow goes on");
        }
        finally
        {
            follow.Kill(entireProcessTree: true);
        }
        (await Cluster.EventSwarm(1, "service", "rm", "chat")).ShouldSucceed();
    }

    [Fact]
    public async Task Tail_since_timestamps_and_task_ids_behave_as_docker_and_any_manager_answers()
    {
        // Tasks that print ten lines and end: Complete, their containers kept, so every answer is stable.
        await CreateAsync("ten", "for i in 0 1 2 3 4 5 6 7 8 9; do echo \"line $i from $(hostname)\"; done", "--restart-condition", "none");

        // --tail is per task (Docker's swarm tail); the ended tasks' containers still give their logs.
        var tail = (await Cluster.Docker(1, "service", "logs", "--tail", "2", "ten")).ShouldSucceed();
        var tailed = tail.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, tailed.Length);
        Assert.All(tailed, l => Assert.Matches(@"^ten\.\d\.[a-z0-9]{12}@n\d    \| line [89] from \S+$", l));
        Assert.Equal(3, tailed.Select(l => Prefixed.Match(l).Groups["task"].Value).Distinct().Count());

        // Our CLI prints what the docker CLI prints, and a manager that runs none of the reading prints the same.
        var all = (await Cluster.Docker(1, "service", "logs", "--timestamps", "--no-trunc", "ten")).ShouldSucceed().Output;
        Assert.Equal(all, (await Cluster.EventSwarm(1, "service", "logs", "--timestamps", "--no-trunc", "ten")).ShouldSucceed().Output);
        Assert.Equal(all, (await Cluster.Docker(2, "service", "logs", "--timestamps", "--no-trunc", "ten")).ShouldSucceed().Output);

        // --timestamps: Docker's RFC3339NanoFixed first, and the three tasks' lines merged in time order.
        var stamped = all.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(30, stamped.Length);
        Assert.All(stamped, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ten\.\d\.[a-z0-9]{25}@n\d    \| line \d from \S+$", l));
        var times = stamped.Select(l => l[..30]).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);

        // --since a line's own time: that line and the later ones only.
        var middle = times[15];
        var since = (await Cluster.EventSwarm(1, "service", "logs", "--timestamps", "--since", middle, "ten")).ShouldSucceed().Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(since);
        Assert.All(since, l => Assert.True(string.CompareOrdinal(l[..30], middle) >= 0, $"{l} is before {middle}"));
        Assert.True(since.Length <= 15, $"{since.Length} lines since the 16th of 30");

        // --no-task-ids and --no-resolve: docker's shorter and rawer prefixes; --raw: the lines alone.
        var noIds = (await Cluster.Docker(1, "service", "logs", "--no-task-ids", "--tail", "1", "ten")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(noIds, l => Assert.Matches(@"^ten\.\d@n\d    \| line 9 from \S+$", l));
        Assert.Equal(noIds, (await Cluster.EventSwarm(1, "service", "logs", "--no-task-ids", "--tail", "1", "ten")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var raw = (await Cluster.Docker(1, "service", "logs", "--raw", "--tail", "1", "ten")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(raw, l => Assert.Matches(@"^line 9 from \S+$", l));
        var unresolved = (await Cluster.Docker(1, "service", "logs", "--no-resolve", "--tail", "1", "ten")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(unresolved, l => Assert.Matches(@"^[a-z0-9]{25}\.\d\.[a-z0-9]{12}@[a-z0-9]{25}    \| line 9 from \S+$", l));

        // One task's logs by its ID.
        var task = Prefixed.Match(tailed[0]).Groups["task"].Value;
        var one = (await Cluster.Docker(1, "service", "logs", task)).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, one.Length);
        Assert.All(one, l => Assert.Contains($".{task}@", l));

        // Unknown: docker's words, nothing else.
        (await Cluster.Docker(1, "service", "logs", "nosuch")).ShouldFailWith("no such task or service: nosuch");
        (await Cluster.EventSwarm(1, "service", "logs", "nosuch")).ShouldFailWith("no such task or service: nosuch");
        (await Cluster.EventSwarm(1, "service", "rm", "ten")).ShouldSucceed();
    }

    [Fact]
    public async Task A_stopped_node_is_reported_and_not_waited_for()
    {
        await CreateAsync("gone", "for i in 0 1 2; do echo \"line $i from $(hostname)\"; done", "--restart-condition", "none");
        var n3 = (await Cluster.EventSwarm(1, "node", "inspect", "--format", "{{.ID}}", "n3")).ShouldSucceed().Output.Trim();
        await Cluster.KillAgentAsync(3);
        try
        {
            var clock = Stopwatch.StartNew();
            var read = await Cluster.Docker(1, "service", "logs", "gone");
            Assert.NotEqual(-1, read.ExitCode);   // it ended by itself (CommandResult kills it after its limit)
            Assert.Equal(1, read.ExitCode);
            Assert.Equal(6, read.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);   // n1's and n2's lines
            Assert.Equal("error from daemon in stream: Error grabbing logs: rpc error: code = Unknown desc = warning: incomplete log stream. " +
                $"some logs could not be retrieved for the following reasons: node {n3} is not available", read.Error.Trim());

            // Following goes on: n3 is told once on the stream, the others' lines keep coming.
            var lines = new ConcurrentQueue<string>();
            var errors = new ConcurrentQueue<string>();
            using var follow = Start("docker", ["service", "logs", "-f", "gone"], lines, errors);
            try
            {
                await Eventually.True(() => Task.FromResult(lines.Count >= 6 && errors.Any(e => e.Contains($"node {n3} is not available"))), TimeSpan.FromSeconds(30),
                    "the follow shows n1's and n2's lines and reports n3");
                Assert.False(follow.HasExited, "the follow goes on");
            }
            finally
            {
                follow.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            await Cluster.RestartMissingAgentsAsync();
        }
        (await Cluster.EventSwarm(1, "service", "rm", "gone")).ShouldSucceed();
    }

    private static HashSet<string> Tasks(IEnumerable<string> lines) =>
        [.. lines.Select(l => Prefixed.Match(l)).Where(m => m.Success).Select(m => m.Groups["task"].Value)];

    /// <summary>A long-running command whose output lines are collected as they come; the caller kills it.</summary>
    private Process Start(string file, string[] args, ConcurrentQueue<string> lines, ConcurrentQueue<string>? errors = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOCKER_HOST"] = "unix:///run/eventswarm-cluster/n1/eventswarm.sock";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) lines.Enqueue(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) errors?.Enqueue(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public sealed class ThreeNodes : IAsyncLifetime
    {
        public NamespaceCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await NamespaceCluster.StartJoinedAsync(3);
            (await Cluster.EventSwarm(1, "node", "promote", "n2")).ShouldSucceed();
            await Eventually.True(async () => (await Cluster.EventSwarm(2, "node", "ls")).ExitCode == 0, TimeSpan.FromSeconds(30), "n2 answers as a manager");
        }

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }
}
