extern alias node;
using System.Text.Json;
using EventSwarm.Application.History;
using EventSwarm.UnitTests.History;
using node::EventSwarm.Node.Api.History;

namespace EventSwarm.UnitTests.Cli.History;

/// <summary>`audit` and `explain` against a fake manager answering what the real endpoints answer for the walkthrough.</summary>
public sealed class Audit_and_explain_commands_Tests
{
    private static string Lines(string text) => text.ReplaceLineEndings("\n");

    private static string AuditJson(InMemoryHistory h) => JsonSerializer.Serialize(Audit.Of(h.Entries, h.State, new AuditQuery()), AuditEndpoints.Json);

    [Fact]
    public async Task Audit_prints_a_row_per_command_with_its_caller_and_change_and_the_reactions_indented_under_it()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/audit", 200, AuditJson(Walkthrough.Build()));

        var (code, output, error) = await manager.RunAsync(null, "audit");

        Assert.True(code == 0, error);
        var lines = Lines(output).Split('\n');
        Assert.StartsWith("TIME", lines[0]);
        Assert.Contains("WHO", lines[0]);
        Assert.Contains("CHANGE", lines[0]);
        var scale = Array.FindIndex(lines, l => l.Contains("scaled service web 1 → 5"));
        Assert.Contains(Walkthrough.Root, lines[scale]);
        Assert.Contains("ScaleService", lines[scale]);
        Assert.Contains("└ web: 4 tasks created, 4 assigned (n1×2, n2×2), 3 running, 1 failed", lines[scale + 1]);
        Assert.Contains(lines, l => l.Contains("system:node-monitor+replicated-orchestrator+scheduler") && l.Contains("node n2 down (heartbeat failure)"));
    }

    [Fact]
    public async Task Audit_sends_its_filters_and_prints_the_records_as_json_when_asked()
    {
        using var manager = new FakeManager()
            .On("GET", "/eventswarm/v1/audit?who=alice&service=web&since=10m", 200, "[]");

        var (code, output, error) = await manager.RunAsync(null, "audit", "--who", "alice", "--service", "web", "--since", "10m", "--format", "json");

        Assert.True(code == 0, error);
        Assert.Equal("[]\n", Lines(output));
    }

    [Fact]
    public async Task Explain_task_prints_the_node_failure_behind_it_and_the_reason_for_its_new_node()
    {
        var h = Walkthrough.Build();
        var json = JsonSerializer.Serialize(ExplainTask.Of(h.Entries, h.State, "t6"), AuditEndpoints.Json);
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/explain/task/t6", 200, json);

        var (code, output, error) = await manager.RunAsync(null, "explain", "task", "t6");

        Assert.True(code == 0, error);
        var text = Lines(output);
        Assert.StartsWith("Task t6 (web.2) of service web, on node n1\n", text);
        Assert.Contains("because of   node-monitor+replicated-orchestrator+scheduler by system:node-monitor+replicated-orchestrator+scheduler", text);
        Assert.Contains("replaces     task t2 on n2: its node failed:", text);
        Assert.Contains("placed on    n1 at 2025-01-01T12:00:40.000Z (index 27): 2 candidate nodes; 1 removed: not available (n2);", text);
        Assert.Contains("running", text);
    }

    [Fact]
    public async Task Explain_service_prints_its_versions_tasks_and_failures()
    {
        var h = Walkthrough.Build();
        var json = JsonSerializer.Serialize(ExplainService.Of(h.Entries, h.State, "web"), AuditEndpoints.Json);
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/explain/service/web", 200, json);

        var (code, output, error) = await manager.RunAsync(null, "explain", "service", "web");

        Assert.True(code == 0, error);
        var text = Lines(output);
        Assert.Contains($"{Walkthrough.Alice}  UpdateService: updated service web: image nginx:alpine → nginx:1.27", text);
        Assert.Contains("tasks        1 failed, 2 orphaned, 4 running", text);
        Assert.Contains("web.5.t5 on n1: failed: task: non-zero exit (1)", text);
    }

    [Fact]
    public async Task An_unknown_task_prints_the_managers_message_and_an_unknown_object_is_a_usage_error()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/explain/task/nope", 404, """{"message":"no such task: nope"}""");

        var (code, _, error) = await manager.RunAsync(null, "explain", "task", "nope");
        Assert.Equal(1, code);
        Assert.Equal("Error response from daemon: no such task: nope\n", Lines(error));

        var (badCode, _, badError) = await manager.RunAsync(null, "explain", "network", "x");
        Assert.Equal(1, badCode);
        Assert.Contains("unknown object \"network\"", badError);
        Assert.StartsWith("eventswarm: 'eventswarm explain' requires", await Cli.RefusedAsync(1, "explain", "task"));
    }
}
