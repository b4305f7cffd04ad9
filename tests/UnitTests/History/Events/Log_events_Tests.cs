extern alias node;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using node::EventSwarm.Node.Api.Events;

namespace EventSwarm.UnitTests.History.Events;

/// <summary>/eventswarm/v1/events: every log event, resumable by index, bounded by since and until, filtered by object and type.</summary>
public class Log_events_Tests
{
    private static InMemoryHistory Walkthrough() => new InMemoryHistory()
        .Append(0, SwarmInit(), Node("n1", NodeRole.Manager))
        .Append(10, Service(Spec("web", replicas: 1), 10))
        .Append(11, Created("t1", Spec("web"), 1, 11))
        .Append(20, new ServiceScaled("web", 3, At(20)))
        .Append(30, Service(Spec("db"), 30));

    private static LogEvents.Query Parse(ClusterState state, string? fromIndex = null, string? since = null, string? until = null, string? follow = null,
        string? accept = null, params string[] filters) =>
        LogEvents.Parse(fromIndex, since, until, filters, follow, accept, state, At(100));

    private static async Task<List<long>> IndexesAsync(IEventHistory history, LogEvents.Query query)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = new List<long>();
        await foreach (var entry in LogEvents.ReadAsync(history, query, timeout.Token)) read.Add(entry.Sequence);
        return read;
    }

    [Fact]
    public async Task Every_event_is_listed_tasks_too()
    {
        var history = Walkthrough();
        Assert.Equal([1, 2, 3, 4, 5, 6], await IndexesAsync(history, Parse(history.Current)));
    }

    [Fact]
    public async Task From_index_starts_at_that_index_so_last_plus_one_resumes_without_loss()
    {
        var history = Walkthrough();
        var first = await IndexesAsync(history, Parse(history.Current, until: "3"));
        history.Append(40, new ServiceScaled("db", 2, At(40)));
        var rest = await IndexesAsync(history, Parse(history.Current, fromIndex: (first[^1] + 1).ToString()));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], [.. first, .. rest]);
    }

    [Fact]
    public async Task Since_an_index_means_after_it_as_earlier_callers_read_it()
    {
        var history = Walkthrough();
        Assert.Equal([5, 6], await IndexesAsync(history, Parse(history.Current, since: "4")));
    }

    [Fact]
    public async Task Since_and_until_times_bound_by_the_batch_time()
    {
        var history = Walkthrough();
        Assert.Equal([3, 4, 5], await IndexesAsync(history, Parse(history.Current, since: At(10).ToString("O"), until: At(20).ToString("O"))));
    }

    [Fact]
    public async Task Filters_select_by_service_name_task_and_type()
    {
        var history = Walkthrough();
        Assert.Equal([3, 4, 5], await IndexesAsync(history, Parse(history.Current, filters: "service=web")));
        Assert.Equal([4], await IndexesAsync(history, Parse(history.Current, filters: ["service=web", "type=task"])));
        Assert.Equal([4], await IndexesAsync(history, Parse(history.Current, filters: "task=t1")));
        Assert.Equal([5], await IndexesAsync(history, Parse(history.Current, filters: "type=service-scaled")));
    }

    [Fact]
    public void An_unknown_filter_or_a_bad_index_is_refused_naming_it()
    {
        var state = Walkthrough().Current;
        Assert.Equal("Invalid filter 'colour'", Assert.Throws<BadRequestException>(() => Parse(state, filters: "colour=red")).Message);
        Assert.StartsWith("invalid since 'abc'", Assert.Throws<BadRequestException>(() => Parse(state, since: "abc")).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid from-index 'x'", Assert.Throws<BadRequestException>(() => Parse(state, fromIndex: "x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_are_written_when_following_resuming_or_asked_for_and_an_array_otherwise()
    {
        var state = Walkthrough().Current;
        Assert.False(Parse(state, since: "3").Lines);
        Assert.True(Parse(state, follow: "1").Lines);
        Assert.True(Parse(state, fromIndex: "3").Lines);
        Assert.True(Parse(state, accept: "application/x-ndjson").Lines);
    }

    [Fact]
    public async Task Following_delivers_the_next_commit()
    {
        var history = Walkthrough();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var stream = LogEvents.ReadAsync(history, Parse(history.Current, fromIndex: "7", follow: "1"), timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = stream.MoveNextAsync().AsTask();
        history.Append(50, new ServiceScaled("db", 2, At(50)));
        Assert.True(await next);
        Assert.Equal(7, stream.Current.Sequence);
    }

    [Fact]
    public void A_line_carries_index_who_what_and_the_event()
    {
        var history = Walkthrough();
        var entry = history.Read(new EventSelection(5, 5)).Single();
        using var json = System.Text.Json.JsonDocument.Parse(LogEvents.Line(entry));
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("index").GetInt64());
        Assert.Equal(5, root.GetProperty("sequence").GetInt64());
        Assert.Equal("service-scaled", root.GetProperty("type").GetString());
        Assert.Equal("alice", root.GetProperty("actor").GetString());
        Assert.Equal("Test", root.GetProperty("command").GetString());
        Assert.Equal("c5", root.GetProperty("correlationId").GetString());
        Assert.Equal(3, root.GetProperty("event").GetProperty("replicas").GetInt64());
        Assert.True(root.TryGetProperty("subject", out _));
        Assert.True(root.TryGetProperty("metadata", out _));
    }
}
