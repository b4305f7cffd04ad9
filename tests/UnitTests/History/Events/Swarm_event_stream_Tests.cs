extern alias node;
using System.Text;
using System.Text.Json;
using node::EventSwarm.Node.Api.Events;

namespace EventSwarm.UnitTests.History.Events;

/// <summary>The swarm's part of GET /events read from a history: in order, bounded by since and until, following new commits.</summary>
public class Swarm_event_stream_Tests
{
    private static InMemoryHistory Walkthrough() => new InMemoryHistory()
        .Append(0, SwarmInit(), Node("n1", NodeRole.Manager))
        .Append(10, Service(Spec("web", replicas: 1), 10))
        .Append(20, new ServiceScaled("web", 3, At(20)))
        .Append(30, new ServiceUpdated("web", Spec("web", replicas: 3, image: "nginx:2"), At(30)))
        .Append(40, new ServiceRemoved("web", At(40)));

    private static async Task<List<(string Type, string Action, string Attributes)>> ReadAsync(InMemoryHistory history, string? since, string? until, string? filters = null)
    {
        var request = DockerEventsEndpoint.Request.Parse(since, until, filters);
        var read = new List<(string, string, string)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var (_, line) in DockerEventsEndpoint.SwarmMessagesAsync(history, request, timeout.Token))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            read.Add((root.GetProperty("Type").GetString()!, root.GetProperty("Action").GetString()!,
                string.Join(",", root.GetProperty("Actor").GetProperty("Attributes").EnumerateObject().Select(a => $"{a.Name}={a.Value.GetString()}"))));
        }
        return read;
    }

    private static string Seconds(double s) => At(s).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Since_zero_until_now_lists_every_change_since_the_swarm_was_created_in_order()
    {
        var events = await ReadAsync(Walkthrough(), "0", Seconds(50));
        Assert.Equal([
            ("node", "create", "name=n1"),
            ("service", "create", "name=web"),
            ("service", "update", "name=web,replicas.new=3,replicas.old=1"),
            ("service", "update", "image.new=nginx:2,image.old=nginx:1,name=web"),
            ("service", "remove", "name=web"),
        ], events);
    }

    [Fact]
    public async Task Since_and_until_select_a_window_of_the_history()
    {
        var events = await ReadAsync(Walkthrough(), Seconds(20), Seconds(30));
        Assert.Equal(["replicas.old=1", "image.old=nginx:1"], events.Select(e => e.Attributes.Split(',').First(a => a.Contains(".old", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Filters_apply_to_the_history()
    {
        var events = await ReadAsync(Walkthrough(), "0", Seconds(50), "{\"event\":[\"update\"]}");
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("update", e.Action));
    }

    [Fact]
    public async Task Following_without_until_delivers_each_new_commit()
    {
        var history = Walkthrough();
        var request = DockerEventsEndpoint.Request.Parse(null, null, null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var stream = DockerEventsEndpoint.SwarmMessagesAsync(history, request, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = stream.MoveNextAsync().AsTask();
        history.Append(50, Service(Spec("api"), 50));
        Assert.True(await next);
        Assert.Contains("\"Action\":\"create\"", Encoding.UTF8.GetString(stream.Current.Line), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"api\"", Encoding.UTF8.GetString(stream.Current.Line), StringComparison.Ordinal);
    }
}
