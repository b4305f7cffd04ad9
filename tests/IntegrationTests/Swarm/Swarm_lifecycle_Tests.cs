using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Swarm;

/// <summary>
/// `swarm init`, `swarm join` and `swarm leave` as Docker answers them, in any order and however fast: after each
/// step, /swarm/init, /info and /swarm/leave agree on whether the node is in a swarm, and the node listens for
/// other nodes exactly while it is in one.
/// </summary>
public sealed class Swarm_lifecycle_Tests(ITestOutputHelper output)
{
    private const string AlreadyInSwarm = "This node is already part of a swarm. Use ";
    private const string NotInSwarm = "This node is not part of a swarm";

    [Fact]
    public async Task Fifty_fast_init_and_forced_leave_cycles_leave_a_node_whose_answers_agree_after_every_step()
    {
        await using var agent = await LocalAgent.StartAsync();
        using var http = agent.Http();
        var clock = Stopwatch.StartNew();
        for (var cycle = 1; cycle <= 50; cycle++)
        {
            var init = await InitAsync(http);
            Assert.True(init.StatusCode == HttpStatusCode.OK, $"cycle {cycle}: init answered {(int)init.StatusCode} {await init.Content.ReadAsStringAsync()}");
            await AssertInSwarmAsync(http, agent, true, $"cycle {cycle}, after init");
            var leave = await http.PostAsync("/v1.41/swarm/leave?force=1", null);
            Assert.True(leave.StatusCode == HttpStatusCode.OK, $"cycle {cycle}: leave answered {(int)leave.StatusCode} {await leave.Content.ReadAsStringAsync()}");
            await AssertInSwarmAsync(http, agent, false, $"cycle {cycle}, after leave");
        }
        clock.Stop();
        output.WriteLine($"50 init + leave --force cycles with their checks: {clock.ElapsedMilliseconds / 50.0:0} ms per cycle");

        Assert.Equal(HttpStatusCode.OK, (await InitAsync(http)).StatusCode);
        (await agent.EventSwarm("service", "create", "--name", "after-cycles", "busybox", "sleep", "3600")).ShouldSucceed();
        Assert.DoesNotContain("the log is not open yet", agent.AgentLog);
        Assert.DoesNotContain($"node {agent.NodeId} not found", agent.AgentLog);
    }

