using System.Net;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Metrics;

/// <summary>A swarm of one whose agent also serves /metrics on a loopback port (<c>--metrics-addr</c>), as dockerd's flag.</summary>
public sealed class MetricsSwarm : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;

    public int MetricsPort { get; } = LocalAgent.FreePort();

    public async Task InitializeAsync() => Agent = await LocalAgent.StartSwarmAsync("--metrics-addr", $"127.0.0.1:{MetricsPort}");

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}

/// <summary>
/// /metrics on a real node, scraped as Prometheus would (on the socket and on --metrics-addr), read back against
/// what the same node answers through the Docker API and the CLI at that moment: the figures are the cluster's.
/// </summary>
public sealed class Metrics_scrape_Tests(MetricsSwarm fixture) : IClassFixture<MetricsSwarm>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public async Task Scraped_figures_match_the_state_of_the_swarm()
    {
        (await Agent.Docker("service", "create", "-d", "--name", "metrics-web", "--replicas", "2", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        (await Agent.Docker("service", "create", "-d", "--name", "metrics-one", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await ReplicasAsync()) is var r && r.GetValueOrDefault("metrics-web") == "2/2" && r.GetValueOrDefault("metrics-one") == "1/1",
            Within, "both services run all their replicas");

        // The leader knows a node's heartbeat lag only once it has heard one: this node's first comes up to a heartbeat
        // period after it joined, and the services above may have run sooner than that.
        await Eventually.True(async () =>
        {
            using var http = Agent.Http();
            return PrometheusText.Parse(await http.GetStringAsync("/metrics")).Series("eventswarm_node_heartbeat_lag_seconds", ("node", Agent.NodeId)).Any();
        }, Within, "the leader has heard this node's heartbeat");

        // The scrape and the reads at one state: taken again (a few times at most) if the log moved between them.
        Snapshot? snapshot = null;
        for (var attempt = 0; attempt < 5 && snapshot is null; attempt++)
        {
            var before = await Agent.LogLengthAsync();
            var taken = await TakeAsync();
            if (await Agent.LogLengthAsync() == before) snapshot = taken with { Log = before };
        }
        Assert.NotNull(snapshot);
        var (metrics, nodes, tasks, replicas, log) = snapshot;

        // Nodes by role, state and availability, as GET /nodes has them.
        foreach (var group in nodes.GroupBy(n => n))
            Assert.Equal(group.Count(), metrics.Value("eventswarm_nodes", ("role", group.Key.Role), ("state", group.Key.State), ("availability", group.Key.Availability)));
        Assert.Equal(nodes.Count, metrics.Sum("eventswarm_nodes"));

        // Services, and running/desired per service as `service ls` prints them.
        Assert.Equal(replicas.Count, metrics.Value("eventswarm_services"));
        foreach (var (name, shown) in replicas)
        {
            var running = metrics.Value("eventswarm_service_running_replicas", ("service", name));
            var desired = metrics.Value("eventswarm_service_desired_replicas", ("service", name));
            Assert.Equal(shown, $"{running}/{desired}");
        }

        // Tasks by state, as GET /tasks lists them (every state, zeros included); this node holds all of them.
        var byState = tasks.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        foreach (var sample in metrics.Series("eventswarm_tasks"))
            Assert.Equal(byState.GetValueOrDefault(sample.Labels["state"]), sample.Value);
        Assert.Equal(tasks.Count, metrics.Sum("eventswarm_tasks"));
        Assert.Equal(tasks.Count, metrics.Sum("eventswarm_node_tasks"));

        // Raft: the leader of a cluster of one, its commit index the log's; every event of the log appended here.
        Assert.Equal(1, metrics.Value("eventswarm_raft_is_leader"));
        // A cluster of one starts leading without an election (DotNext's cold start): its term may still be 0.
        Assert.True(metrics.Value("eventswarm_raft_term") >= 0);
        Assert.True(metrics.Value("eventswarm_raft_leader_changes_total") >= 1);
        Assert.Equal(log.Entries, metrics.Value("eventswarm_raft_commit_index"));
        Assert.True(metrics.Value("eventswarm_raft_last_log_index") >= log.Entries);
        Assert.True(metrics.Value("eventswarm_raft_commit_duration_seconds_count") >= 1);
        Assert.True(metrics.Value("eventswarm_events_appended_total", ("type", "ServiceCreated")) >= 2);
        Assert.Equal(log.Events, metrics.Sum("eventswarm_events_appended_total"));

        // The loops, the API, the heartbeat, the network plan and the worker were timed.
        Assert.True(metrics.Value("eventswarm_control_loop_pass_duration_seconds_count", ("loop", "scheduler")) >= 1);
        Assert.True(metrics.Value("eventswarm_api_request_duration_seconds_count", ("route", "/services/create"), ("method", "POST"), ("code", "201")) >= 2);
        Assert.True(metrics.Series("eventswarm_node_heartbeat_lag_seconds", ("node", Agent.NodeId)).Single().Value >= 0);
        Assert.True(metrics.Value("eventswarm_network_plan_apply_duration_seconds_count") >= 1);
        Assert.True(metrics.Value("eventswarm_task_container_start_duration_seconds_count") >= 3);

        (await Agent.Docker("service", "rm", "metrics-web", "metrics-one")).ShouldSucceed();
    }

    [Fact]
    public async Task Metrics_addr_serves_only_metrics_and_asks_no_certificate()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.MetricsPort}") };

        using var scrape = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", scrape.Content.Headers.ContentType!.ToString());
        var overTcp = PrometheusText.Parse(await scrape.Content.ReadAsStringAsync());
        using var socket = Agent.Http();
        var overSocket = PrometheusText.Parse(await socket.GetStringAsync("/metrics"));
        Assert.Equal(overSocket.Types, overTcp.Types);
        Assert.Equal(1, overTcp.Value("eventswarm_raft_is_leader"));

        // Not the API, not the Engine pass-through, not the node-to-node routes: 404, as dockerd's metrics listener.
        foreach (var path in new[] { "/services", "/v1.41/services", "/_ping", "/eventswarm/v1/log", "/eventswarm/v1/swarm/ca", "/eventswarm/v1/worker/state", "/metrics/x" })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_metrics_addr_that_cannot_be_bound_is_logged_and_the_node_serves_on()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var agent = await LocalAgent.StartAsync("--metrics-addr", $"127.0.0.1:{port}");

        (await agent.Docker("version")).ShouldSucceed();
        using var http = agent.Http();
        Assert.Contains("eventswarm_disk_full_alarm 0", await http.GetStringAsync("/metrics"));
        Assert.True(agent.IsRunning);
        Assert.Contains($"metrics: cannot listen on 127.0.0.1:{port}", agent.AgentLog);
    }

    private sealed record Snapshot(PrometheusText Metrics, IReadOnlyList<(string Role, string State, string Availability)> Nodes, IReadOnlyList<string> Tasks,
        IReadOnlyDictionary<string, string> Replicas, (long Entries, long Events) Log);

    private async Task<Snapshot> TakeAsync()
    {
        using var http = Agent.Http();
        var metrics = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        using var nodes = JsonDocument.Parse(await http.GetStringAsync("/v1.41/nodes"));
        using var tasks = JsonDocument.Parse(await http.GetStringAsync("/v1.41/tasks"));
        return new Snapshot(metrics,
            [.. nodes.RootElement.EnumerateArray().Select(n => (n.GetProperty("Spec").GetProperty("Role").GetString()!, n.GetProperty("Status").GetProperty("State").GetString()!,
                n.GetProperty("Spec").GetProperty("Availability").GetString()!))],
            [.. tasks.RootElement.EnumerateArray().Select(t => t.GetProperty("Status").GetProperty("State").GetString()!)],
            await ReplicasAsync(), default);
    }

    /// <summary>`service ls`'s REPLICAS column by service name.</summary>
    private async Task<Dictionary<string, string>> ReplicasAsync() =>
        (await Agent.Docker("service", "ls", "--format", "{{.Name}} {{.Replicas}}")).ShouldSucceed().Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
}
