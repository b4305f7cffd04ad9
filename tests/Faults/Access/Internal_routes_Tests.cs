using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventSwarm.Application;
using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using EventSwarm.Infrastructure.Log;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Access;

/// <summary>
/// Node-to-node routes answer only on the swarm's mutual-TLS listener: the node is the one its certificate names,
/// and the caller of a forwarded command is believed only because a manager's certificate vouches for it.
/// </summary>
public sealed class Internal_routes_Tests
{
    private const string Mallory = "unix:mallory(uid=4242,pid=1)";

    /// <summary>CallerHeader (the type is marked experimental with the DotNext log it drives).</summary>
    private const string CallerHeader = "X-EventSwarm-Caller";

    private static StringContent ForgedCommand(string network) => new(
        JsonSerializer.Serialize(new CreateNetworkCommand(new NetworkSpec { Name = network }, new Caller(Mallory, "forged")), EventJson.Options),
        System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Node_to_node_routes_are_absent_on_the_unix_socket_and_a_forged_caller_records_nothing()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        using var http = agent.Http();
        var before = await agent.LogLengthAsync();
        var calls = new (HttpMethod Method, string Path, HttpContent? Body)[]
        {
            (HttpMethod.Post, "/eventswarm/v1/manager/heartbeat/ghost", null),
            (HttpMethod.Post, $"/eventswarm/v1/manager/heartbeat/{agent.NodeId}", null),
            (HttpMethod.Post, "/eventswarm/v1/manager/disconnected/ghost", null),
            (HttpMethod.Post, "/eventswarm/v1/manager/forward/CreateNetworkCommand", ForgedCommand("forged")),
            (HttpMethod.Post, "/v1.41/eventswarm/v1/manager/forward/CreateNetworkCommand", ForgedCommand("forged-versioned")),
            (HttpMethod.Post, "/eventswarm/v1/manager/raft-members", NodeClients.JsonContent(new { Address = "127.0.0.1:1" })),
            (HttpMethod.Get, "/eventswarm/v1/worker/state", null),
            (HttpMethod.Get, "/eventswarm/v1/worker/events?after=0", null),
            (HttpMethod.Post, "/eventswarm/v1/worker/report", NodeClients.JsonContent(new { NodeId = agent.NodeId, Reports = Array.Empty<object>() })),
            (HttpMethod.Post, "/eventswarm/v1/worker/heartbeat", null),
            (HttpMethod.Post, "/eventswarm/v1/worker/promotion", NodeClients.JsonContent(new { CertificateSigningRequest = "x" })),
        };
        var answers = new List<string>();
        foreach (var (method, path, body) in calls)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = body });
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.NotFound || text.Trim() != """{"message":"page not found"}""")
                answers.Add($"{method} {path} → {(int)response.StatusCode} {text}");
        }
        FaultTable.Check("node-to-node routes on the unix socket (11 manager/worker routes)", "each 404 {\"message\":\"page not found\"}",
            answers.Count == 0 ? "each 404 page not found" : string.Join("; ", answers), answers.Count == 0);

        var actors = await NodeClients.ActorsAsync(agent);
        var after = await agent.LogLengthAsync();
        FaultTable.Check("forged caller in a forwarded command's body, on the unix socket", "refused, log length unchanged, no mallory in the audit trail",
            $"log {before} → {after}, mallory recorded: {actors.Any(a => a.Contains("mallory"))}", after == before && !actors.Any(a => a.Contains("mallory")));
    }

    [Fact]
    public async Task Over_mTLS_the_node_is_its_certificate_s_and_a_forwarded_caller_is_recorded_as_vouched_by_the_manager()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        var (worker, asWorker) = await NodeClients.JoinedWorkerAsync(agent);
        using var _ = asWorker;
        using var asManager = NodeClients.AsTheAgentItself(agent);
        using var anonymous = NodeClients.Anonymous(agent);
        var before = await agent.LogLengthAsync();

        var ghost = await asManager.PostAsync("/eventswarm/v1/manager/heartbeat/ghost", null);
        var ghostText = await ghost.Content.ReadAsStringAsync();
        var ghostGone = await asManager.PostAsync("/eventswarm/v1/manager/disconnected/ghost", null);
        var known = await asManager.PostAsync($"/eventswarm/v1/manager/heartbeat/{worker}", null);
        FaultTable.Check("heartbeat for an unknown node id, from a manager's certificate", "404 \"node ghost not found\" (disconnected too); a known node 200",
            $"{(int)ghost.StatusCode} {ghostText}; disconnected {(int)ghostGone.StatusCode}; known {(int)known.StatusCode}",
            ghost.StatusCode == HttpStatusCode.NotFound && ghostText.Contains("node ghost not found")
            && ghostGone.StatusCode == HttpStatusCode.NotFound && known.StatusCode == HttpStatusCode.OK);

        var workerOnManagerRoute = await asWorker.PostAsync($"/eventswarm/v1/manager/heartbeat/{agent.NodeId}", null);
        var workerForward = await asWorker.PostAsync("/eventswarm/v1/manager/forward/CreateNetworkCommand", ForgedCommand("from-worker"));
        var workerOwnBeat = await asWorker.PostAsync("/eventswarm/v1/worker/heartbeat", null);
        var noCertificate = await anonymous.GetAsync("/eventswarm/v1/worker/state");
        FaultTable.Check("a worker's certificate on manager routes; no certificate at all",
            "401 for the worker on heartbeat/{other} and forward; its own heartbeat 200; no certificate 401",
            $"heartbeat/other {(int)workerOnManagerRoute.StatusCode}, forward {(int)workerForward.StatusCode}, own {(int)workerOwnBeat.StatusCode}, anonymous {(int)noCertificate.StatusCode}",
            workerOnManagerRoute.StatusCode == HttpStatusCode.Unauthorized && workerForward.StatusCode == HttpStatusCode.Unauthorized
            && workerOwnBeat.StatusCode == HttpStatusCode.OK && noCertificate.StatusCode == HttpStatusCode.Unauthorized);

        var unvouched = await asManager.PostAsync("/eventswarm/v1/manager/forward/CreateNetworkCommand", ForgedCommand("unvouched"));
        var unvouchedText = await unvouched.Content.ReadAsStringAsync();
        var afterRefusals = await agent.LogLengthAsync();
        FaultTable.Check("forwarded command with its caller only in the body (manager certificate)", $"400 naming {CallerHeader}, log length unchanged",
            $"{(int)unvouched.StatusCode} {unvouchedText}; log {before} → {afterRefusals}",
            unvouched.StatusCode == HttpStatusCode.BadRequest && unvouchedText.Contains(CallerHeader) && afterRefusals == before);

        const string alice = "unix:alice(uid=1000,pid=77)";
        using var vouched = new HttpRequestMessage(HttpMethod.Post, "/eventswarm/v1/manager/forward/CreateNetworkCommand") { Content = ForgedCommand("vouched") };
        vouched.Headers.Add(CallerHeader, Uri.EscapeDataString(alice));
        var accepted = await asManager.SendAsync(vouched);
        var actors = await NodeClients.ActorsAsync(agent);
        var expected = $"{alice} via manager {agent.NodeId}";
        FaultTable.Check("forwarded command vouched by a manager's certificate", $"recorded as \"{expected}\", the body's caller ignored",
            $"{(int)accepted.StatusCode}; recorded: {actors.Contains(expected)}; mallory recorded: {actors.Any(a => a.Contains("mallory"))}",
            accepted.IsSuccessStatusCode && actors.Contains(expected) && !actors.Any(a => a.Contains("mallory")));
    }

    [Fact]
    public async Task A_command_sent_to_a_follower_is_recorded_by_the_leader_as_its_socket_caller_via_that_manager()
    {
        await using var leader = await LocalAgent.StartSwarmAsync();
        await using var follower = await LocalAgent.StartAsync();
        var token = (await leader.EventSwarm("swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        Assert.Contains("as a manager", (await follower.EventSwarm("swarm", "join", "--token", token, leader.ListenAddress)).ShouldSucceed().Output);

        (await follower.Docker("network", "create", "-d", "overlay", "through-the-follower")).ShouldSucceed();
        var actors = await NodeClients.ActorsAsync(leader);
        var recorded = actors.FirstOrDefault(a => Regex.IsMatch(a, $@"^unix:root\(uid=0,pid=\d+\) via manager {follower.NodeId}$"));
        FaultTable.Check("command on a follower's socket, forwarded to the leader", $"recorded as unix:root(uid=0,pid=N) via manager {follower.NodeId}",
            recorded ?? $"not recorded so (actors: {string.Join(", ", actors.Distinct())})", recorded is not null);
    }
}