    [Fact]
    public async Task Init_and_join_in_a_swarm_and_leave_outside_one_are_refused_with_Docker_s_503_and_messages()
    {
        await using var agent = await LocalAgent.StartAsync();
        using var http = agent.Http();
        await AssertRefusedAsync(await http.PostAsync("/v1.41/swarm/leave?force=1", null), HttpStatusCode.ServiceUnavailable, NotInSwarm);

        Assert.Equal(HttpStatusCode.OK, (await InitAsync(http)).StatusCode);
        await AssertRefusedAsync(await InitAsync(http), HttpStatusCode.ServiceUnavailable, AlreadyInSwarm);
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1.41/swarm/join", new { RemoteAddrs = new[] { "127.0.0.1:1" }, JoinToken = "SWMTKN-1-x" }),
            HttpStatusCode.ServiceUnavailable, AlreadyInSwarm);
        (await agent.Docker("swarm", "join", "--token", "SWMTKN-1-x", "127.0.0.1:1")).ShouldFailWith("This node is already part of a swarm");
        await AssertRefusedAsync(await http.PostAsync("/v1.41/swarm/leave", null), HttpStatusCode.ServiceUnavailable,
            "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm.");
        (await agent.Docker("swarm", "leave", "--force")).ShouldSucceed();
        (await agent.Docker("swarm", "leave", "--force")).ShouldFailWith(NotInSwarm);
    }

    [Fact]
    public async Task Bad_addresses_are_refused_by_name_and_leave_the_node_out_of_any_swarm()
    {
        await using var agent = await LocalAgent.StartAsync();
        using var http = agent.Http();
        var refusals = new (object Request, string Message)[]
        {
            (new { ListenAddr = "nowhere:2377", AdvertiseAddr = "127.0.0.1" }, "listen address must be an IP address or network interface (with optional port number)"),
            (new { ListenAddr = agent.ListenAddress, AdvertiseAddr = "0.0.0.0" }, "advertise address must be a non-zero IP address or network interface (with optional port number)"),
            (new { ListenAddr = agent.ListenAddress, AdvertiseAddr = "127.0.0.1", DataPathAddr = "no-such-interface" }, "data path address must be a non-zero IP address or network interface (without a port number)"),
            // An address this machine does not have cannot be listened on; the system's reason is given.
            (new { ListenAddr = "192.0.2.1:2377", AdvertiseAddr = "192.0.2.1" }, "cannot listen on 192.0.2.1:2377"),
        };
        foreach (var (request, message) in refusals)
        {
            var refused = await http.PostAsJsonAsync("/v1.41/swarm/init", request);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(message, await refused.Content.ReadAsStringAsync());
            await AssertInSwarmAsync(http, agent, false, $"after refusing {JsonSerializer.Serialize(request)}");
        }
        // The loopback interface by name, as Docker resolves `--advertise-addr eth0`.
        (await agent.EventSwarm("swarm", "init", "--advertise-addr", "lo")).ShouldSucceed();
        Assert.Equal("127.0.0.1", await NodeAddrAsync(http));
    }

    [Fact]
    public async Task A_worker_leaves_inits_its_own_swarm_leaves_it_and_joins_the_first_again_and_runs_its_tasks()
    {
        await using var manager = await LocalAgent.StartSwarmAsync();
        await using var worker = await LocalAgent.StartAsync();
        using var http = worker.Http();
        var token = (await manager.EventSwarm("swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();

        // No --advertise-addr: the worker is known by the address it reaches the manager from.
        Assert.Contains("as a worker", (await worker.EventSwarm("swarm", "join", "--token", token, manager.ListenAddress)).ShouldSucceed().Output);
        await AssertInSwarmAsync(http, worker, true, "after the first join");
        Assert.Equal("127.0.0.1", (await manager.Docker("node", "inspect", worker.NodeId, "--format", "{{.Status.Addr}}")).ShouldSucceed().Output.Trim());
        (await worker.Docker("swarm", "leave")).ShouldSucceed();
        await AssertInSwarmAsync(http, worker, false, "after leaving as a worker");

        (await worker.Docker("swarm", "init", "--advertise-addr", "127.0.0.1")).ShouldSucceed();
        await AssertInSwarmAsync(http, worker, true, "after its own init");
        (await worker.Docker("swarm", "leave", "--force")).ShouldSucceed();

        // Joining the first swarm again, with a new certificate: the connections made with the old one are not
        // reused. The node keeps its ID across swarms (Docker gives it a new one), so its old entry goes first.
        (await worker.Docker("swarm", "join", "--token", token, manager.ListenAddress)).ShouldFailWith($"node {worker.NodeId} is already part of this swarm");
        await AssertInSwarmAsync(http, worker, false, "after a refused join");
        (await manager.EventSwarm("node", "rm", "--force", worker.NodeId)).ShouldSucceed();
        (await worker.Docker("swarm", "join", "--token", token, manager.ListenAddress)).ShouldSucceed();
        await AssertInSwarmAsync(http, worker, true, "after joining again");
        (await manager.EventSwarm("service", "create", "--name", "back", "--replicas", "2", "--constraint", $"node.id=={worker.NodeId}",
            "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(worker.NodeId)).Count == 2, TimeSpan.FromSeconds(60),
            "the worker that joined again runs its two tasks");
        (await worker.Docker("swarm", "leave")).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(worker.NodeId, all: true)).Count == 0, TimeSpan.FromSeconds(60),
            "the worker's containers go with the swarm it left");
        Assert.DoesNotContain("task states failed", worker.AgentLog);
    }

    private static Task<HttpResponseMessage> InitAsync(HttpClient http) =>
        http.PostAsJsonAsync("/v1.41/swarm/init", new { ListenAddr = "0.0.0.0:2377", AdvertiseAddr = "127.0.0.1" });

    /// <summary>Whether the node is in a swarm, asked three ways (and its listener), which must all agree.</summary>
    private static async Task AssertInSwarmAsync(HttpClient http, LocalAgent agent, bool expected, string when)
    {
        var state = await LocalNodeStateAsync(http);
        Assert.True(state == (expected ? "active" : "inactive"), $"{when}: /info says LocalNodeState {state}");
        var swarm = await http.GetAsync("/v1.41/swarm");
        Assert.True(swarm.IsSuccessStatusCode == expected || !expected && swarm.StatusCode == HttpStatusCode.ServiceUnavailable,
            $"{when}: GET /swarm answered {(int)swarm.StatusCode}");
        Assert.True(await ListensAsync(agent.ListenAddress) == expected, $"{when}: the listener for other nodes should be {(expected ? "open" : "closed")}");
        if (!expected)
        {
            // Nothing is left of the swarm: a leave says so (and a later init, by succeeding, says the rest).
            var leave = await http.PostAsync("/v1.41/swarm/leave?force=1", null);
            Assert.True(leave.StatusCode == HttpStatusCode.ServiceUnavailable && (await leave.Content.ReadAsStringAsync()).Contains(NotInSwarm),
                $"{when}: a leave answered {(int)leave.StatusCode} {await leave.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<string> LocalNodeStateAsync(HttpClient http)
    {
        using var info = JsonDocument.Parse(await http.GetStringAsync("/v1.41/info"));
        return info.RootElement.GetProperty("Swarm").GetProperty("LocalNodeState").GetString()!;
    }

    private static async Task<string> NodeAddrAsync(HttpClient http)
    {
        using var info = JsonDocument.Parse(await http.GetStringAsync("/v1.41/info"));
        return info.RootElement.GetProperty("Swarm").GetProperty("NodeAddr").GetString()!;
    }

    private static async Task<bool> ListensAsync(string address)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPEndPoint.Parse(address)).WaitAsync(TimeSpan.FromSeconds(2));
            // The agent's port is from the ephemeral range: with nothing listening, Linux may pick that very port
            // as the client's and connect the socket to itself (TCP simultaneous open). That is no listener.
            return !Equals(client.Client.LocalEndPoint, client.Client.RemoteEndPoint);
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {body}");
        Assert.Contains(message, body);
    }
}
