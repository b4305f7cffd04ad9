extern alias node;
using System.Text;
using System.Text.Json;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.UnitTests.Cli.Secrets;

/// <summary><c>secret create|ls|inspect|rm|rotate</c>: what each line sends and prints, docker's words for what it refuses.</summary>
public sealed class Secret_commands_Tests : IDisposable
{
    private static readonly DateTime Now = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private static Func<Stream> Stdin(string text) => () => new MemoryStream(Encoding.UTF8.GetBytes(text));

    /// <summary>Three secrets as a manager lists them, out of name order (docker's test data: 1-foo, 10-foo, 2-foo).</summary>
    public static List<StoredObject> Canned() => JsonSerializer.Deserialize<List<StoredObject>>("""
        [
          {"ID":"ID-10-foo","Version":{"Index":12},"CreatedAt":"2024-05-01T10:00:00.123456789Z","UpdatedAt":"2024-05-01T11:00:00Z",
           "Spec":{"Name":"10-foo","Labels":{},"Driver":{"Name":"driver"}}},
          {"ID":"ID-1-foo","Version":{"Index":11},"CreatedAt":"2024-05-01T10:00:00Z","UpdatedAt":"2024-05-01T11:00:00Z",
           "Spec":{"Name":"1-foo","Labels":{"label":"label-bar","a":"b"}},"DataVersion":2,
           "Tasks":[{"ID":"t1","ServiceID":"s1","NodeID":"n1","DataVersion":1},{"ID":"t2","ServiceID":"s1","NodeID":"n2","DataVersion":2}]},
          {"ID":"ID-2-foo","Version":{"Index":13},"CreatedAt":"2024-05-01T10:00:00Z","UpdatedAt":"2024-05-01T11:00:00Z",
           "Spec":{"Name":"2-foo","Labels":{},"Driver":{"Name":"driver"}}}
        ]
        """, node::EventSwarm.Node.Api.DockerJson.Options)!.OrderBy(s => s.Spec.Name, NaturalOrder.Instance).ToList();

    [Fact]
    public void Secret_create_sends_the_files_bytes_as_base64_with_its_name_and_labels()
    {
        File.WriteAllText(_file, "admin123\n");
        var (verb, result) = Cli.Parse<SecretCreateCommand>("secret", "create", "-l", "env=prod", "--label", "team", "my-pw", _file);
        Assert.Equal("""{"Name":"my-pw","Labels":{"env":"prod","team":""},"Data":"YWRtaW4xMjMK"}""", StoredObjects.Body(verb.Spec(result, Stdin(""))));
    }

    [Fact]
    public void Secret_create_reads_standard_input_for_a_dash()
    {
        var (verb, result) = Cli.Parse<SecretCreateCommand>("secret", "create", "my-pw2", "-");
        Assert.Equal("adminadmin\n", Encoding.UTF8.GetString(verb.Spec(result, Stdin("adminadmin\n")).Data!));
    }

    [Fact]
    public void Secret_create_with_a_driver_sends_no_data_and_a_template_driver_as_templating()
    {
        var (verb, result) = Cli.Parse<SecretCreateCommand>("secret", "create", "-d", "vault", "--template-driver", "golang", "db-pw");
        Assert.Equal("""{"Name":"db-pw","Labels":{},"Driver":{"Name":"vault"},"Templating":{"Name":"golang"}}""", StoredObjects.Body(verb.Spec(result, Stdin(""))));
    }

    [Theory]
    [InlineData("secret file is required", "secret", "create", "x")]
    [InlineData("when using secret driver secret data must be empty", "secret", "create", "-d", "vault", "x", "-")]
    [InlineData("error reading from STDIN: data is empty", "secret", "create", "x", "-")]
    [InlineData("error reading from /nonexistent/pw: open /nonexistent/pw: no such file or directory", "secret", "create", "x", "/nonexistent/pw")]
    public void Secret_create_refuses_what_docker_refuses_in_its_words(string error, params string[] args)
    {
        var (verb, result) = Cli.Parse<SecretCreateCommand>(args);
        var refused = Assert.Throws<UsageException>(() => verb.Spec(result, Stdin("")));
        Assert.Equal((error, 1), (refused.Message, refused.ExitCode));
    }

    [Fact]
    public void An_empty_file_is_refused_by_its_name()
    {
        var (verb, result) = Cli.Parse<SecretCreateCommand>("secret", "create", "x", _file);
        Assert.Equal($"error reading from {_file}: data is empty", Assert.Throws<UsageException>(() => verb.Spec(result, Stdin(""))).Message);
    }

