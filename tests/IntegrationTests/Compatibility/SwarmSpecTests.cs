using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>The swarm's own spec at init and update, read back through GET /swarm and /info on both sides.</summary>
[Collection(CompatibilityCollection.Name)]
public sealed class SwarmSpecTests(OracleFixture fixture)
{
    private const string FullInit = """
        "Spec": {
          "Labels": {"com.example.swarm": "compat"},
          "Orchestration": {"TaskHistoryRetentionLimit": 7},
          "Raft": {"SnapshotInterval": 5000, "KeepOldSnapshots": 1, "LogEntriesForSlowFollowers": 600, "ElectionTick": 12, "HeartbeatTick": 2},
          "Dispatcher": {"HeartbeatPeriod": 7000000000},
          "CAConfig": {"NodeCertExpiry": 2592000000000000},
          "EncryptionConfig": {"AutoLockManagers": false},
          "TaskDefaults": {"LogDriver": {"Name": "json-file", "Options": {"max-file": "3"}}}
        },
        "DefaultAddrPool": ["10.20.0.0/16"], "SubnetSize": 26, "DataPathPort": 4790
        """;

    private async Task<IReadOnlyList<JsonNode>> InspectAsync(string path)
    {
        var answers = new List<JsonNode>();
        foreach (var side in fixture.Sides) answers.Add((await side.GetAsync(path)).ShouldSucceed().Json!);
        return answers;
    }

    private async Task CompareSwarmAndInfoAsync(string what)
    {
        var swarms = await InspectAsync("/swarm");
        JsonComparison.AssertSame("swarm", swarms[0], swarms[1], $"GET /swarm {what}");
        var infos = await InspectAsync("/info");
        JsonComparison.AssertSame("info-swarm", infos[0]["Swarm"], infos[1]["Swarm"], $"/info Swarm {what}");
    }

    [Fact]
    public async Task Swarm_initialised_with_a_full_spec_reads_back_as_in_Docker_Swarm()
    {
        await fixture.FreshSwarmAsync(FullInit);
        await CompareSwarmAndInfoAsync("after init with a full spec");
    }

    [Fact]
    public async Task Swarm_initialised_with_defaults_reads_back_as_in_Docker_Swarm()
    {
        await fixture.FreshSwarmAsync();
        await CompareSwarmAndInfoAsync("after init with defaults");
    }

    [Fact]
    public async Task Swarm_init_takes_null_as_default_as_Docker_Swarm_does()
    {
        await fixture.OutOfSwarmAsync();
        foreach (var side in fixture.Sides)
        {
            var init = await side.PostAsync("/swarm/init", side.InitBody("""
                "Spec": {"Raft": {"HeartbeatTick": null, "ElectionTick": null}, "Dispatcher": {"HeartbeatPeriod": null}, "Labels": null, "CAConfig": null}
                """));
            Assert.True(init.Status == 200, $"{side}: {init}");
        }
        await CompareSwarmAndInfoAsync("after init with nulls in the spec");
    }

    [Fact]
    public async Task Swarm_update_changes_the_spec_as_in_Docker_Swarm()
    {
        await fixture.FreshSwarmAsync();
        foreach (var side in fixture.Sides)
        {
            var swarm = (await side.GetAsync("/swarm")).ShouldSucceed().Json!;
            var spec = swarm["Spec"]!.AsObject();
            spec["Labels"] = new JsonObject { ["updated"] = "yes" };
            spec["Orchestration"] = new JsonObject { ["TaskHistoryRetentionLimit"] = 3 };
            spec["Dispatcher"] = new JsonObject { ["HeartbeatPeriod"] = 9_000_000_000L };
            var update = await side.PostAsync($"/swarm/update?version={swarm["Version"]!["Index"]}", spec.ToJsonString());
            Assert.True(update.Status == 200, $"{side}: {update}");
            Assert.True(await side.VersionOfAsync("/swarm") > swarm["Version"]!["Index"]!.GetValue<ulong>(), $"{side}: the swarm's version did not move");
        }
        await CompareSwarmAndInfoAsync("after swarm update");
    }

    [Fact]
    public async Task Swarm_update_rotating_the_join_tokens_changes_them_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        foreach (var side in fixture.Sides)
        {
            var before = (await side.GetAsync("/swarm")).ShouldSucceed().Json!;
            var update = await side.PostAsync(
                $"/swarm/update?version={before["Version"]!["Index"]}&rotateWorkerToken=true&rotateManagerToken=false", before["Spec"]!.ToJsonString());
            Assert.True(update.Status == 200, $"{side}: {update}");
            var after = (await side.GetAsync("/swarm")).ShouldSucceed().Json!;
            Assert.NotEqual(before["JoinTokens"]!["Worker"]!.ToString(), after["JoinTokens"]!["Worker"]!.ToString());
            Assert.Equal(before["JoinTokens"]!["Manager"]!.ToString(), after["JoinTokens"]!["Manager"]!.ToString());
        }
    }
}
