extern alias node;
using System.Text.Json;
using node::EventSwarm.Node.Api.Stacks;

namespace EventSwarm.UnitTests.Cli.Stacks;

/// <summary>
/// <c>stack deploy</c> end to end against a fake manager: real compose files read by the loader, converted, sent as
/// ONE request (read back with <see cref="StackWire.FromRequest"/>), the manager's answer printed as docker's lines.
/// These need ComposeLoader, ComposeConverter and StackWire (written by their own parts of issue 14).
/// </summary>
public sealed class StackDeploy_compose_Tests : IDisposable
{
    private const string Tutorial = """
        version: '3'

        services:
          web:
            image: wordpress
            ports:
              - 8080:80
            environment:
              WORDPRESS_DB_HOST: mysql
              WORDPRESS_DB_PASSWORD: root
            networks:
              - my-network
            depends_on:
              - mysql
            deploy:
              mode: replicated
              replicas: 3
              restart_policy:
                condition: on-failure
                delay: 5s
                max_attempts: 3
              update_config:
                parallelism: 1
                delay: 10s

          mysql:
            image: mysql:5.7
            environment:
              MYSQL_ROOT_PASSWORD: root
              MYSQL_DATABASE: wordpress
            volumes:
              - mysql-data:/var/lib/mysql
            networks:
              - my-network
            deploy:
              mode: global
              placement:
                constraints: [node.role == manager]

        volumes:
          mysql-data:

        networks:
          my-network:
            driver: overlay
        """;

    private const string Created = """
        {"Version":1,"Changes":[
          {"Kind":"network","Name":"wordpress_my-network","Id":"net1","Action":"created"},
          {"Kind":"service","Name":"wordpress_web","Id":"svc2","Action":"created"},
          {"Kind":"service","Name":"wordpress_mysql","Id":"svc1","Action":"created"}]}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("stack-deploy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Lines(string text) => text.ReplaceLineEndings("\n");

    private static FakeManager Manager(string stack = "wordpress", string answer = Created) =>
        new FakeManager().On("POST", $"/eventswarm/v1/stacks/{stack}/deploy", 200, answer);

    private static (EventSwarm.Domain.Stacks.StackSpec Spec, bool Prune) Sent(FakeManager manager)
    {
        var (_, _, body) = Assert.Single(manager.Requests);
        using var json = JsonDocument.Parse(body);
        return StackWire.FromRequest(json.RootElement);
    }

    [Fact]
    public async Task The_tutorials_file_goes_to_the_manager_in_one_request_and_its_changes_print_as_dockers()
    {
        var file = Write("docker-compose.yml", Tutorial);
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "deploy", "--compose-file=" + file, "wordpress");
        Assert.True(code == 0, error);
        Assert.Equal("Creating network wordpress_my-network\nCreating service wordpress_mysql\nCreating service wordpress_web\n", Lines(output));
        Assert.Contains("Since --detach=false was not specified, tasks will be created in the background.\n", Lines(error));
        var (method, path, _) = Assert.Single(manager.Requests);
        Assert.Equal(("POST", "/eventswarm/v1/stacks/wordpress/deploy"), (method, path));
        var (spec, prune) = Sent(manager);
        Assert.False(prune);
        Assert.Equal("wordpress", spec.Name);
        Assert.Equal(["wordpress_mysql", "wordpress_web"], spec.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Contains(spec.Networks, n => n.Name == "wordpress_my-network");
        Assert.Equal(file, Assert.Single(spec.Files).Path);
    }

    [Fact]
    public async Task Prune_is_sent_with_the_stack_and_a_pruned_service_prints_first()
    {
        var file = Write("docker-compose.yml", Tutorial);
        using var manager = Manager(answer: """
            {"Version":2,"Changes":[{"Kind":"service","Name":"wordpress_old","Id":"svc0","Action":"removed"},
              {"Kind":"service","Name":"wordpress_web","Id":"svc2","Action":"updated"},{"Kind":"service","Name":"wordpress_mysql","Id":"svc1","Action":"unchanged"}]}
            """);
        var (code, output, error) = await manager.RunAsync(null, "stack", "deploy", "-d", "--prune", "-c", file, "wordpress");
        Assert.True(code == 0, error);
        Assert.Equal("Removing service wordpress_old\nUpdating service wordpress_web (id: svc2)\n", Lines(output));
        Assert.DoesNotContain("Since --detach=false", error);
        Assert.True(Sent(manager).Prune);
    }

    [Fact]
    public async Task The_loaders_warnings_go_to_stderr_before_dockers_detach_notice()
    {
        var file = Write("docker-compose.yml", "version: '3'\nservices:\n  web:\n    image: nginx\n    build: .\n");
        using var manager = Manager(stack: "site");
        var (code, _, error) = await manager.RunAsync(null, "stack", "deploy", "-c", file, "site");
        Assert.True(code == 0, error);
        var warning = Lines(error).IndexOf("Ignoring unsupported options: build\n\n", StringComparison.Ordinal);
        Assert.True(warning >= 0, error);
        Assert.True(warning < Lines(error).IndexOf("Since --detach=false", StringComparison.Ordinal), error);
        Assert.Equal(["site_web"], Sent(manager).Spec.Services.Select(s => s.Name));
    }

    [Fact]
    public async Task A_compose_file_on_standard_input_is_read_with_dash()
    {
        using var manager = Manager();
        var (code, _, error) = await manager.RunAsync(Tutorial, "stack", "deploy", "-c", "-", "wordpress");
        Assert.True(code == 0, error);
        Assert.Equal(2, Sent(manager).Spec.Services.Length);
    }

    [Fact]
    public async Task A_compose_file_refused_by_the_loader_is_its_message_exit_1_and_nothing_sent()
    {
        var file = Write("bad.yml", "version: '3'\nservices:\n  web:\n    image: [unclosed\n");
        using var manager = Manager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "deploy", "-d", "-c", file, "wordpress");
        Assert.Equal((1, ""), (code, output));
        Assert.Contains("bad.yml", error);
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task A_compose_file_that_does_not_exist_is_an_error_naming_it_and_nothing_sent()
    {
        using var manager = Manager();
        var missing = Path.Combine(_dir, "missing.yml");
        var (code, output, error) = await manager.RunAsync(null, "stack", "deploy", "-d", "-c", missing, "wordpress");
        Assert.Equal((1, ""), (code, output));
        Assert.Contains("missing.yml", error);
        Assert.DoesNotContain("Cannot connect", error);
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task The_managers_refusal_is_dockers_error_response_and_exit_1()
    {
        var file = Write("docker-compose.yml", Tutorial);
        using var manager = new FakeManager()
            .On("POST", "/eventswarm/v1/stacks/wordpress/deploy", 400, """{"message":"network \"backend\" is declared as external, but could not be found"}""");
        var (code, output, error) = await manager.RunAsync(null, "stack", "deploy", "-d", "-c", file, "wordpress");
        Assert.Equal((1, ""), (code, output));
        Assert.Equal("Error response from daemon: network \"backend\" is declared as external, but could not be found\n", Lines(error));
    }
}
