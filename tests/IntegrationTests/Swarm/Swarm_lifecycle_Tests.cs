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
/// other nodes exactly while it is in one. Refusals share one agent (<see cref="LoneAgent"/>) that each test first
/// brings in or out of a swarm as it needs; a story of init, join and leave gets fresh agents.
/// </summary>
public sealed class Swarm_lifecycle_Tests(LoneAgent lone, ITestOutputHelper output) : IClassFixture<LoneAgent>
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

    public static TheoryData<string, string, string> BadAddresses => new()
    {
        { "a listen address that is no address", """{"ListenAddr": "nowhere:2377", "AdvertiseAddr": "127.0.0.1"}""",
            "listen address must be an IP address or network interface (with optional port number)" },
        { "the zero advertise address", """{"ListenAddr": "{listen}", "AdvertiseAddr": "0.0.0.0"}""",
            "advertise address must be a non-zero IP address or network interface (with optional port number)" },
        { "an unknown data path interface", """{"ListenAddr": "{listen}", "AdvertiseAddr": "127.0.0.1", "DataPathAddr": "no-such-interface"}""",
            "data path address must be a non-zero IP address or network interface (without a port number)" },
        // An address this machine does not have cannot be listened on; the system's reason is given.
        { "an address the machine does not have", """{"ListenAddr": "192.0.2.1:2377", "AdvertiseAddr": "192.0.2.1"}""", "cannot listen on 192.0.2.1:2377" },
    };

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public async Task Init_with_a_bad_address_is_refused_by_name_and_leaves_the_node_out_of_any_swarm(string problem, string request, string message)
    {
        var (agent, http) = (lone.Agent, lone.Http);
        await lone.OutOfSwarmAsync();
        var body = request.Replace("{listen}", agent.ListenAddress);
        var refused = await http.PostAsync("/v1.41/swarm/init", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(message, await refused.Content.ReadAsStringAsync());
        await AssertInSwarmAsync(http, agent, false, $"after refusing {problem}: {body}");
    }

    [Fact]
    public async Task Init_takes_an_advertise_address_given_as_an_interface_name()
    {
        await lone.OutOfSwarmAsync();
        // The loopback interface by name, as Docker resolves `--advertise-addr eth0`.
        (await lone.Agent.EventSwarm("swarm", "init", "--advertise-addr", "lo")).ShouldSucceed();
        Assert.Equal("127.0.0.1", await NodeAddrAsync(lone.Http));
    }

    [Fact]
    public async Task Leave_outside_a_swarm_is_refused_with_Docker_s_503_and_message()
    {
        await lone.OutOfSwarmAsync();
        await AssertRefusedAsync(await lone.Http.PostAsync("/v1.41/swarm/leave?force=1", null), HttpStatusCode.ServiceUnavailable, NotInSwarm);
        (await lone.Agent.Docker("swarm", "leave", "--force")).ShouldFailWith(NotInSwarm);
    }

    [Fact]
    public async Task A_forced_leave_through_the_docker_CLI_takes_the_node_out_of_its_swarm()
    {
        await lone.InSwarmAsync();
        (await lone.Agent.Docker("swarm", "leave", "--force")).ShouldSucceed();
        (await lone.Agent.Docker("swarm", "leave", "--force")).ShouldFailWith(NotInSwarm);
    }

    [Fact]
    public async Task Init_in_a_swarm_is_refused_with_Docker_s_503_and_message()
    {
        await lone.InSwarmAsync();
        await AssertRefusedAsync(await InitAsync(lone.Http), HttpStatusCode.ServiceUnavailable, AlreadyInSwarm);
    }

    [Fact]
    public async Task Join_in_a_swarm_is_refused_with_Docker_s_503_and_message()
    {
        await lone.InSwarmAsync();
        await AssertRefusedAsync(await lone.Http.PostAsJsonAsync("/v1.41/swarm/join", new { RemoteAddrs = new[] { "127.0.0.1:1" }, JoinToken = "SWMTKN-1-x" }),
            HttpStatusCode.ServiceUnavailable, AlreadyInSwarm);
        (await lone.Agent.Docker("swarm", "join", "--token", "SWMTKN-1-x", "127.0.0.1:1")).ShouldFailWith("This node is already part of a swarm");
    }

    [Fact]
    public async Task Leaving_as_the_last_manager_without_force_is_refused_with_Docker_s_503_and_message()
    {
        await lone.InSwarmAsync();
        await AssertRefusedAsync(await lone.Http.PostAsync("/v1.41/swarm/leave", null), HttpStatusCode.ServiceUnavailable,
            "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm.");
    }

    internal static Task<HttpResponseMessage> InitAsync(HttpClient http) =>
        http.PostAsJsonAsync("/v1.41/swarm/init", new { ListenAddr = "0.0.0.0:2377", AdvertiseAddr = "127.0.0.1" });

    /// <summary>Whether the node is in a swarm, asked three ways (and its listener), which must all agree.</summary>
    internal static async Task AssertInSwarmAsync(HttpClient http, LocalAgent agent, bool expected, string when)
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

    internal static async Task<string> LocalNodeStateAsync(HttpClient http)
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
