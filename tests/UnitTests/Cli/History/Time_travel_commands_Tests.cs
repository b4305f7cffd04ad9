extern alias node;
using node::EventSwarm.Node.Cli.History;

namespace EventSwarm.UnitTests.Cli.History;

/// <summary>
/// The global <c>--at</c> (every request of a read verb asks for <c>at=</c>, a write is refused before anything is
/// sent) and <c>eventswarm diff</c>, against a fake manager.
/// </summary>
public sealed class Time_travel_commands_Tests
{
    private const string Services = """
        [{"ID":"svc1","Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":1}},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:1"}}}}]
        """;

    private const string Tasks = """
        [{"ID":"t1","ServiceID":"svc1","Slot":1,"NodeID":"n1","DesiredState":"running","Status":{"State":"running","Timestamp":"2026-11-28T00:00:00Z"},
          "Spec":{"ContainerSpec":{"Image":"nginx:1"}},"CreatedAt":"2026-11-28T00:00:00Z"}]
        """;

    private const string Diff = """
        {"From":{"Index":12,"At":"2026-11-28T06:00:00Z"},"To":{"Index":20,"At":"2026-11-28T06:05:00Z"},"Changes":[
          {"Kind":"task","Id":"t2","Name":"web.2","Action":"added","Fields":[],"Line":"+ task web.2"},
          {"Kind":"service","Id":"svc1","Name":"web","Action":"changed","Fields":[{"Field":"replicas","Old":"1","New":"3"}],"Line":"~ service web: replicas 1 → 3"}]}
        """;

    private static FakeManager Manager() => new FakeManager()
        .On("GET", "/v1.41/services", 200, Services)
        .On("GET", "/v1.41/tasks", 200, Tasks)
        .On("GET", "/eventswarm/v1/stacks", 200, "[]")
        .On("GET", "/eventswarm/v1/diff", 200, Diff);

    [Theory]
    [InlineData("--at", "42")]
    [InlineData("--at=42")]
    public async Task At_asks_every_request_of_service_ls_for_that_instant(params string[] at)
    {
        using var manager = Manager();

        var (code, output, error) = await manager.RunAsync(null, [.. at, "service", "ls"]);

        Assert.True(code == 0, error);
        Assert.Contains("1/1", output);
        Assert.Equal(2, manager.Requests.Count);
        Assert.All(manager.Requests, r => Assert.EndsWith("at=42", r.Path));
    }

    [Fact]
    public async Task A_duration_is_sent_as_one_time_for_all_the_requests_of_a_verb()
    {
        using var manager = Manager();

        var (code, _, error) = await manager.RunAsync(null, "--at", "-10m", "service", "ls");

        Assert.True(code == 0, error);
        var sent = manager.Requests.Select(r => Uri.UnescapeDataString(r.Path.Split("at=")[1])).Distinct().ToList();
        var at = DateTimeOffset.Parse(Assert.Single(sent), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - at, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
    }

    [Fact]
    public async Task At_reaches_eventswarms_own_routes_too()
    {
        using var manager = Manager();

        var (code, _, error) = await manager.RunAsync(null, "--at", "7", "stack", "ls");

        Assert.True(code == 0, error);
        Assert.Equal("/eventswarm/v1/stacks?at=7", Assert.Single(manager.Requests).Path);
    }

    [Theory]
    [InlineData("service", "scale", "web=3")]
    [InlineData("service", "rm", "web")]
    [InlineData("node", "update", "--availability", "drain", "n1")]
    public async Task A_write_with_at_is_refused_before_anything_is_sent(params string[] args)
    {
        using var manager = Manager();

        var (code, output, error) = await manager.RunAsync(null, ["--at", "5", .. args]);

        Assert.Equal((1, ""), (code, output));
        Assert.Contains("changes the swarm as it is now; only reads take a past instant", error);
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task Diff_takes_its_instants_as_from_and_to_not_at()
    {
        using var manager = Manager();

        var (code, _, error) = await manager.RunAsync(null, "--at", "5", "diff", "--from", "1");

        Assert.Equal(1, code);
        Assert.Contains("takes its two instants as --from and --to", error);
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task An_instant_that_is_none_is_refused_before_anything_is_sent()
    {
        using var manager = Manager();

        var (code, _, error) = await manager.RunAsync(null, "--at", "yesterday", "service", "ls");

        Assert.Equal(1, code);
        Assert.StartsWith("--at: 'yesterday' is not an instant", error);
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task The_global_help_lists_at()
    {
        var help = await Cli.HelpAsync();

        Assert.Contains("--at string", help);
        Assert.Contains("diff", help);
    }

    [Fact]
    public async Task Diff_prints_the_changes_grouped_by_kind()
    {
        using var manager = Manager();

        var (code, output, error) = await manager.RunAsync(null, "diff", "--from", "12", "--to", "20");

        Assert.True(code == 0, error);
        Assert.Equal("/eventswarm/v1/diff?from=12&to=20", Assert.Single(manager.Requests).Path);
        Assert.Equal("""
            From index 12 (2026-11-28T06:00:00Z) to index 20 (2026-11-28T06:05:00Z)

            Services:
              ~ service web: replicas 1 → 3

            Tasks:
              + task web.2

            """, output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Diff_as_json_prints_the_managers_answer()
    {
        using var manager = Manager();

        var (code, output, error) = await manager.RunAsync(null, "diff", "--from", "12", "--format", "json");

        Assert.True(code == 0, error);
        Assert.Equal("/eventswarm/v1/diff?from=12", Assert.Single(manager.Requests).Path);
        Assert.Contains("\"replicas\"", output);
    }

    [Fact]
    public async Task Diff_needs_from()
    {
        Assert.Contains("--from: the instant to compare from is required", await Cli.RefusedAsync(1, "diff"));
    }

    [Fact]
    public async Task Diff_has_its_help()
    {
        var help = await Cli.HelpAsync("diff");

        Assert.Contains("Usage:  eventswarm diff --from TIME [--to TIME] [OPTIONS]", help);
        Assert.Contains("--from string", help);
        Assert.Contains("--to string", help);
    }

    [Fact]
    public void Only_the_reads_take_a_past_instant()
    {
        var (verb, _) = Cli.Parse<node::EventSwarm.Node.Cli.Services.ServicePsCommand>("service", "ps", "web");

        Assert.Equal("9", PastInstant.Resolve("9", verb, DateTimeOffset.UtcNow));
    }
}
