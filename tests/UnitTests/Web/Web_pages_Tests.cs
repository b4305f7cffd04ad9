extern alias node;
using EventSwarm.Domain.Secrets;
using EventSwarm.UnitTests.History;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using node::EventSwarm.Node.Web;
using node::EventSwarm.Node.Web.Pages;

namespace EventSwarm.UnitTests.Web;

/// <summary>The web view's pages rendered as the server renders them (static SSR), from states built by events.</summary>
public sealed class Web_pages_Tests
{
    private static readonly WebUser Operator = new("ops", IsOperator: true);
    private static readonly WebUser Reader = new("viewer", IsOperator: false);

    private static PageFrame Frame(string path, WebUser? user, long? at = null, long shown = 10, IReadOnlyList<EventLine>? events = null) =>
        new("Title", path, at, shown, At(60), 1, 20, events ?? [], user, "__RequestVerificationToken", "csrf-token-value");

    private static async Task<string> RenderAsync<TPage>(Dictionary<string, object?> parameters) where TPage : IComponent
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    private static ClusterState Demo()
    {
        var spec = Spec("demo", replicas: 2, image: "busybox:latest");
        return Given([.. Cluster("n1", "n2"), Service(spec), .. Running("t1", spec, 1, "n1"), .. Running("t2", spec, 2, "n2")]).And(NodeDown("n2", 5));
    }

    [Fact]
    public async Task Cluster_page_lists_each_node_with_its_state_availability_and_tasks()
    {
        var state = Demo();
        var html = await RenderAsync<ClusterPage>(new()
        {
            ["Page"] = Frame("/", Reader),
            ["Nodes"] = PageModels.Nodes(state, _ => "Leader"),
            ["Services"] = PageModels.Services(state),
        });
        Assert.Contains("data-node=\"n2\" class=\"state-down\"", html);
        Assert.Contains("<td class=\"state\" title=\"heartbeat failure\">Down</td>", html);
        Assert.Contains("<td>Leader</td>", html);
        Assert.Contains("<td class=\"tasks\">1</td>", html);
        Assert.Contains("data-service=\"demo\"", html);
    }

    [Fact]
    public void Replicas_count_running_tasks_meant_to_run_over_the_desired_count()
    {
        var spec = Spec("demo", replicas: 3);
        var state = Given([.. Cluster("n1"), Service(spec), .. Running("t1", spec, 1, "n1"), Created("t2", spec, 2)]);
        var row = Assert.Single(PageModels.Services(state));
        Assert.Equal("1/3", row.Replicas);
    }

    [Fact]
    public async Task A_read_only_user_is_offered_no_form_that_changes_the_swarm()
    {
        var state = Demo();
        var html = await RenderAsync<ServicesPage>(new() { ["Page"] = Frame("/services", Reader), ["Services"] = PageModels.Services(state) });
        Assert.DoesNotContain("action=\"/actions/", html);
        Assert.Contains("class=\"replicas\">2/2<", html);
    }

    [Fact]
    public async Task An_operators_forms_carry_the_anti_forgery_token_and_the_page_to_return_to()
    {
        var state = Demo();
        var html = await RenderAsync<ServicesPage>(new() { ["Page"] = Frame("/services", Operator), ["Services"] = PageModels.Services(state) });
        Assert.Contains("action=\"/actions/services/demo/scale\"", html);
        Assert.Contains("name=\"__RequestVerificationToken\" value=\"csrf-token-value\"", html);
        Assert.Contains("name=\"return\" value=\"/services\"", html);
        Assert.Contains("name=\"replicas\" min=\"0\" value=\"2\"", html);
    }

    [Fact]
    public async Task A_page_of_the_past_offers_no_controls_even_to_an_operator_and_does_not_follow()
    {
        var state = Demo();
        var html = await RenderAsync<ServicesPage>(new() { ["Page"] = Frame("/services", Operator, at: 4, shown: 4), ["Services"] = PageModels.Services(state) });
        Assert.DoesNotContain("action=\"/actions/", html);
        Assert.Contains("data-live=\"0\"", html);
        Assert.Contains("As it was at index <b>4</b>", html);
    }

    [Fact]
    public async Task Links_keep_the_instant_while_travelling()
    {
        var state = Demo();
        var html = await RenderAsync<ServicesPage>(new() { ["Page"] = Frame("/services", Reader, at: 4, shown: 4), ["Services"] = PageModels.Services(state) });
        Assert.Contains("href=\"/networks?at=4\"", html);
        Assert.Contains("href=\"/services/demo?at=4\"", html);
        Assert.Contains("href=\"/services\">now</a>", html.Replace(" id=\"now\"", ""));
    }

