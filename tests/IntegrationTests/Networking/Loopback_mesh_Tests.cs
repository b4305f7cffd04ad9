using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// The tutorial's check of the routing mesh, `curl 127.0.0.1` on a node after
/// `docker service create --name web --publish 80:5000 python-hello-world:1.0`: a published port answers on the
/// node's loopback address as on its own, as Docker Swarm's ingress does (python-hello-world is built by
/// ops/images/build.sh).
/// </summary>
public sealed class Loopback_mesh_Tests
{
    private const string Hello = "Hello Docker, Version 1.0";
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Published_port_answers_on_loopback()
    {
        // The embedded single node is this machine: its loopback is the host's. Not port 80 of the host: a rule left
        // by a test that failed half-way would catch every local connection to it.
        const int port = 18080;
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "-d", "--name", "web-loopback", "--publish", $"{port}:5000", "--stop-grace-period", "1s",
            "python-hello-world:1.0")).ShouldSucceed();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        await Eventually.True(async () => await GetAsync(http, $"http://127.0.0.1:{port}/") == Hello, Converges, $"127.0.0.1:{port} answers {Hello}");

        // A restart of the agent finds the kernel as it left it, or not (a reboot of the network stack): it makes
        // loopback answer again either way.
        var bridge = await IngressBridgeAsync(agent);
        await agent.KillAsync();
        await SysctlAsync(ns: null, $"net.ipv4.conf.{bridge}.route_localnet=0");
        Assert.NotEqual(Hello, await GetAsync(http, $"http://127.0.0.1:{port}/"));
        await agent.StartProcessAsync();
        await Eventually.True(async () => await GetAsync(http, $"http://127.0.0.1:{port}/") == Hello, Converges, $"127.0.0.1:{port} answers again after the restart");

        // The host keeps no rule for the port once the service is gone.
        (await agent.Docker("service", "rm", "web-loopback")).ShouldSucceed();
        await Eventually.True(async () => !(await Run("iptables-save", "-t", "nat")).Output.Contains($"--dport {port} "), Converges, "the mesh rule goes with the service");
    }

    [Fact]
    public async Task Published_port_answers_on_loopback_of_every_namespace_node_and_leaving_turns_it_off()
    {
        await using var cluster = await NamespaceCluster.StartJoinedAsync(3);
        // One task, on n1: n2 and n3 reach it through the interface towards n1, n1 through its ingress bridge.
        await cluster.LoadImagesAsync(1, "python-hello-world:1.0");
        (await cluster.EventSwarm(1, "service", "create", "-d", "--name", "web", "--publish", "80:5000", "--constraint", "node.hostname==n1",
            "--stop-grace-period", "1s", "python-hello-world:1.0")).ShouldSucceed();
        foreach (var node in new[] { 1, 2, 3 })
        {
            await Eventually.True(async () => await CurlAsync(node, "127.0.0.1") == Hello, Converges, $"127.0.0.1 on n{node} answers {Hello}");
            Assert.Equal(Hello, await CurlAsync(node, NamespaceCluster.Address(node)));
        }

        // After a restart of n3's agent, whatever the kernel kept.
        await cluster.KillAgentAsync(3);
        await SysctlAsync("es-n3", "net.ipv4.conf.eth0.route_localnet=0");
        Assert.NotEqual(Hello, await CurlAsync(3, "127.0.0.1"));
        await cluster.RestartMissingAgentsAsync();
        await Eventually.True(async () => await CurlAsync(3, "127.0.0.1") == Hello, Converges, "127.0.0.1 on n3 answers again after the restart");

        // A node that leaves the swarm takes back what it turned on for the mesh.
        (await cluster.EventSwarm(3, "swarm", "leave")).ShouldSucceed();
        await Eventually.True(async () => (await Run("nsenter", "--net=/var/run/netns/es-n3", "sysctl", "-n", "net.ipv4.conf.eth0.route_localnet")).Output.Trim() == "0",
            Converges, "route_localnet is off again on n3's eth0");
        Assert.DoesNotContain("-A ES-INPUT", (await Run("nsenter", "--net=/var/run/netns/es-n3", "iptables-save", "-t", "filter")).Output);
        Assert.NotEqual(Hello, await CurlAsync(3, "127.0.0.1"));
    }

    private static async Task<string> GetAsync(HttpClient http, string url)
    {
        try { return (await http.GetStringAsync(url)).Trim(); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return ""; }
    }

    private static async Task<string> CurlAsync(int node, string address) =>
        (await Run("nsenter", $"--net=/var/run/netns/es-n{node}", "curl", "-s", "--max-time", "3", $"http://{address}:80/")).Output.Trim();

    /// <summary>The ingress network's bridge on the host: "es-" and the first 12 characters of the swarm network's ID.</summary>
    private static async Task<string> IngressBridgeAsync(LocalAgent agent)
    {
        var id = (await agent.Docker("network", "inspect", "-f", "{{.Id}}", "ingress")).ShouldSucceed().Output.Trim();
        var bridge = "es-" + id[..Math.Min(12, id.Length)];
        Assert.True(Directory.Exists($"/proc/sys/net/ipv4/conf/{bridge}"), $"the ingress bridge {bridge} is on the host");
        return bridge;
    }

    private static async Task SysctlAsync(string? ns, string setting) =>
        (ns is null ? await Run("sysctl", "-w", setting) : await Run("nsenter", $"--net=/var/run/netns/{ns}", "sysctl", "-w", setting)).ShouldSucceed();

    private static Task<CommandResult> Run(string file, params string[] args) => CommandResult.RunAsync(file, args, new Dictionary<string, string>());
}
