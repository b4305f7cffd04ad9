using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.History;

/// <summary>
/// `docker events` against a real agent: the swarm's events come from the log's history, so they outlive a restart
/// (dockerd keeps 256 in memory and forgets them); following delivers what is committed next; Docker's words for a
/// filter it does not know.
/// </summary>
public sealed class Docker_events_Tests
{
    private static string UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static List<JsonElement> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string Attribute(JsonElement e, string name) =>
        e.GetProperty("Actor").GetProperty("Attributes").TryGetProperty(name, out var value) ? value.GetString()! : "";

    [Fact]
    public async Task Docker_events_after_a_restart_lists_every_service_create_scale_update_and_remove_and_the_node_in_order()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "--name", "ev-web", "--replicas", "1", "--detach", "--no-resolve-image", "busybox", "sleep", "3600")).ShouldSucceed();
        (await agent.Docker("service", "scale", "--detach", "ev-web=3")).ShouldSucceed();
        (await agent.Docker("service", "update", "--detach", "--no-resolve-image", "--image", "busybox:1.36", "ev-web")).ShouldSucceed();
        (await agent.Docker("service", "rm", "ev-web")).ShouldSucceed();

        await agent.KillAsync();
        await agent.StartProcessAsync();
        await Task.Delay(1100); // `until` is whole seconds: the last change must be strictly in the past of it

        var listed = await agent.Docker("events", "--since", "0", "--until", UnixNow(), "--filter", "scope=swarm", "--format", "{{json .}}");
        listed.ShouldSucceed();
        var events = Lines(listed.Output);
        Assert.All(events, e => Assert.Equal("swarm", e.GetProperty("scope").GetString()));
        var nano = events.Select(e => e.GetProperty("timeNano").GetInt64()).ToList();
        Assert.Equal(nano.Order(), nano);

        var node = events.FindIndex(e => e.GetProperty("Type").GetString() == "node" && e.GetProperty("Action").GetString() == "create");
        var web = events.Select((e, i) => (e, i)).Where(p => p.e.GetProperty("Type").GetString() == "service" && Attribute(p.e, "name") == "ev-web").ToList();
        int One(Func<JsonElement, bool> what, string name)
        {
            var found = web.Where(p => what(p.e)).Select(p => p.i).ToList();
            Assert.True(found.Count == 1, $"{found.Count} {name} events in:\n{listed.Output}");
            return found[0];
        }
        var created = One(e => e.GetProperty("Action").GetString() == "create", "create");
        var scaled = One(e => Attribute(e, "replicas.old") == "1" && Attribute(e, "replicas.new") == "3", "scale");
        var updated = One(e => Attribute(e, "image.old").Contains("busybox", StringComparison.Ordinal) && Attribute(e, "image.new").Contains("busybox:1.36", StringComparison.Ordinal), "image update");
        var removed = One(e => e.GetProperty("Action").GetString() == "remove", "remove");
        Assert.True(node >= 0 && node < created && created < scaled && scaled < updated && updated < removed, listed.Output);

        // Without a scope filter the node's own events (its engine's) come too, one history in time order.
        var merged = await agent.Docker("events", "--since", "0", "--until", UnixNow(), "--format", "{{json .}}");
        merged.ShouldSucceed();
        var all = Lines(merged.Output);
        Assert.Contains(all, e => e.GetProperty("scope").GetString() == "swarm");
        var allNano = all.Select(e => e.GetProperty("timeNano").GetInt64()).ToList();
        Assert.Equal(allNano.Order(), allNano);
    }

    [Fact]
    public async Task Following_docker_events_receives_a_new_service()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        using var http = agent.Http();
        http.Timeout = Timeout.InfiniteTimeSpan;
        var filters = Uri.EscapeDataString("""{"scope":{"swarm":true},"type":{"service":true}}""");
        using var response = await http.GetAsync($"/v1.41/events?filters={filters}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        (await agent.Docker("service", "create", "--name", "ev-follow", "--detach", "--no-resolve-image", "busybox", "sleep", "3600")).ShouldSucceed();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await reader.ReadLineAsync(timeout.Token);
        using var json = JsonDocument.Parse(line!);
        Assert.Equal(("service", "create", "ev-follow"),
            (json.RootElement.GetProperty("Type").GetString(), json.RootElement.GetProperty("Action").GetString(), Attribute(json.RootElement, "name")));
        (await agent.Docker("service", "rm", "ev-follow")).ShouldSucceed();
    }

    [Fact]
    public async Task An_unknown_filter_key_is_refused_in_dockers_words_and_the_node_keeps_serving()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        var refused = await agent.Docker("events", "--since", "0", "--until", UnixNow(), "--filter", "colour=red");
        refused.ShouldFailWith("Invalid filter 'colour'");
        using var http = agent.Http();
        using var badSince = await http.GetAsync("/v1.41/events?since=abc&until=1");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badSince.StatusCode);
        using var message = JsonDocument.Parse(await badSince.Content.ReadAsStringAsync());
        Assert.StartsWith("invalid value for 'since': invalid timestamp \"abc\"", message.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        (await agent.Docker("service", "ls")).ShouldSucceed();
    }

    [Fact]
    public async Task Eventswarm_events_lists_every_log_event_tasks_too_and_resumes_from_an_index()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "--name", "ev-log", "--detach", "--no-resolve-image", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await agent.EventSwarm("events", "--filter", "service=ev-log", "--format", "{{.Type}}")).Output.Contains("task-created"),
            TimeSpan.FromSeconds(30), "the orchestrator's task in the log");

        var all = (await agent.EventSwarm("events", "--format", "{{.Index}}")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all);
        var middle = all[all.Count / 2];
        var rest = (await agent.EventSwarm("events", "--since", middle.ToString(CultureInfo.InvariantCulture), "--format", "{{.Index}}")).ShouldSucceed()
            .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList();
        Assert.Equal(middle, rest[0]);
        Assert.Equal(all.Where(i => i >= middle), rest.Take(all.Count(i => i >= middle)));

        using var http = agent.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/eventswarm/v1/events?from-index={middle}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var answer = await http.SendAsync(request);
        Assert.Equal("application/x-ndjson", answer.Content.Headers.ContentType?.MediaType);
        (await agent.Docker("service", "rm", "ev-log")).ShouldSucceed();
    }
}
