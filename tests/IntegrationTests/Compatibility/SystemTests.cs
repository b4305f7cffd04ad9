using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>The handshake every client makes first — /_ping, /version, /info — on both sides.</summary>
[Collection(CompatibilityCollection.Name)]
public sealed class SystemTests(OracleFixture fixture)
{
    /// <summary>The headers clients read from /_ping (the docker CLI negotiates its API version and learns the swarm role).</summary>
    private static readonly string[] PingHeaders = ["Api-Version", "Docker-Experimental", "Ostype", "Swarm", "Cache-Control", "Pragma", "Content-Type"];

    private async Task ComparePingAsync(string what)
    {
        var pings = new List<Answer>();
        foreach (var side in fixture.Sides)
        {
            pings.Add(await side.RawAsync(HttpMethod.Get, "/_ping"));
            pings.Add(await side.RawAsync(HttpMethod.Head, "/_ping"));
        }
        for (var i = 0; i < 2; i++)
        {
            var (docker, eventswarm) = (pings[i], pings[i + 2]);
            Assert.True(docker.Status == eventswarm.Status, $"{docker.Request} {what}: docker={docker.Status} eventswarm={eventswarm.Status}");
            Assert.Equal(docker.Body, eventswarm.Body);
            var differences = PingHeaders
                .Select(h => (h, d: docker.Headers.GetValueOrDefault(h), e: eventswarm.Headers.GetValueOrDefault(h)))
                .Where(x => x.d != x.e && !(x.d is null && Differences.ExtraPingHeaders.ContainsKey(x.h))).Select(x => $"{x.h}: docker={x.d ?? "<missing>"} eventswarm={x.e ?? "<missing>"}").ToList();
            Assert.True(differences.Count == 0, $"{docker.Request} {what}:\n  {string.Join("\n  ", differences)}");
        }
    }

    [Fact]
    public async Task Ping_answers_Docker_Swarms_headers_in_a_swarm()
    {
        await fixture.InSwarmAsync();
        await ComparePingAsync("in a swarm");
    }

    [Fact]
    public async Task Ping_answers_Docker_Swarms_headers_outside_a_swarm()
    {
        await fixture.OutOfSwarmAsync();
        await ComparePingAsync("outside a swarm");
    }

    [Fact]
    public async Task Version_answers_Docker_Engines_fields_and_API_versions()
    {
        var versions = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            versions.Add((await side.RawAsync(HttpMethod.Get, "/version")).ShouldSucceed().Json!);
            versions.Add((await side.GetAsync("/version")).ShouldSucceed().Json!);
        }
        JsonComparison.AssertSame("version", versions[0], versions[2], "GET /version (unversioned, as SDKs negotiate)");
        JsonComparison.AssertSame("version", versions[1], versions[3], "GET /v1.41/version");
        foreach (var field in new[] { "ApiVersion", "MinAPIVersion", "Os", "Arch" })
            Assert.True(versions[0][field]?.ToString() == versions[2][field]?.ToString(),
                $"/version {field}: docker={versions[0][field]} eventswarm={versions[2][field]}");
    }

    [Fact]
    public async Task Info_swarm_section_reads_as_in_Docker_Swarm_in_a_swarm()
    {
        await fixture.InSwarmAsync();
        var infos = new List<JsonNode>();
        foreach (var side in fixture.Sides) infos.Add((await side.GetAsync("/info")).ShouldSucceed().Json!);
        JsonComparison.AssertSame("info", infos[0], infos[1], "/info");
        JsonComparison.AssertSame("info-swarm", infos[0]["Swarm"], infos[1]["Swarm"], "/info Swarm in a swarm");
    }

    [Fact]
    public async Task Info_swarm_section_reads_as_in_Docker_Swarm_outside_a_swarm()
    {
        await fixture.OutOfSwarmAsync();
        var infos = new List<JsonNode>();
        foreach (var side in fixture.Sides) infos.Add((await side.GetAsync("/info")).ShouldSucceed().Json!);
        JsonComparison.AssertSame("info-swarm", infos[0]["Swarm"], infos[1]["Swarm"], "/info Swarm outside a swarm");
    }

    [Fact]
    public async Task Node_inspect_of_the_only_manager_reads_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        var nodes = new List<JsonNode>();
        foreach (var side in fixture.Sides) nodes.Add((await side.GetAsync($"/nodes/{await side.NodeIdAsync()}")).ShouldSucceed().Json!);
        JsonComparison.AssertSame("node", nodes[0], nodes[1], "node inspect of self");
    }
}
