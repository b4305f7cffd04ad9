using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.EngineApi;

/// <summary>
/// What every Docker client asks first (ping, version, info), answered as dockerd does. Version and info are read
/// from the class's one-node swarm; ping and an unknown route from an agent in no swarm.
/// </summary>
public sealed class Handshake_Tests(SwarmOfOne fixture) : IClassFixture<SwarmOfOne>
{
    [Fact]
    public async Task Version_is_the_engine_s_in_its_own_json_with_EventSwarm_as_platform_and_first_component()
    {
        using var http = fixture.Agent.Http();
        // PascalCase as the Engine writes it: SDKs negotiate with the "ApiVersion" key.
        using var version = JsonDocument.Parse(await http.GetStringAsync("/version"));
        Assert.Equal("1.41", version.RootElement.GetProperty("ApiVersion").GetString());
        Assert.Equal("EventSwarm", version.RootElement.GetProperty("Platform").GetProperty("Name").GetString());
        var components = version.RootElement.GetProperty("Components").EnumerateArray().Select(c => c.GetProperty("Name").GetString()).ToList();
        Assert.Equal("EventSwarm", components[0]);
        Assert.Contains("Engine", components);
    }

    [Fact]
    public async Task Docker_version_reads_the_server_as_EventSwarm_at_API_1_41()
    {
        var server = (await fixture.Agent.Docker("version", "--format", "{{.Server.Platform.Name}} {{.Server.APIVersion}}")).ShouldSucceed().Output.Trim();
        Assert.Equal("EventSwarm 1.41", server);
    }

    [Fact]
    public async Task Info_gives_the_engine_s_own_facts()
    {
        var engineInfo = (await CommandResult.RunAsync("docker", ["info", "--format", "{{.Driver}} {{.KernelVersion}} {{.Images}}"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///var/run/docker.sock" })).ShouldSucceed().Output.Trim();
        var info = (await fixture.Agent.Docker("info", "--format", "{{.Driver}} {{.KernelVersion}} {{.Images}}")).ShouldSucceed().Output.Trim();
        Assert.Equal(engineInfo, info);
    }

    [Fact]
    public async Task Info_s_swarm_section_describes_the_node_in_its_swarm()
    {
        var agent = fixture.Agent;
        var swarm = (await agent.Docker("info", "--format", "{{json .Swarm}}")).ShouldSucceed().Output;
        using var section = JsonDocument.Parse(swarm);
        Assert.Equal(agent.NodeId, section.RootElement.GetProperty("NodeID").GetString());
        Assert.Equal("active", section.RootElement.GetProperty("LocalNodeState").GetString());
        Assert.True(section.RootElement.GetProperty("ControlAvailable").GetBoolean());
        Assert.Equal(1, section.RootElement.GetProperty("Managers").GetInt32());
        Assert.False(string.IsNullOrEmpty(section.RootElement.GetProperty("Cluster").GetProperty("ID").GetString()));
    }

    [Fact]
    public async Task Ping_answers_dockerds_headers_on_get_and_head()
    {
        await using var agent = await LocalAgent.StartAsync();
        using var http = agent.Http();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, "/_ping"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("1.41", Header(response, "Api-Version"));
            Assert.Equal("linux", Header(response, "Ostype"));
            Assert.Equal("false", Header(response, "Docker-Experimental"));
            Assert.Equal("inactive", Header(response, "Swarm"));
            Assert.Equal("no-cache, no-store, must-revalidate", Header(response, "Cache-Control"));
            Assert.Equal("no-cache", Header(response, "Pragma"));
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(method == HttpMethod.Get ? "OK" : "", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_unknown_route_gets_the_engines_404_with_a_message()
    {
        await using var agent = await LocalAgent.StartAsync();
        using var http = agent.Http();
        using var response = await http.GetAsync("/v1.41/no/such/route");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("page not found", body.RootElement.GetProperty("message").GetString());

        // A route of EventSwarm's own families never reaches the engine, which would describe a swarm it is not in.
        using var secrets = await http.GetAsync("/v1.41/secrets");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, secrets.StatusCode);
        Assert.Contains("not a swarm manager", await secrets.Content.ReadAsStringAsync());
    }

    /// <summary>The header as sent (HttpClient would re-render the parsed Cache-Control in an order of its own).</summary>
    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
