extern alias node;
using System.Text.Json;
using node::EventSwarm.Node.Cli.Services;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary>
/// <c>service rollback</c>, <c>service update --rollback</c> (docker's <c>rollback=previous</c> with the current spec
/// and version), and EventSwarm's <c>service history</c> and <c>rollback --to-version</c>, run against a fake manager.
/// </summary>
public sealed class Rollback_and_history_Tests
{
    private const string Web = """{"ID":"svc1","Version":{"Index":7},"Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":1}},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:2"}}}}""";

    private const string History = """
        [{"Version":1,"At":"2026-11-27T23:00:00Z","Who":"root","Command":"CreateService","SpecVersion":3,"Changes":[],
          "Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":1}},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:1"}}}},
         {"Version":2,"At":"2026-11-27T23:30:00Z","Who":"alice","Command":"UpdateService","SpecVersion":7,"Changes":["Image: nginx:1 -> nginx:2","Replicas: 1 -> 3"],
          "Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":3}},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:2"}}}}]
        """;

    private static FakeManager Manager() => new FakeManager()
        .On("GET", "/v1.41/services/web", 200, Web)
        .On("POST", "/v1.41/services/svc1/update", 200, """{"Warnings":null}""")
        .On("GET", "/eventswarm/v1/services/svc1/history", 200, History);

