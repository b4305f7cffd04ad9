using System.Net.Sockets;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Metrics;

/// <summary>
/// /metrics on the nodes of a real three-node swarm (n1 the manager, n2 and n3 workers): the manager counts the
/// swarm and hears every node's heartbeat; a worker shows only what is its own (its tasks), never the swarm's
/// figures, so that a Prometheus summing over nodes counts the swarm once.
/// </summary>
public sealed class Metrics_cluster_Tests(JoinedCluster fixture) : IClassFixture<JoinedCluster>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    private NamespaceCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Manager_counts_the_swarm_and_a_worker_only_its_own_tasks()
    {
        (await Cluster.Docker(1, "service", "create", "-d", "--name", "metrics-spread", "--replicas", "3", "--stop-grace-period", "1s",
            "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await Cluster.Docker(1, "service", "ls", "--filter", "name=metrics-spread", "--format", "{{.Replicas}}")).Output.Trim() == "3/3",
            Within, "metrics-spread runs 3/3");

        var manager = await ScrapeAsync(1);
        Assert.Equal(1, manager.Value("eventswarm_nodes", ("role", "manager"), ("state", "ready"), ("availability", "active")));
        Assert.Equal(2, manager.Value("eventswarm_nodes", ("role", "worker"), ("state", "ready"), ("availability", "active")));
        Assert.Equal(3, manager.Sum("eventswarm_nodes"));
        Assert.Equal(3, manager.Value("eventswarm_service_desired_replicas", ("service", "metrics-spread")));
        Assert.Equal(3, manager.Value("eventswarm_service_running_replicas", ("service", "metrics-spread")));
        var nodeIds = new List<string>();
        for (var node = 1; node <= 3; node++) nodeIds.Add((await Cluster.Docker(node, "info", "--format", "{{.Swarm.NodeID}}")).ShouldSucceed().Output.Trim());
        // The leader has heard every node (heartbeats every second in this cluster).
        Assert.Equal(nodeIds.Order(), manager.Series("eventswarm_node_heartbeat_lag_seconds").Select(s => s.Labels["node"]).Order());

        // The worker: its own tasks, as the manager's task list places them, and none of the swarm's figures.
        using var http = Socket(1);
        using var tasks = JsonDocument.Parse(await http.GetStringAsync("/v1.41/tasks"));
        var runningOnN2 = tasks.RootElement.EnumerateArray().Count(t => t.GetProperty("NodeID").GetString() == nodeIds[1]
            && t.GetProperty("Status").GetProperty("State").GetString() == "running");
        var worker = await ScrapeAsync(2);
        Assert.Equal(runningOnN2, worker.Value("eventswarm_node_tasks", ("state", "running")));
        Assert.True(worker.Value("eventswarm_task_container_start_duration_seconds_count") >= runningOnN2);
        foreach (var managerOnly in new[] { "eventswarm_nodes", "eventswarm_services", "eventswarm_tasks", "eventswarm_service_desired_replicas",
                     "eventswarm_raft_commit_index", "eventswarm_raft_is_leader", "eventswarm_node_heartbeat_lag_seconds" })
            Assert.Empty(worker.Series(managerOnly));

        (await Cluster.Docker(1, "service", "rm", "metrics-spread")).ShouldSucceed();
    }

    private static HttpClient Socket(int node) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/run/eventswarm-cluster/n{node}/eventswarm.sock"), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://eventswarm") };

    private static async Task<PrometheusText> ScrapeAsync(int node)
    {
        using var http = Socket(node);
        return PrometheusText.Parse(await http.GetStringAsync("/metrics"));
    }
}
