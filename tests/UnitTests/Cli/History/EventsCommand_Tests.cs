extern alias node;
using node::EventSwarm.Node.Cli.History;

namespace EventSwarm.UnitTests.Cli.History;

/// <summary><c>eventswarm events</c>: what it asks the manager for, and what it prints of each event.</summary>
public class EventsCommand_Tests
{
    private const string Scaled = """{"index":5,"sequence":5,"type":"service-scaled","time":"2025-01-01T12:00:20+00:00","actor":"alice","command":"ScaleService","correlationId":"c5","subject":{"kind":"service","id":"web","stream":"service/web"},"event":{"serviceId":"web","replicas":3}}""";
    private const string Reacted = """{"index":6,"sequence":6,"type":"task-created","time":"2025-01-01T12:00:21+00:00","actor":"system:orchestrator","command":"Reconcile","correlationId":"c5","loop":"orchestrator","subject":{"kind":"task","id":"t2","serviceId":"web","stream":"task/t2"},"event":{"taskId":"t2"}}""";

    [Fact]
    public void An_index_in_since_resumes_at_that_index_and_a_time_is_the_managers_to_read()
    {
        Assert.Equal("/eventswarm/v1/events?from-index=5", EventsCommand.PathFor("5", null, [], false));
        Assert.Equal("/eventswarm/v1/events?since=10m&until=20&filter=service%3Dweb&follow=1", EventsCommand.PathFor("10m", "20", ["service=web"], true));
        Assert.Equal("/eventswarm/v1/events?from-index=1", EventsCommand.PathFor(null, null, [], false));
    }

    [Fact]
    public async Task Each_event_prints_as_one_line_with_index_type_object_and_who()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/events?from-index=5", 200, Scaled + "\n" + Reacted + "\n");
        var (code, output, error) = await manager.RunAsync(null, "events", "--since", "5");
        Assert.Equal((0, ""), (code, error));
        Assert.Equal([
            "2025-01-01T12:00:20+00:00  #5  service-scaled  service/web  by alice (ScaleService) correlation=c5",
            "2025-01-01T12:00:21+00:00  #6  task-created  task/t2  by system:orchestrator (Reconcile) loop=orchestrator correlation=c5",
        ], output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Format_reads_the_fields_with_a_capital_as_dockers_templates_do()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/events?from-index=1", 200, Scaled + "\n");
        var (code, output, _) = await manager.RunAsync(null, "events", "--format", "{{.Index}} {{.Subject.Id}} {{.Event.Replicas}}");
        Assert.Equal((0, "5 web 3\n"), (code, output));
    }

    [Fact]
    public async Task The_managers_refusal_prints_as_docker_prints_it()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/events", 400, """{"message":"Invalid filter 'colour'"}""");
        var (code, _, error) = await manager.RunAsync(null, "events", "--filter", "colour=red");
        Assert.Equal((1, "Error response from daemon: Invalid filter 'colour'\n"), (code, error));
    }

    [Fact]
    public async Task Help_names_every_option()
    {
        var help = await global::EventSwarm.UnitTests.Cli.Cli.HelpAsync("events");
        foreach (var flag in new[] { "--since", "--until", "--filter", "--follow", "--format" }) Assert.Contains(flag, help, StringComparison.Ordinal);
    }
}