    [Fact]
    public void Secret_ls_prints_dockers_table_in_natural_name_order_with_ages()
    {
        var (verb, result) = Cli.Parse<SecretLsCommand>("secret", "ls");
        using var output = new StringWriter();
        verb.Write(result, output, Canned(), Now);
        Assert.Equal("""
            ID          NAME      DRIVER    CREATED       UPDATED
            ID-1-foo    1-foo               2 hours ago   About an hour ago
            ID-2-foo    2-foo     driver    2 hours ago   About an hour ago
            ID-10-foo   10-foo    driver    2 hours ago   About an hour ago

            """.ReplaceLineEndings("\n"), output.ToString());
    }

    [Fact]
    public void Secret_ls_quiet_prints_ids_and_a_template_prints_dockers_fields()
    {
        using var quiet = new StringWriter();
        var (verb, result) = Cli.Parse<SecretLsCommand>("secret", "ls", "-q");
        verb.Write(result, quiet, Canned(), Now);
        Assert.Equal("ID-1-foo\nID-2-foo\nID-10-foo\n", quiet.ToString());

        using var template = new StringWriter();
        (verb, result) = Cli.Parse<SecretLsCommand>("secret", "ls", "--format", "{{.Name}} {{.Labels}}", "-q");
        verb.Write(result, template, Canned(), Now);
        Assert.Equal("1-foo a=b,label=label-bar\n2-foo \n10-foo \n", template.ToString());

        using var json = new StringWriter();
        (verb, result) = Cli.Parse<SecretLsCommand>("secret", "ls", "--format", "json");
        verb.Write(result, json, Canned()[..1], Now);
        Assert.Equal("""{"CreatedAt":"2 hours ago","Driver":"","ID":"ID-1-foo","Labels":"a=b,label=label-bar","Name":"1-foo","UpdatedAt":"About an hour ago"}""" + "\n", json.ToString());

        using var table = new StringWriter();
        (verb, result) = Cli.Parse<SecretLsCommand>("secret", "ls", "--format", "table {{.Name}}\t{{.CreatedAt}}");
        verb.Write(result, table, Canned()[..1], Now);
        Assert.Equal("NAME      CREATED\n1-foo     2 hours ago\n", table.ToString());
    }

    [Fact]
    public void Secret_ls_sends_its_filters_as_the_apis_filters_query()
    {
        var (verb, result) = Cli.Parse<SecretLsCommand>("secret", "ls", "-f", "name=my-pw", "--filter", "label=env");
        Assert.Equal("/v1.41/secrets?filters=" + Uri.EscapeDataString("""{"name":{"my-pw":true},"label":{"env":true}}"""), verb.Request(result));
        (verb, result) = Cli.Parse<SecretLsCommand>("secret", "list");
        Assert.Equal("/v1.41/secrets", verb.Request(result));
    }

    [Fact]
    public void Secret_inspect_pretty_is_dockers_layout_with_the_version_and_the_tasks_behind()
    {
        Assert.Equal("""
            ID:              ID-1-foo
            Name:              1-foo
            Labels:
             - a=b
             - label=label-bar
            Driver:            
            Created at:        2024-05-01 10:00:00 +0000 utc
            Updated at:        2024-05-01 11:00:00 +0000 utc
            Version:           2
            Tasks on older versions: 1 of 2
            """.ReplaceLineEndings("\n"), SecretInspectCommand.Pretty(Canned()[0]));
        // A Docker Engine's answer has no version: docker's layout alone; Go's time keeps its fraction.
        Assert.EndsWith("Driver:            driver\nCreated at:        2024-05-01 10:00:00.1234567 +0000 utc\nUpdated at:        2024-05-01 11:00:00 +0000 utc",
            SecretInspectCommand.Pretty(Canned()[2]));
    }

    [Fact]
    public void Secret_inspect_takes_pretty_as_docker_and_refuses_a_template_after_it()
    {
        var (verb, result) = Cli.Parse<SecretInspectCommand>("secret", "inspect", "-f", "pretty", "x");
        Assert.True(verb.IsPretty(result));
        (verb, result) = Cli.Parse<SecretInspectCommand>("secret", "inspect", "--pretty", "-f", "{{.ID}}", "x");
        Assert.True(verb.IsPretty(result));
        (verb, result) = Cli.Parse<SecretInspectCommand>("secret", "inspect", "-f", "pretty {{.ID}}", "x");
        Assert.Equal("cannot supply extra formatting options to the pretty template", Assert.Throws<UsageException>(() => verb.IsPretty(result)).Message);
    }

    [Fact]
    public void Secret_rotate_sends_the_new_data_for_the_name_given()
    {
        var (verb, result) = Cli.Parse<SecretRotateCommand>("secret", "rotate", "my-pw2", "-");
        var (name, data) = verb.Request(result, Stdin("newpass\n"));
        Assert.Equal(("my-pw2", "newpass\n"), (name, Encoding.UTF8.GetString(data)));
        Assert.Equal("/eventswarm/v1/secrets/my-pw2/rotate", StoredKind.Secret.RotatePath("my-pw2"));
    }

