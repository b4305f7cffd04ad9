using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Web;

/// <summary>The web view's listener: off with --web-addr none, and a port already taken costs the web view, not the node.</summary>
public sealed class Web_listener_Tests
{
    [Fact]
    public async Task Web_addr_none_binds_nothing_and_a_token_says_the_web_view_is_off()
    {
        await using var agent = await LocalAgent.StartSwarmAsync("--web-addr", "none");

        using var http = agent.Http();
        using var issued = await http.PostAsync("/eventswarm/v1/web/tokens", new StringContent("""{"name":"offline"}""", System.Text.Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.False(json.RootElement.TryGetProperty("url", out var url) && url.ValueKind != JsonValueKind.Null, "no sign-in URL while the web view is off");
        Assert.Contains("--web-addr none", json.RootElement.GetProperty("warning").GetString());
        Assert.DoesNotContain("web view", agent.AgentLog);
    }

    [Fact]
    public async Task A_web_port_in_use_is_logged_and_the_agent_runs_on()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var agent = await LocalAgent.StartSwarmAsync("--web-addr", $"127.0.0.1:{port}");

        Assert.True(agent.IsRunning);
        Assert.Contains($"the web view cannot listen on 127.0.0.1:{port}", agent.AgentLog);
        (await agent.Docker("node", "ls")).ShouldSucceed();
    }
}