    /// <summary>Runs a line that succeeds printing the service's name: the update it sent, its query and the image it asked for.</summary>
    private static async Task<(string Path, string? Image)> SentAsync(params string[] args)
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, args);
        Assert.True(code == 0, error);
        Assert.Equal("web\n", output.ReplaceLineEndings("\n"));
        var (_, path, body) = Assert.Single(manager.Requests, r => r.Method == "POST");
        return (path, JsonDocument.Parse(body).RootElement.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Image").GetString());
    }

    [Theory]
    [InlineData("service", "rollback", "-d", "web")]
    [InlineData("service", "update", "--rollback", "-d", "web")]
    public async Task A_rollback_sends_the_current_spec_and_version_with_rollback_previous(params string[] args)
    {
        var (path, image) = await SentAsync(args);
        Assert.Contains("rollback=previous", path);
        Assert.Contains("version=7", path);
        Assert.Equal("nginx:2", image);
    }

    [Fact]
    public async Task A_plain_update_sends_no_rollback()
    {
        var (path, image) = await SentAsync("service", "update", "-d", "--image", "nginx:3", "web");
        Assert.DoesNotContain("rollback", path);
        Assert.Equal("nginx:3", image);
    }

    [Fact]
    public async Task Rollback_may_not_be_combined_with_other_flags_as_docker_refuses_it()
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "service", "update", "--rollback", "--image", "nginx:3", "web");
        Assert.Equal((1, ""), (code, output));
        Assert.Equal("other flags may not be combined with --rollback\n", error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain(manager.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Rollback_takes_exactly_one_service_and_is_listed_with_the_other_service_verbs()
    {
        Assert.StartsWith("eventswarm: 'eventswarm service rollback' requires 1 argument\n\nUsage:  eventswarm service rollback [OPTIONS] SERVICE",
            (await Cli.RefusedAsync(1, "service", "rollback")).ReplaceLineEndings("\n"));
        var help = await Cli.HelpAsync("service");
        Assert.Contains("  rollback    Revert changes to a service's configuration\n", help.ReplaceLineEndings("\n"));
        Assert.Contains("  history     Show the versions of a service's spec\n", help.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Rollback_waits_and_shows_dockers_progress_of_a_rollback()
    {
        using var manager = new FakeManager()
            .On("GET", "/v1.41/services/web", 200, """
                {"ID":"svc1","Version":{"Index":8},"Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":1}},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:1"}},
                 "UpdateConfig":{"Monitor":1000000}},"UpdateStatus":{"State":"rollback_started","Message":"manually requested rollback"}}
                """)
            .On("POST", "/v1.41/services/svc1/update", 200, """{"Warnings":null}""")
            .On("GET", "/v1.41/tasks", 200, """[{"ID":"t1","ServiceID":"svc1","Slot":1,"NodeID":"n1","DesiredState":"running","Status":{"State":"running"}}]""")
            .On("GET", "/v1.41/nodes", 200, """[{"ID":"n1","Status":{"State":"ready"}}]""");
        var (code, output, error) = await manager.RunAsync(null, "service", "rollback", "web");
        Assert.True(code == 0, error);
        var lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["web", "rollback: manually requested rollback", "overall progress: rolling back update: 1 out of 1 tasks"], lines[..3]);
        Assert.StartsWith("1/1: running   [", lines[3]);
        Assert.Equal("verify: Service web converged", lines[^1]);
        // docker's filter: the tasks of the current spec only.
        Assert.Contains(manager.Requests, r => r.Path.StartsWith("/v1.41/tasks?", StringComparison.Ordinal) && Uri.UnescapeDataString(r.Path).Contains("\"_up-to-date\":{\"true\":true}"));
    }

    [Fact]
    public async Task A_paused_update_is_dockers_error_and_exit_1()
    {
        using var manager = new FakeManager()
            .On("GET", "/v1.41/services/web", 200, """
                {"ID":"svc1","Version":{"Index":9},"Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":1}},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:broken"}}},
                 "UpdateStatus":{"State":"paused","Message":"update paused due to failure or early termination of task t9"}}
                """)
            .On("POST", "/v1.41/services/svc1/update", 200, """{"Warnings":null}""");
        var (code, output, error) = await manager.RunAsync(null, "service", "update", "--image", "nginx:broken", "web");
        Assert.Equal((1, "web\n"), (code, output.ReplaceLineEndings("\n")));
        Assert.Equal("service update paused: update paused due to failure or early termination of task t9\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Rollback_to_a_version_asks_the_manager_for_that_version_at_the_current_service_version()
    {
        using var manager = Manager().On("POST", "/eventswarm/v1/services/svc1/rollback", 200, """{"Warnings":[]}""");
        var (code, output, error) = await manager.RunAsync(null, "service", "rollback", "--to-version", "1", "-d", "web");
        Assert.True(code == 0, error);
        Assert.Equal("web\n", output.ReplaceLineEndings("\n"));
        var (_, path, _) = Assert.Single(manager.Requests, r => r.Method == "POST");
        Assert.Equal("/eventswarm/v1/services/svc1/rollback?to-version=1&version=7", path);
    }

    [Fact]
    public async Task Rollback_to_a_version_the_history_lacks_is_the_managers_refusal()
    {
        using var manager = Manager().On("POST", "/eventswarm/v1/services/svc1/rollback", 400, """{"message":"service web has no version 5"}""");
        var (code, output, error) = await manager.RunAsync(null, "service", "rollback", "--to-version", "5", "web");
        Assert.Equal((1, ""), (code, output));
        Assert.Equal("Error response from daemon: service web has no version 5\n", error.ReplaceLineEndings("\n"));
        Assert.StartsWith("invalid argument \"-1\" for \"--to-version\" flag: strconv.ParseUint",
            await Cli.RefusedAsync(125, "service", "rollback", "--to-version", "-1", "web"));
    }

    [Fact]
    public async Task History_of_a_version_it_lacks_is_refused_by_name()
    {
        using var manager = Manager();
        var (code, _, error) = await manager.RunAsync(null, "service", "history", "--version", "9", "web");
        Assert.Equal(1, code);
        Assert.Equal("service web has no version 9 in its history\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void History_is_a_table_of_versions_oldest_first()
    {
        var history = SpecHistory.Parse(History);
        using var output = new StringWriter();
        ServiceHistoryCommand.Write(history, new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), output);
        Assert.Equal(
            "VERSION   WHEN                WHO       COMMAND         CHANGES\n" +
            "1         About an hour ago   root      CreateService   \n" +
            "2         30 minutes ago      alice     UpdateService   Image: nginx:1 -> nginx:2; Replicas: 1 -> 3\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task History_version_prints_that_spec_as_indented_json()
    {
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "service", "history", "--version", "1", "web");
        Assert.True(code == 0, error);
        Assert.StartsWith("{\n  \"Name\": \"web\",\n", output.ReplaceLineEndings("\n"));
        Assert.Equal("nginx:1", JsonDocument.Parse(output).RootElement.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Image").GetString());
        var (listed, table, _) = await manager.RunAsync(null, "service", "history", "web");
        Assert.Equal(0, listed);
        Assert.StartsWith("VERSION   WHEN", table);
        Assert.Contains("UpdateService   Image: nginx:1 -> nginx:2; Replicas: 1 -> 3", table);
    }
}