    [Fact]
    public async Task Secret_verbs_count_their_arguments_as_docker()
    {
        Assert.Equal("eventswarm: 'eventswarm secret create' requires at least 1 and at most 2 arguments\n\nUsage:  eventswarm secret create [OPTIONS] SECRET [file|-]\n\n"
            + "Run 'eventswarm secret create --help' for more information\n", (await Cli.RefusedAsync(1, "secret", "create")).ReplaceLineEndings("\n"));
        Assert.StartsWith("eventswarm: 'eventswarm secret create' requires at least 1 and at most 2 arguments\n", await Cli.RefusedAsync(1, "secret", "create", "a", "b", "c"));
        Assert.StartsWith("eventswarm: 'eventswarm secret ls' accepts no arguments\n", await Cli.RefusedAsync(1, "secret", "ls", "x"));
        Assert.StartsWith("eventswarm: 'eventswarm secret rm' requires at least 1 argument\n", await Cli.RefusedAsync(1, "secret", "rm"));
        Assert.StartsWith("eventswarm: 'eventswarm secret inspect' requires at least 1 argument\n", await Cli.RefusedAsync(1, "secret", "inspect"));
        Assert.StartsWith("eventswarm: 'eventswarm secret rotate' requires 2 arguments\n", await Cli.RefusedAsync(1, "secret", "rotate", "x"));
    }

    [Fact]
    public async Task Secret_create_posts_the_spec_and_prints_the_new_id()
    {
        using var manager = new FakeManager().On("POST", "/v1.41/secrets/create", 201, """{"ID":"ktnbjxoalbkvbvedmg1urrz8h"}""");
        var (code, output, error) = await manager.RunAsync("adminadmin\n", "secret", "create", "my-pw2", "-");
        Assert.Equal((0, "ktnbjxoalbkvbvedmg1urrz8h\n", ""), (code, output, error));
        Assert.Equal("""{"Name":"my-pw2","Labels":{},"Data":"YWRtaW5hZG1pbgo="}""", Assert.Single(manager.Requests).Body);
    }

    [Fact]
    public async Task Secret_rm_prints_each_removed_and_each_refusal_and_fails_if_any_did()
    {
        using var manager = new FakeManager()
            .On("DELETE", "/v1.41/secrets/my-pw", 204, "")
            .On("DELETE", "/v1.41/secrets/used", 400, """{"message":"rpc error: code = InvalidArgument desc = secret 'used' is in use by the following service: client"}""");
        var (code, output, error) = await manager.RunAsync(null, "secret", "rm", "used", "my-pw");
        Assert.Equal((1, "my-pw\n"), (code, output));
        Assert.Equal("Error response from daemon: rpc error: code = InvalidArgument desc = secret 'used' is in use by the following service: client\n", error);
    }

    [Fact]
    public async Task Secret_inspect_prints_the_managers_json_with_our_fields_and_reports_the_unknown()
    {
        using var manager = new FakeManager()
            .On("GET", "/v1.41/secrets/my-pw2", 200, """{"ID":"abc","Spec":{"Name":"my-pw2","Labels":{}},"DataVersion":3,"Tasks":[{"ID":"t1","ServiceID":"s","NodeID":"n","DataVersion":2}]}""");
        var (code, output, error) = await manager.RunAsync(null, "secret", "inspect", "-f", "{{.Spec.Name}} v{{.DataVersion}} {{len .Tasks}}", "my-pw2", "nope");
        Assert.Equal((1, "my-pw2 v3 1\n"), (code, output));
        Assert.Equal("Error response from daemon: no such route: /v1.41/secrets/nope\n", error);
        (code, output, _) = await manager.RunAsync(null, "secret", "inspect", "my-pw2");
        Assert.Equal(0, code);
        Assert.Equal(3, JsonDocument.Parse(output).RootElement[0].GetProperty("DataVersion").GetInt32());
        (code, output, error) = await manager.RunAsync(null, "secret", "inspect", "nope");
        Assert.Equal((1, "[]\n", "Error response from daemon: no such route: /v1.41/secrets/nope\n"), (code, output, error));
    }

    [Fact]
    public async Task Secret_rotate_prints_the_new_version()
    {
        using var manager = new FakeManager().On("POST", "/eventswarm/v1/secrets/my-pw2/rotate", 200, """{"ID":"abc","DataVersion":2}""");
        var (code, output, error) = await manager.RunAsync("newpass", "secret", "rotate", "my-pw2", "-");
        Assert.Equal((0, "my-pw2 rotated to version 2\n", ""), (code, output, error));
        Assert.Equal("""{"Data":"bmV3cGFzcw=="}""", Assert.Single(manager.Requests).Body);
    }
}
