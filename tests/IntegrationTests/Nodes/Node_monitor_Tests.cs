using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EventSwarm.Domain.Nodes;
using EventSwarm.IntegrationTests.Cluster;
using EventSwarm.Node.Manager;

namespace EventSwarm.IntegrationTests.Nodes;

public sealed class Node_monitor_Tests
{
    [Fact]
    public async Task A_joined_node_that_never_sends_heartbeats_is_marked_down_and_can_then_be_removed()
    {
        // 1 s heartbeats: a silent node is Down after 3 s instead of Swarm's 15.
        await using var agent = await LocalAgent.StartSwarmAsync("--heartbeat-period", "1s");
        var token = (await agent.EventSwarm("swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var http = agent.Http();
        var joined = await http.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest
        {
            Token = token,
            Role = "worker",
            Address = "10.200.0.12",
            CertificateSigningRequest = new CertificateRequest("CN=ghost", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
            Description = new NodeDescription("ghost", "20.10.24", "linux", "x86_64", 1_000_000_000, 1 << 30),
        });
        var ghost = (await joined.Content.ReadFromJsonAsync<JoinResponse>())!.NodeId;

        await Eventually.True(async () => (await agent.Docker("node", "ls")).Rows.Any(r => r.StartsWith(ghost) && r.Contains("Down")),
            TimeSpan.FromSeconds(30), "the silent node is Down");
        Assert.Matches(@"Ready\s+Active\s+Leader", (await agent.EventSwarm("node", "ls")).Rows.Single(r => r.StartsWith(agent.NodeId)));
        Assert.Contains("heartbeat failure", (await agent.Docker("node", "inspect", "--format", "{{.Status.Message}}", ghost)).ShouldSucceed().Output);

        var before = await agent.LogLengthAsync();
        (await agent.EventSwarm("node", "rm", agent.NodeId)).ShouldFailWith("is a cluster manager");
        Assert.Equal(before, await agent.LogLengthAsync());

        (await agent.Docker("node", "rm", ghost)).ShouldSucceed();
        Assert.DoesNotContain(ghost, (await agent.EventSwarm("node", "ls")).ShouldSucceed().Output);
    }
}
