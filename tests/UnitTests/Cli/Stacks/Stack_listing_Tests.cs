extern alias node;
using node::EventSwarm.Node.Api.Stacks;
using node::EventSwarm.Node.Cli.Stacks;

namespace EventSwarm.UnitTests.Cli.Stacks;

/// <summary>
/// <c>stack ls</c>, <c>stack services</c> and <c>stack ps</c> against a fake manager: docker's tables, the stack's
/// namespace label sent as a filter with the user's, and docker's words when a stack has nothing.
/// </summary>
public sealed class Stack_listing_Tests
{
    private const string Stacks = """
        [{"Name":"wordpress","Services":2,"Version":3,"UpdatedAt":"2026-11-28T00:00:00Z"},
         {"Name":"app10","Services":1,"Version":0,"UpdatedAt":null},
         {"Name":"app2","Services":12,"Version":1,"UpdatedAt":null}]
        """;

    private const string Services = """
        [{"ID":"mysqlid0123456789","Spec":{"Name":"wordpress_mysql","Labels":{"com.docker.stack.namespace":"wordpress"},"Mode":{"Global":{}},
           "TaskTemplate":{"ContainerSpec":{"Image":"mysql:5.7@sha256:00"}}}},
         {"ID":"webid0123456789ab","Spec":{"Name":"wordpress_web","Labels":{"com.docker.stack.namespace":"wordpress"},"Mode":{"Replicated":{"Replicas":2}},
           "TaskTemplate":{"ContainerSpec":{"Image":"wordpress"}}},
          "Endpoint":{"Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"}]}}]
        """;

    private const string Tasks = """
        [{"ID":"t2aaaaaaaaaaaaaaaa","ServiceID":"webid0123456789ab","Slot":2,"NodeID":"n2","DesiredState":"running","Status":{"State":"running","Timestamp":"2026-11-28T00:00:00Z"},
          "Spec":{"ContainerSpec":{"Image":"wordpress"}},"CreatedAt":"2026-11-28T00:00:00Z"},
         {"ID":"t1aaaaaaaaaaaaaaaa","ServiceID":"webid0123456789ab","Slot":1,"NodeID":"n1","DesiredState":"running","Status":{"State":"running","Timestamp":"2026-11-28T00:00:00Z"},
          "Spec":{"ContainerSpec":{"Image":"wordpress"}},"CreatedAt":"2026-11-28T00:00:00Z"},
         {"ID":"tmaaaaaaaaaaaaaaaa","ServiceID":"mysqlid0123456789","NodeID":"n1","DesiredState":"running","Status":{"State":"running","Timestamp":"2026-11-28T00:00:00Z"},
          "Spec":{"ContainerSpec":{"Image":"mysql:5.7"}},"CreatedAt":"2026-11-28T00:00:00Z"}]
        """;

    private static FakeManager Manager() => new FakeManager()
        .On("GET", "/eventswarm/v1/stacks", 200, Stacks)
        .On("GET", "/v1.41/services", 200, Services)
        .On("GET", "/v1.41/tasks", 200, Tasks)
        .On("GET", "/v1.41/nodes/n1", 200, """{"ID":"n1","Description":{"Hostname":"node-1"}}""")
        .On("GET", "/v1.41/nodes/n2", 200, """{"ID":"n2","Description":{"Hostname":"node-2"}}""");

    private static string Lines(string text) => text.ReplaceLineEndings("\n");

    /// <summary>The filters a listing sent to <paramref name="path"/>, decoded.</summary>
    private static string SentFilters(FakeManager manager, string path) =>
        Uri.UnescapeDataString(Assert.Single(manager.Requests, r => r.Path.StartsWith(path + "?", StringComparison.Ordinal)).Path);

