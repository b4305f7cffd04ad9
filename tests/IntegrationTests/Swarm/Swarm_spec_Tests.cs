using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Swarm;

/// <summary>The swarm's own spec over the Engine API: kept in the log, returned by inspect and /info, acted on.</summary>
public sealed class Swarm_spec_Tests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Init_keeps_the_spec_and_address_pool_it_was_given_and_null_means_default()
    {
        await using var agent = await LocalAgent.StartAsync();
        using var http = agent.Http();
        // What SDKs send: null for what they leave unset (Raft.HeartbeatTick here), nanoseconds for durations.
        var init = await http.PostAsync("/v1.41/swarm/init", Json($$"""
            {"ListenAddr": "127.0.0.1:{{LocalAgent.FreePort()}}", "AdvertiseAddr": "127.0.0.1",
             "DefaultAddrPool": ["10.30.0.0/16"], "SubnetSize": 25, "DataPathPort": 4790,
             "Spec": {"Labels": {"team": "infra"}, "Orchestration": {"TaskHistoryRetentionLimit": 2},
                      "Raft": {"SnapshotInterval": 5000, "KeepOldSnapshots": 1, "HeartbeatTick": null, "ElectionTick": 20},
                      "Dispatcher": {"HeartbeatPeriod": 7000000005}, "CAConfig": {"NodeCertExpiry": 7200000000000},
                      "TaskDefaults": {"LogDriver": {"Name": "json-file", "Options": {"max-size": "10m"} } } } }
            """));
        Assert.True(init.IsSuccessStatusCode, await init.Content.ReadAsStringAsync());

        var swarm = JsonNode.Parse(await http.GetStringAsync("/v1.41/swarm"))!;
        var spec = swarm["Spec"]!;
        Assert.Equal("default", (string?)spec["Name"]);
        Assert.Equal("infra", (string?)spec["Labels"]!["team"]);
        Assert.Equal(2, (long)spec["Orchestration"]!["TaskHistoryRetentionLimit"]!);
        Assert.Equal(5000, (long)spec["Raft"]!["SnapshotInterval"]!);
        Assert.Equal(1, (long)spec["Raft"]!["KeepOldSnapshots"]!);
        Assert.Equal(500, (long)spec["Raft"]!["LogEntriesForSlowFollowers"]!);
        Assert.Equal(1, (long)spec["Raft"]!["HeartbeatTick"]!);
        Assert.Equal(20, (long)spec["Raft"]!["ElectionTick"]!);
        Assert.Equal(7000000005, (long)spec["Dispatcher"]!["HeartbeatPeriod"]!);
        Assert.Equal(7200000000000, (long)spec["CAConfig"]!["NodeCertExpiry"]!);
        // Engine 20.10 drops task defaults (moby's spec conversion does not carry them), and so does EventSwarm.
        Assert.Null(spec["TaskDefaults"]!["LogDriver"]);
        Assert.False((bool)spec["EncryptionConfig"]!["AutoLockManagers"]!);
        Assert.Equal(["10.30.0.0/16"], swarm["DefaultAddrPool"]!.AsArray().Select(p => (string?)p));
        Assert.Equal(25, (int)swarm["SubnetSize"]!);
        Assert.Equal(4790, (int)swarm["DataPathPort"]!);
        Assert.Contains("BEGIN CERTIFICATE", (string?)swarm["TLSInfo"]!["TrustRoot"]);
        Assert.StartsWith("SWMTKN-1-", (string?)swarm["JoinTokens"]!["Worker"]);

        // /info's Swarm.Cluster is the same ClusterInfo, without the join tokens.
        var cluster = JsonNode.Parse(await http.GetStringAsync("/v1.41/info"))!["Swarm"]!["Cluster"]!;
        Assert.Equal(spec.ToJsonString(), cluster["Spec"]!.ToJsonString());
        Assert.Null(cluster["JoinTokens"]);

        // The pool drives the allocator: ingress took its first /25, a new network the next one.
        (await agent.Docker("network", "create", "-d", "overlay", "pooled")).ShouldSucceed();
        Assert.Equal("10.30.0.128/25", (await agent.Docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "pooled")).ShouldSucceed().Output.Trim());
        Assert.Equal("10.30.0.0/25", (await agent.Docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "ingress")).ShouldSucceed().Output.Trim());
    }

    [Fact]
    public async Task Docker_swarm_update_changes_the_spec_and_a_stale_version_is_refused_with_nothing_appended()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        using var http = agent.Http();
        var before = JsonNode.Parse(await http.GetStringAsync("/v1.41/swarm"))!;
        var version = (long)before["Version"]!["Index"]!;

        (await agent.Docker("swarm", "update", "--task-history-limit", "3", "--dispatcher-heartbeat", "7s", "--cert-expiry", "48h")).ShouldSucceed();

        var after = JsonNode.Parse(await http.GetStringAsync("/v1.41/swarm"))!;
        Assert.Equal(3, (long)after["Spec"]!["Orchestration"]!["TaskHistoryRetentionLimit"]!);
        Assert.Equal(7_000_000_000, (long)after["Spec"]!["Dispatcher"]!["HeartbeatPeriod"]!);
        Assert.Equal(172_800_000_000_000, (long)after["Spec"]!["CAConfig"]!["NodeCertExpiry"]!);
        Assert.True((long)after["Version"]!["Index"]! > version);
        Assert.Equal(10000, (long)after["Spec"]!["Raft"]!["SnapshotInterval"]!);

        var length = await agent.LogLengthAsync();
        var stale = await http.PostAsync($"/v1.41/swarm/update?version={version}", Json(after["Spec"]!.ToJsonString()));
        Assert.False(stale.IsSuccessStatusCode);
        Assert.Contains("update out of sequence", await stale.Content.ReadAsStringAsync());
        var bad = await http.PostAsync($"/v1.41/swarm/update?version={(long)after["Version"]!["Index"]!}", Json("""{"Name": "other"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("invalid Name (only \\\"default\\\" is supported)", await bad.Content.ReadAsStringAsync());
        var noVersion = await http.PostAsync("/v1.41/swarm/update", Json(after["Spec"]!.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        Assert.Equal(length, await agent.LogLengthAsync());
    }
}
