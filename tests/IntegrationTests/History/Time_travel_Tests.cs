using System.Globalization;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.History;

/// <summary>
/// Reads at a past instant and the diff between two, on a real agent: a service created with one replica and scaled
/// to three reads back as 1/1 at an instant between the two, over the CLI and the API, before and after a restart
/// of the agent; bad instants and writes naming one are refused, with nothing appended to the log.
/// </summary>
public sealed class Time_travel_Tests
{
    private const string Service = "tt-web";

    [Fact]
    public async Task An_instant_between_two_scales_shows_the_old_replicas_before_and_after_a_restart()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.EventSwarm("service", "create", "-d", "--name", Service, "--replicas", "1", "busybox", "sh", "-c", "while true;do sleep 3600;done")).ShouldSucceed();
        await Eventually.True(async () => (await agent.EventSwarm("service", "ls")).Output.Contains("1/1"), TimeSpan.FromSeconds(60), $"{Service} is 1/1");
        // The instant is taken a moment after the last event of the first replica and a moment before the scale,
        // so that it falls between them whatever the millisecond each was stamped with.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var index = (await agent.LogLengthAsync()).Events;
        var instant = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await agent.EventSwarm("service", "scale", $"{Service}=3")).ShouldSucceed();
        await Eventually.True(async () => (await agent.EventSwarm("service", "ls")).Output.Contains("3/3"), TimeSpan.FromSeconds(60), $"{Service} is 3/3");

        await ShowsTheOldStateAsync(agent, index, instant);

        await agent.KillAsync();
        await agent.StartProcessAsync();
        await Eventually.True(async () => (await agent.EventSwarm("service", "ls")).Output.Contains("3/3"), TimeSpan.FromSeconds(60), $"{Service} is 3/3 again");

        await ShowsTheOldStateAsync(agent, index, instant);
    }

    private static async Task ShowsTheOldStateAsync(LocalAgent agent, long index, string instant)
    {
        var ls = (await agent.EventSwarm("--at", instant, "service", "ls")).ShouldSucceed();
        Assert.Contains("1/1", Assert.Single(ls.Rows, r => r.Contains(Service)));
        var ps = (await agent.EventSwarm("--at", instant, "service", "ps", Service)).ShouldSucceed();
        Assert.Contains("Running", Assert.Single(ps.Rows));
        // Now, for comparison: three of them.
        Assert.Equal(3, (await agent.EventSwarm("service", "ps", Service)).ShouldSucceed().Rows.Count);
        var inspect = (await agent.EventSwarm("--at", instant, "service", "inspect", Service)).ShouldSucceed();
        Assert.Contains("\"Replicas\": 1", inspect.Output);
        Assert.Contains("Ready", Assert.Single((await agent.EventSwarm("--at", instant, "node", "ls")).ShouldSucceed().Rows));
        // The swarm's networks as they were, and not the engine's local ones, which the log does not hold.
        static IEnumerable<string> Names(CommandResult ls) => ls.Rows.Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        var past = Names((await agent.EventSwarm("--at", instant, "network", "ls")).ShouldSucceed()).ToList();
        Assert.Equal(["ingress"], past);
        Assert.Contains("bridge", Names((await agent.EventSwarm("network", "ls")).ShouldSucceed()));

        using var http = agent.Http();
        foreach (var route in new[] { $"/services?at={index}", $"/v1.41/services?at={index}" })
        {
            using var response = await http.GetAsync(route);
            Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(index.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("EventSwarm-At-Index").Single());
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var web = json.RootElement.EnumerateArray().Single(s => s.GetProperty("Spec").GetProperty("Name").GetString() == Service);
            Assert.Equal(1, web.GetProperty("Spec").GetProperty("Mode").GetProperty("Replicated").GetProperty("Replicas").GetInt64());
        }

        var diff = (await agent.EventSwarm("diff", "--from", instant)).ShouldSucceed();
        Assert.Contains($"~ service {Service}: replicas 1 → 3", diff.Output);
        Assert.Contains($"+ task {Service}.2", diff.Output);
        var json2 = (await agent.EventSwarm("diff", "--from", index.ToString(CultureInfo.InvariantCulture), "--format", "json")).ShouldSucceed();
        Assert.Contains("\"replicas\"", json2.Output);
    }

    [Fact]
    public async Task Bad_instants_and_writes_at_an_instant_are_refused_and_append_nothing()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.EventSwarm("service", "create", "-d", "--name", Service, "--replicas", "1", "busybox", "sh", "-c", "while true;do sleep 3600;done")).ShouldSucceed();
        await Eventually.True(async () => (await agent.EventSwarm("service", "ls")).Output.Contains("1/1"), TimeSpan.FromSeconds(60), $"{Service} is 1/1");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = await agent.LogLengthAsync();

        (await agent.EventSwarm("--at", "2000-01-01T00:00:00Z", "service", "ls")).ShouldFailWith("is before the first event");
        (await agent.EventSwarm("--at", "0", "service", "ls")).ShouldFailWith("index 0 is before the first event held");
        (await agent.EventSwarm("--at", "2999-01-01T00:00:00Z", "node", "ls")).ShouldFailWith("is in the future");
        (await agent.EventSwarm("--at", $"{before.Events + 1000}", "service", "ls")).ShouldFailWith("is after the last event");
        (await agent.EventSwarm("--at", "yesterday", "service", "ls")).ShouldFailWith("'yesterday' is not an instant");
        (await agent.EventSwarm("--at", "1", "service", "scale", $"{Service}=3")).ShouldFailWith("only reads take a past instant");
        (await agent.EventSwarm("diff", "--from", "2999-01-01T00:00:00Z")).ShouldFailWith("is in the future");

        using var http = agent.Http();
        foreach (var route in new[] { "/services?at=yesterday", "/v1.41/tasks?at=2000-01-01T00:00:00Z", "/nodes?at=999999" })
        {
            using var response = await http.GetAsync(route);
            Assert.Equal(400, (int)response.StatusCode);
            Assert.StartsWith("at: ", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        }
        using (var write = await http.PostAsync($"/v1.41/services/{Service}/update?version=1&at=1", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(400, (int)write.StatusCode);
            Assert.Contains("a past instant is for reads only", await write.Content.ReadAsStringAsync());
        }

        var after = await agent.LogLengthAsync();
        Assert.Equal(before.Events, after.Events);
        Assert.Contains("1/1", (await agent.EventSwarm("service", "ls")).ShouldSucceed().Output);
    }
}
