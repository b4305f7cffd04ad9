using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// Swarm networking on three real nodes (separate namespaces and Docker Engines): overlay networks across hosts,
/// service discovery, VIP load balancing and the routing mesh, on a kernel where Swarm's own VIP and mesh fail.
/// The seed's whoami is deployed once for the class (<see cref="WhoamiOnOverlay"/>) and only read; a test that
/// scales, re-publishes or removes brings its own service or network and removes it again.
/// </summary>
public sealed class Overlay_network_Tests(WhoamiOnOverlay fixture) : IClassFixture<WhoamiOnOverlay>
{
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(60);
    private NamespaceCluster Cluster => fixture.Cluster;
    private OverlayProbe Probe => new(fixture.Cluster);

    [Fact]
    public async Task An_overlay_network_is_listed_as_an_overlay_of_swarm_scope()
    {
        Assert.Contains((await Cluster.EventSwarm(1, "network", "ls")).Rows, r => Regex.IsMatch(r, @"\sdemo\s+overlay\s+swarm"));
    }

    [Fact]
    public async Task An_overlay_network_reaches_a_node_only_with_the_first_task_the_node_runs_on_it()
    {
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "lazy")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "lazy-server", "--network", "lazy", "--constraint", "node.hostname==n1",
            "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        // n3 runs no task on lazy: the network is not there yet, neither on its engine nor for its agent (a worker).
        Assert.DoesNotContain("lazy", (await Cluster.Engine(3, "network", "ls", "--format", "{{.Name}}")).Output.Split('\n'));
        Assert.DoesNotContain((await Cluster.EventSwarm(3, "network", "ls")).ShouldSucceed().Rows, r => r.Contains(" lazy "));
        Assert.Contains("lazy", (await Cluster.Engine(1, "network", "ls", "--format", "{{.Name}}")).Output.Split('\n'));

