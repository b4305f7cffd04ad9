using System.Net;
using System.Net.Http.Headers;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Web;

/// <summary>
/// Web tokens are log events: every manager honours them, a revocation reaches them all, a follower's actions are
/// forwarded to the leader as `web:NAME via manager ID`, and a worker's web view sends people to a manager.
/// </summary>
public sealed class Web_view_managers_Tests
{
    private static HttpClient Script(int node, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://{NamespaceCluster.Address(node)}:2380") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Every_manager_honours_a_token_a_revocation_reaches_them_all_and_a_worker_points_to_a_manager()
    {
        await using var cluster = await NamespaceCluster.StartAsync(3);
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var managerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        var workerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        (await cluster.EventSwarm(2, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        (await cluster.EventSwarm(3, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3, TimeSpan.FromSeconds(60), "3 nodes Ready");
        (await cluster.Docker(1, "service", "create", "-d", "--name", "web-mgr", "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();

        // Issued on the follower n2: forwarded to the leader, its sign-in URL n2's own web view (ops/cluster.sh's address).
        var lines = (await cluster.EventSwarm(2, "web", "token", "--operator", "--name", "everywhere")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var token = lines[0];
        Assert.Equal($"http://{NamespaceCluster.Address(2)}:2380/login?token={token}", lines[1]);
        using var n1 = Script(1, token);
        using var n2 = Script(2, token);
        using var n3 = Script(3, token);

        using (var onLeader = await n1.GetAsync("/account")) Assert.Equal(HttpStatusCode.OK, onLeader.StatusCode);
        using (var onFollower = await n2.GetAsync("/account")) Assert.Equal(HttpStatusCode.OK, onFollower.StatusCode);
        using (var onWorker = await n3.GetAsync("/account"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, onWorker.StatusCode);
            Assert.Contains("not a manager", await onWorker.Content.ReadAsStringAsync());
        }

        using (var scaled = await n2.PostAsync("/actions/services/web-mgr/scale", new FormUrlEncodedContent(new Dictionary<string, string> { ["replicas"] = "1" })))
            Assert.Equal(HttpStatusCode.SeeOther, scaled.StatusCode);
        var n2Id = (await cluster.Docker(2, "info", "--format", "{{.Swarm.NodeID}}")).ShouldSucceed().Output.Trim();
        Assert.Contains($"web:everywhere via manager {n2Id}", (await cluster.EventSwarm(1, "audit", "--command", "ScaleService")).ShouldSucceed().Output);

        (await cluster.EventSwarm(1, "web", "token", "--revoke", "everywhere")).ShouldSucceed();
        await Eventually.True(async () =>
        {
            using var refused = await n2.GetAsync("/account");
            return refused.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(20), "the follower refuses the revoked token");
        using var onLeaderAfter = await n1.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Unauthorized, onLeaderAfter.StatusCode);
    }
}