    [Fact]
    public async Task Secrets_page_names_secrets_configs_and_their_users_but_never_their_data()
    {
        var secret = new SecretCreated("s1", new SecretSpec { Name = "db-password" }, "sealed-secret-data", At(1));
        var config = new Domain.Configs.ConfigCreated("c1", new Domain.Configs.ConfigSpec { Name = "site-conf" }, "cGxhaW4tY29uZmlnLWRhdGE=", At(1));
        var spec = Spec("db") with { TaskTemplate = Spec("db").TaskTemplate with { Container = Spec("db").TaskTemplate.Container with { Secrets = [new SecretReference("s1", "db-password", null)] } } };
        var state = Given([.. Cluster("n1"), secret, config, Service(spec)]);
        var html = await RenderAsync<SecretsPage>(new() { ["Page"] = Frame("/secrets", Reader), ["Files"] = PageModels.SecretsAndConfigs(state) });
        Assert.Contains("db-password", html);
        Assert.Contains("site-conf", html);
        Assert.Contains("href=\"/services/db\"", html);
        Assert.DoesNotContain("sealed-secret-data", html);
        Assert.DoesNotContain("cGxhaW4tY29uZmlnLWRhdGE=", html);
    }

    [Fact]
    public async Task Service_page_shows_a_slots_earlier_tasks_under_its_newest_and_the_versions_changes()
    {
        var spec = Spec("demo", replicas: 1, image: "busybox:1");
        var state = Given([.. Cluster("n1"), Service(spec), .. Ended("t1", spec, 1, "n1", TaskState.Failed, at: 1, endedAt: 2), .. Running("t2", spec, 1, "n1", at: 3)]);
        state = state.And(new ServiceScaled("demo", 3, At(4)));
        var detail = PageModels.Service(state.Services["demo"], state, At(10));
        Assert.Equal(["t2", "t1"], detail.Tasks.Select(t => t.Id));
        Assert.False(detail.Tasks[0].IsHistory);
        Assert.True(detail.Tasks[1].IsHistory);
        var html = await RenderAsync<ServicePage>(new() { ["Page"] = Frame("/services/demo", Reader), ["Detail"] = detail });
        Assert.Contains(" \\_ demo.1", html);
        Assert.Contains("Mode.Replicated.Replicas: 1 -&gt; 3", html);
        Assert.Contains("<section id=\"logs\" data-src=\"/services/demo/logs-tail\">", html);
    }

    [Fact]
    public void Events_around_an_instant_say_who_did_what_with_the_count_before_a_scale()
    {
        var spec = Spec("demo", replicas: 3);
        var history = new InMemoryHistory()
            .Batch("unix:root(uid=0)", "CreateService", 1, [.. Cluster("n1"), Service(spec)])
            .Batch("web:ops", "ScaleService", 2, new ServiceScaled("demo", 5, At(2)));
        var lines = PageModels.EventsAround(history, history.LastSequence, 10);
        var scale = lines[^1];
        Assert.True(scale.IsShown);
        Assert.Equal("web:ops", scale.Who);
        Assert.Equal("scaled service demo 3 → 5", scale.What);
        Assert.Equal(history.LastSequence, lines.Count);
    }

    [Fact]
    public void Events_around_an_instant_name_a_workers_report_by_its_node_and_its_task_by_slot()
    {
        var spec = Spec("demo", replicas: 1);
        var node = Node("x7k2") with { Description = Node("x7k2").Description with { Hostname = "n1" } };
        var history = new InMemoryHistory()
            .Batch("unix:root(uid=0)", "CreateService", 1, SwarmInit(), node, Service(spec))
            .Loops("replicated-orchestrator+scheduler", 2, Created("t1", spec, 1, at: 2), Assigned("t1", "x7k2", 2))
            .Reports("x7k2", 3, Reported("t1", "x7k2", TaskState.Running, 3));
        var lines = PageModels.EventsAround(history, history.LastSequence, 10);
        Assert.Equal("task demo.1 (t1) created", lines[^3].What);
        Assert.Equal("task demo.1 (t1) assigned to n1", lines[^2].What);
        Assert.Equal(("node:n1", "task demo.1 (t1) running"), (lines[^1].Who, lines[^1].What));
    }

    [Fact]
    public void Events_around_an_instant_are_at_most_the_given_count_each_side()
    {
        var history = new InMemoryHistory().Batch("a", "Given", 1, [.. Cluster("n1"), .. Enumerable.Range(2, 40).Select(i => Node($"n{i}"))]);
        var lines = PageModels.EventsAround(history, 20, 10);
        Assert.Equal(Enumerable.Range(10, 21).Select(i => (long)i), lines.Select(l => l.Index));
    }

    [Fact]
    public void The_live_message_is_one_server_sent_event_carrying_the_last_index() =>
        Assert.Equal("id: 42\ndata: 42\n\n", node::EventSwarm.Node.Web.Live.LiveFeed.Message(42));

    [Fact]
    public void The_script_and_style_sheet_are_embedded_in_the_binary()
    {
        Assert.Contains("EventSource", System.Text.Encoding.UTF8.GetString(WebAssets.Read("live.js")));
        Assert.NotEmpty(WebAssets.Read("web.css"));
    }
}
