using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>Overlay networks created with the same request on both sides read back the same.</summary>
[Collection(CompatibilityCollection.Name)]
public sealed class NetworkTests(OracleFixture fixture)
{
    [Fact]
    public async Task Overlay_network_created_with_a_subnet_reads_back_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        var inspected = new List<JsonNode>();
        var answers = new List<JsonNode?>();
        foreach (var side in fixture.Sides)
        {
            await side.DeleteAsync("/networks/cmp-net");
            var created = await side.PostAsync("/networks/create", """
                {"Name": "cmp-net", "Driver": "overlay", "Attachable": true, "Labels": {"com.example.net": "n"},
                 "IPAM": {"Driver": "default", "Config": [{"Subnet": "10.0.222.0/24", "Gateway": "10.0.222.1"}]}}
                """);
            Assert.True(created.Status == 201, $"{side}: {created}");
            answers.Add(created.Json);
            // Swarm's allocator fills in the driver state and IPAM after the create has answered (until then its
            // inspect shows Driver ""); EventSwarm records them with the network. Compare both once allocated.
            await Cluster.Eventually.True(async () => (string?)(await side.GetAsync("/networks/cmp-net")).Json?["Driver"] is { Length: > 0 },
                TimeSpan.FromSeconds(20), $"{side} allocated cmp-net");
            inspected.Add((await side.GetAsync("/networks/cmp-net")).ShouldSucceed().Json!);
        }
        JsonComparison.AssertSame("network", answers[0], answers[1], "network create's answer");
        JsonComparison.AssertSame("network", inspected[0], inspected[1], "network inspect of an overlay network");
    }
}