        (await Cluster.EventSwarm(1, "service", "create", "--name", "lazy-client", "--network", "lazy", "--constraint", "node.hostname==n3",
            "--stop-grace-period", "1s", "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
        await ContainerOfAsync(3, "lazy-client");
        Assert.Contains((await Cluster.EventSwarm(3, "network", "ls")).ShouldSucceed().Rows, r => r.Contains(" lazy "));

        foreach (var service in new[] { "lazy-client", "lazy-server" }) (await Cluster.EventSwarm(1, "service", "rm", service)).ShouldSucceed();
    }

    [Fact]
    public async Task A_service_name_resolves_to_the_service_s_VIP()
    {
        Assert.Equal([await VipAsync("whoami")], await LookupAsync(3, fixture.Client, "whoami"));
    }

    [Fact]
    public async Task Tasks_dot_service_name_resolves_to_every_running_task()
    {
        await Eventually.True(async () => (await LookupAsync(3, fixture.Client, "tasks.whoami")).SetEquals(await TaskAddressesAsync("whoami")),
            Converges, "tasks.whoami lists the two running tasks");
    }

    [Fact]
    public async Task A_service_answers_ping_by_name_from_another_node()
    {
        (await Exec(3, fixture.Client, "ping", "-c", "1", "-W", "2", "whoami")).ShouldSucceed();
    }

    [Fact]
    public async Task Requests_to_the_VIP_are_balanced_over_the_tasks()
    {
        var served = new HashSet<string>();
        for (var i = 0; i < 20; i++) served.Add(await HttpAsync(3, fixture.Client, "whoami", 8000));
        Assert.True(served.Count >= 2, $"20 requests through the VIP reached {served.Count} task(s): {string.Join(", ", served)}");
    }

    [Fact]
    public async Task The_routing_mesh_answers_on_every_node_even_one_that_runs_no_task()
    {
        // n3 runs no whoami task.
        foreach (var node in new[] { 1, 2, 3 })
            Assert.False(string.IsNullOrWhiteSpace(await CurlAsync(node, 8000)), $"n{node}:8000 answers through the routing mesh");
    }

    [Fact]
    public async Task Scaling_keeps_the_VIP_and_tasks_dot_service_name_follows_the_running_tasks()
    {
        (await Cluster.EventSwarm(1, "service", "create", "--name", "scaled", "--network", "demo", "--replicas", "2",
            "--constraint", "node.hostname!=n3", "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        var vip = await VipAsync("scaled");
        foreach (var replicas in new[] { 3, 2 })
        {
            (await Cluster.EventSwarm(1, "service", "scale", $"scaled={replicas}")).ShouldSucceed();
            await Eventually.True(async () =>
            {
                var running = await TaskAddressesAsync("scaled");
                return running.Count == replicas && (await LookupAsync(3, fixture.Client, "tasks.scaled")).SetEquals(running);
            }, Converges, $"tasks.scaled lists exactly the {replicas} running tasks");
            Assert.Equal(vip, await VipAsync("scaled"));
            Assert.Equal([vip], await LookupAsync(3, fixture.Client, "scaled"));
        }
        (await Cluster.EventSwarm(1, "service", "rm", "scaled")).ShouldSucceed();
    }

    [Fact]
    public async Task Updating_a_published_port_moves_the_routing_mesh_to_the_new_port()
    {
        (await Cluster.EventSwarm(1, "service", "create", "--name", "moved", "-p", "8100:8000", "--network", "demo",
            "--constraint", "node.hostname!=n3", "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        await Eventually.True(async () => !string.IsNullOrWhiteSpace(await CurlAsync(3, 8100)), Converges, "the mesh answers on 8100");
        (await Cluster.EventSwarm(1, "service", "update", "--publish-rm", "8100:8000", "--publish-add", "8180:8000", "moved")).ShouldSucceed();
        await Eventually.True(async () => !string.IsNullOrWhiteSpace(await CurlAsync(3, 8180)) && string.IsNullOrWhiteSpace(await CurlAsync(3, 8100)),
            Converges, "the mesh moved from 8100 to 8180");
        (await Cluster.EventSwarm(1, "service", "rm", "moved")).ShouldSucceed();
    }

    [Fact]
    public async Task A_network_in_use_is_not_removed_and_leaves_a_node_with_its_last_task()
    {
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "spent")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "spender", "--network", "spent", "--constraint", "node.hostname==n1",
            "--stop-grace-period", "1s", "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
        await ContainerOfAsync(1, "spender");

        (await Cluster.EventSwarm(1, "network", "rm", "spent")).ShouldFailWith("in use by service");
        (await Cluster.EventSwarm(1, "service", "rm", "spender")).ShouldSucceed();
        await Eventually.True(async () => !(await Cluster.Engine(1, "network", "ls", "--format", "{{.Name}}")).Output.Split('\n').Contains("spent"),
            Converges, "spent leaves n1 with its last task");
        (await Cluster.EventSwarm(1, "network", "rm", "spent")).ShouldSucceed();
    }

    [Fact]
    public async Task A_port_published_in_host_mode_answers_only_on_the_node_that_runs_the_task()
    {
        (await Cluster.EventSwarm(1, "service", "create", "--name", "local", "-p", "published=9100,target=8000,mode=host",
            "--constraint", "node.hostname==n2", "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        var container = await ContainerOfAsync(2, "local");
        var hostname = (await Cluster.Engine(2, "inspect", "-f", "{{.Config.Hostname}}", container)).ShouldSucceed().Output.Trim();
        await Eventually.True(async () => await CurlAsync(2, 9100) == hostname, Converges, "n2:9100 answers from the task");
        Assert.Equal("", await CurlAsync(1, 9100));
        Assert.Equal("", await CurlAsync(3, 9100));
        (await Cluster.EventSwarm(1, "service", "rm", "local")).ShouldSucceed();
    }

    [Fact]
    public async Task Unknown_networks_and_taken_ports_are_refused_by_name_and_nothing_is_appended()
    {
        (await Cluster.EventSwarm(1, "service", "create", "--name", "holder", "-p", "9000:8000", "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        var (before, _) = await Cluster.LogAsync(1);
        (await Cluster.EventSwarm(1, "service", "create", "--name", "lost", "--network", "nowhere", "whoami")).ShouldFailWith("network nowhere not found");
        (await Cluster.EventSwarm(1, "service", "create", "--name", "greedy", "-p", "9000:80", "whoami")).ShouldFailWith("port '9000' is already in use by service 'holder'");
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "--subnet", "10.0.0.0/25", "clash")).ShouldFailWith("overlaps");
        (await Cluster.EventSwarm(1, "network", "rm", "nowhere")).ShouldFailWith("network nowhere not found");
        Assert.Equal(before, (await Cluster.LogAsync(1)).LastSequence);
        (await Cluster.EventSwarm(1, "service", "rm", "holder")).ShouldSucceed();
    }

    private Task<string> ContainerOfAsync(int node, string service) => fixture.ContainerOfAsync(node, service);
    private Task<CommandResult> Exec(int node, string container, params string[] command) => Probe.Exec(node, container, command);
    private Task<string> HttpAsync(int node, string container, string host, int port) => Probe.HttpAsync(node, container, host, port);
    private Task<HashSet<string>> LookupAsync(int node, string container, string name) => Probe.LookupAsync(node, container, name);
    private Task<string> VipAsync(string service) => Probe.VipAsync(service);
    private Task<HashSet<string>> TaskAddressesAsync(string service) => Probe.TaskAddressesAsync(service);
    private static Task<string> CurlAsync(int node, int port) => OverlayProbe.CurlAsync(node, port);
}