    [Fact]
    public async Task Stack_ls_is_dockers_table_of_names_and_service_counts_in_natural_order()
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "ls");
        Assert.True(code == 0, error);
        Assert.Equal(
            "NAME        SERVICES\n" +
            "app2        12\n" +
            "app10       1\n" +
            "wordpress   2\n", Lines(output));
    }

    [Fact]
    public async Task Stack_ls_takes_a_go_template_with_dockers_field_names()
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "ls", "--format", "{{.Name}} {{.Services}}");
        Assert.True(code == 0, error);
        Assert.Equal("app2 12\napp10 1\nwordpress 2\n", Lines(output));
        using var json = new StringWriter();
        StackLsCommand.Write([new StackSummaryJson("web", 3, 1, null)], "json", json);
        Assert.Equal("{\"Name\":\"web\",\"Services\":\"3\"}\n", Lines(json.ToString()));
    }

    [Fact]
    public async Task Stack_ls_takes_no_argument_and_is_listed_with_the_other_stack_verbs()
    {
        Assert.StartsWith("eventswarm: 'eventswarm stack ls' accepts no arguments", await Cli.RefusedAsync(1, "stack", "ls", "wordpress"));
        var help = Lines(await Cli.HelpAsync("stack"));
        Assert.StartsWith("Usage:  eventswarm stack COMMAND\n\nManage Swarm stacks\n", help);
        foreach (var verb in new[] { "deploy", "history", "ls", "ps", "rm", "rollback", "services" })
            Assert.Contains($"\n  {verb}", help);
        Assert.Contains("  services    List the services in the stack\n", help);
        Assert.Contains("Aliases:\n  eventswarm stack ls, eventswarm stack list\n", Lines(await Cli.HelpAsync("stack", "ls")));
    }

    [Fact]
    public async Task Stack_services_sends_the_stacks_label_with_the_users_filters_and_prints_service_ls_table()
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "services", "--filter", "name=wordpress_web", "wordpress");
        Assert.True(code == 0, error);
        var filters = SentFilters(manager, "/v1.41/services");
        Assert.Contains("\"label\":{\"com.docker.stack.namespace=wordpress\":true}", filters);
        Assert.Contains("\"name\":{\"wordpress_web\":true}", filters);
        Assert.Equal(
            "ID             NAME              MODE         REPLICAS   IMAGE       PORTS\n" +
            "mysqlid01234   wordpress_mysql   global       1/1        mysql:5.7   \n" +
            "webid0123456   wordpress_web     replicated   2/2        wordpress   *:8080->80/tcp\n", Lines(output));
    }

    [Fact]
    public async Task Stack_services_quiet_prints_the_ids_and_asks_for_no_tasks()
    {
        using var manager = Manager();
        var (code, output, _) = await manager.RunAsync(null, "stack", "services", "-q", "wordpress");
        Assert.Equal((0, "mysqlid0123456789\nwebid0123456789ab\n"), (code, Lines(output)));
        Assert.DoesNotContain(manager.Requests, r => r.Path.StartsWith("/v1.41/tasks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stack_services_of_an_empty_stack_says_so_on_stderr_and_succeeds_as_docker()
    {
        using var manager = new FakeManager().On("GET", "/v1.41/services", 200, "[]");
        var (code, output, error) = await manager.RunAsync(null, "stack", "services", "nothere");
        Assert.Equal((0, "", "Nothing found in stack: nothere\n"), (code, output, Lines(error)));
    }

    [Fact]
    public async Task Stack_ps_lists_the_stacks_tasks_by_service_then_slot_with_node_names()
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "ps", "wordpress");
        Assert.True(code == 0, error);
        Assert.Contains("\"label\":{\"com.docker.stack.namespace=wordpress\":true}", SentFilters(manager, "/v1.41/tasks"));
        var lines = Lines(output).TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("ID             NAME                 IMAGE       NODE      DESIRED STATE   CURRENT STATE", lines[0]);
        Assert.StartsWith("tmaaaaaaaaaa   wordpress_mysql.n1   mysql:5.7   node-1    Running         Running ", lines[1]);
        Assert.StartsWith("t1aaaaaaaaaa   wordpress_web.1      wordpress   node-1    Running", lines[2]);
        Assert.StartsWith("t2aaaaaaaaaa   wordpress_web.2      wordpress   node-2    Running", lines[3]);
    }

    [Fact]
    public async Task Stack_ps_no_resolve_prints_ids_and_quiet_the_task_ids()
    {
        using var manager = Manager();
        var (_, output, _) = await manager.RunAsync(null, "stack", "ps", "--no-resolve", "--no-trunc", "--format", "{{.Name}} {{.Node}} {{.ID}}", "wordpress");
        Assert.Equal(
            "mysqlid0123456789.n1 n1 tmaaaaaaaaaaaaaaaa\n" +
            "webid0123456789ab.1 n1 t1aaaaaaaaaaaaaaaa\n" +
            "webid0123456789ab.2 n2 t2aaaaaaaaaaaaaaaa\n", Lines(output));
        Assert.DoesNotContain(manager.Requests, r => r.Path.StartsWith("/v1.41/nodes", StringComparison.Ordinal));
        var (code, ids, _) = await manager.RunAsync(null, "stack", "ps", "-q", "wordpress");
        Assert.Equal((0, "tmaaaaaaaaaaaaaaaa\nt1aaaaaaaaaaaaaaaa\nt2aaaaaaaaaaaaaaaa\n"), (code, Lines(ids)));
    }

    [Fact]
    public async Task Stack_ps_of_a_stack_without_tasks_is_dockers_error()
    {
        using var manager = new FakeManager().On("GET", "/v1.41/tasks", 200, "[]");
        var (code, output, error) = await manager.RunAsync(null, "stack", "ps", "nothere");
        Assert.Equal((1, "", "nothing found in stack: nothere\n"), (code, output, Lines(error)));
    }

    [Theory]
    [InlineData("services")]
    [InlineData("ps")]
    [InlineData("history")]
    public async Task A_verb_on_one_stack_needs_exactly_one(string verb)
    {
        Assert.StartsWith($"eventswarm: 'eventswarm stack {verb}' requires 1 argument\n\nUsage:  eventswarm stack {verb} ",
            Lines(await Cli.RefusedAsync(1, "stack", verb)));
        Assert.StartsWith($"eventswarm: 'eventswarm stack {verb}' requires 1 argument", await Cli.RefusedAsync(1, "stack", verb, "a", "b"));
    }

    [Fact]
    public async Task A_blank_stack_name_is_dockers_error_before_any_request()
    {
        using var manager = new FakeManager();
        var (code, _, error) = await manager.RunAsync(null, "stack", "services", " '' ");
        Assert.Equal((1, "invalid stack name: \" '' \"\n"), (code, Lines(error)));
        Assert.Empty(manager.Requests);
    }
}
