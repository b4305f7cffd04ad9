extern alias node;
using System.Text;
using System.Text.Json;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Configs;
using node::EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.UnitTests.Cli.Configs;

/// <summary><c>config create|ls|inspect|rm|rotate</c>: as the secret verbs, with docker's differences (no driver, data shown).</summary>
public sealed class Config_commands_Tests
{
    private static readonly DateTime Now = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private static Func<Stream> Stdin(string text) => () => new MemoryStream(Encoding.UTF8.GetBytes(text));

    private static StoredObject Config(string json) => JsonSerializer.Deserialize<StoredObject>(json, node::EventSwarm.Node.Api.DockerJson.Options)!;

    private static readonly StoredObject Nginx = Config("""
        {"ID":"cfg1","CreatedAt":"2024-05-01T11:59:30Z","UpdatedAt":"2024-05-01T11:59:30Z",
         "Spec":{"Name":"nginx.conf","Labels":{"lbl1":"value1"},"Data":"cGF5bG9hZCBoZXJl"},"DataVersion":3,
         "Tasks":[{"ID":"t1","ServiceID":"s","NodeID":"n","DataVersion":3}]}
        """);

    [Fact]
    public void Config_create_sends_the_data_as_base64_and_no_driver()
    {
        var (verb, result) = Cli.Parse<ConfigCreateCommand>("config", "create", "--template-driver", "golang", "-l", "app=web", "nginx.conf", "-");
        Assert.Equal("""{"Name":"nginx.conf","Labels":{"app":"web"},"Data":"cGF5bG9hZA==","Templating":{"Name":"golang"}}""",
            StoredObjects.Body(verb.Spec(result, Stdin("payload"))));
    }

    [Fact]
    public void Config_create_words_a_read_error_as_docker()
    {
        var (verb, result) = Cli.Parse<ConfigCreateCommand>("config", "create", "x", "-");
        Assert.Equal("error reading content from \"-\": error reading from STDIN: data is empty", Assert.Throws<UsageException>(() => verb.Spec(result, Stdin(""))).Message);
        (verb, result) = Cli.Parse<ConfigCreateCommand>("config", "create", "x", "/nonexistent/c");
        Assert.Equal("error reading content from \"/nonexistent/c\": error reading from /nonexistent/c: open /nonexistent/c: no such file or directory",
            Assert.Throws<UsageException>(() => verb.Spec(result, Stdin(""))).Message);
    }

    [Fact]
    public async Task Config_create_takes_exactly_a_name_and_a_file()
    {
        Assert.Equal("eventswarm: 'eventswarm config create' requires 2 arguments\n\nUsage:  eventswarm config create [OPTIONS] CONFIG file|-\n\n"
            + "Run 'eventswarm config create --help' for more information\n", (await Cli.RefusedAsync(1, "config", "create", "x")).ReplaceLineEndings("\n"));
        Assert.DoesNotContain("--driver", await Cli.HelpAsync("config", "create"));
    }

    [Fact]
    public void Config_ls_prints_dockers_table_without_a_driver_column()
    {
        var (verb, result) = Cli.Parse<ConfigLsCommand>("config", "ls");
        using var output = new StringWriter();
        verb.Write(result, output, [Nginx], Now);
        Assert.Equal("ID        NAME         CREATED          UPDATED\ncfg1      nginx.conf   30 seconds ago   30 seconds ago\n", output.ToString());
        using var json = new StringWriter();
        (verb, result) = Cli.Parse<ConfigLsCommand>("config", "ls", "--format", "{{json .}}");
        verb.Write(result, json, [Nginx], Now);
        Assert.Equal("""{"CreatedAt":"30 seconds ago","ID":"cfg1","Labels":"lbl1=value1","Name":"nginx.conf","UpdatedAt":"30 seconds ago"}""" + "\n", json.ToString());
        Assert.Equal("/v1.41/configs?filters=" + Uri.EscapeDataString("""{"name":{"nginx.conf":true}}"""), Cli.Parse<ConfigLsCommand>("config", "ls", "-f", "name=nginx.conf") is var (ls, parsed) ? ls.Request(parsed) : "");
    }

    [Fact]
    public void Config_inspect_pretty_is_dockers_layout_ending_with_the_data()
    {
        Assert.Equal("ID:\t\t\tcfg1\nName:\t\t\tnginx.conf\nLabels:\n - lbl1=value1\nCreated at:            \t2024-05-01 11:59:30 +0000 utc\n"
            + "Updated at:            \t2024-05-01 11:59:30 +0000 utc\nVersion:               \t3\nTasks on older versions:\t0 of 1\nData:\npayload here", ConfigInspectCommand.Pretty(Nginx));
        // docker's golden file for an Engine's config (no version).
        var docker = Config("""{"ID":"configID","Spec":{"Name":"configName","Labels":{"lbl1":"value1"},"Data":"cGF5bG9hZCBoZXJl"}}""");
        Assert.Equal("ID:\t\t\tconfigID\nName:\t\t\tconfigName\nLabels:\n - lbl1=value1\nCreated at:            \t0001-01-01 00:00:00 +0000 utc\n"
            + "Updated at:            \t0001-01-01 00:00:00 +0000 utc\nData:\npayload here", ConfigInspectCommand.Pretty(docker));
    }

    [Fact]
    public async Task Config_rotate_posts_to_eventswarms_route_and_prints_the_version()
    {
        using var manager = new FakeManager().On("POST", "/eventswarm/v1/configs/nginx.conf/rotate", 200, """{"ID":"cfg1","DataVersion":4}""");
        var (code, output, error) = await manager.RunAsync("server {}", "config", "rotate", "nginx.conf", "-");
        Assert.Equal((0, "nginx.conf rotated to version 4\n", ""), (code, output, error));
        Assert.Equal("""{"Data":"c2VydmVyIHt9"}""", Assert.Single(manager.Requests).Body);
    }

    [Fact]
    public async Task Config_rm_and_inspect_pretty_run_against_the_manager()
    {
        using var manager = new FakeManager()
            .On("DELETE", "/v1.41/configs/a", 204, "")
            .On("GET", "/v1.41/configs/cfg1", 200, """{"ID":"cfg1","Spec":{"Name":"c","Labels":{},"Data":"eAo="}}""");
        Assert.Equal((0, "a\n", ""), await manager.RunAsync(null, "config", "remove", "a"));
        var (code, output, _) = await manager.RunAsync(null, "config", "inspect", "--pretty", "cfg1");
        Assert.Equal(0, code);
        Assert.EndsWith("Data:\nx\n\n", output);
    }
}
