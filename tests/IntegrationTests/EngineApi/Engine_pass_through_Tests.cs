using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.EngineApi;

/// <summary>
/// What EventSwarm does not own goes to the node's own Docker Engine, so that its socket stands in for the
/// engine's for every docker command: containers, exec and attach (hijacked streams), logs, images, volumes. One
/// agent and one container started through it (<see cref="ContainerThroughEventSwarm"/>) serve the tests that read.
/// </summary>
public sealed class Engine_pass_through_Tests(ContainerThroughEventSwarm fixture) : IClassFixture<ContainerThroughEventSwarm>
{
    internal const string Label = "eventswarm.test=engine-pass-through";

    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public async Task A_container_run_through_EventSwarm_is_listed_by_docker_ps() =>
        Assert.Contains(fixture.Container, (await Agent.Docker("ps", "--format", "{{.Names}}")).ShouldSucceed().Output);

    [Fact]
    public async Task Exec_output_arrives_whole_every_time()
    {
        // Hijacked streams: exec's output. The output of an exec whose client half-closed at once must all arrive,
        // every time (issue 10: a held-back half-close delivered at the stream's end aborted the connection before
        // its last bytes).
        for (var i = 0; i < 10; i++)
            Assert.Equal("hi\n", (await Agent.Docker("exec", fixture.Container, "echo", "hi")).ShouldSucceed().Output);
    }

    [Fact]
    public async Task Exec_stdin_ends_with_the_client_s_half_close()
    {
        // The client's half-close is stdin's end: `cat` ends and its output comes back whole.
        var piped = await CommandResult.RunAsync("sh", ["-c", $"printf 'one\\ntwo\\n' | docker exec -i {fixture.Container} cat"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = Agent.Host });
        Assert.Equal("one\ntwo\n", piped.ShouldSucceed().Output);
    }

    [Fact]
    public async Task Exec_returns_the_command_s_exit_code() =>
        Assert.Equal(3, (await Agent.Docker("exec", fixture.Container, "sh", "-c", "echo oops >&2; exit 3")).ExitCode);

    [Fact]
    public async Task Docker_run_without_detach_attaches_and_prints_the_output() =>
        Assert.Equal("hello\n", (await Agent.Docker("run", "--rm", "--label", Label, "busybox:latest", "echo", "hello")).ShouldSucceed().Output);

    [Fact]
    public async Task A_container_s_logs_come_through() =>
        await Eventually.True(async () => (await Agent.Docker("logs", fixture.Container)).Output.Contains("started"), TimeSpan.FromSeconds(10), "the container's log");

    [Fact]
    public async Task The_engine_s_images_are_listed() =>
        Assert.Contains("busybox", (await Agent.Docker("images", "--format", "{{.Repository}}:{{.Tag}}")).ShouldSucceed().Output);

    [Fact]
    public async Task Volumes_are_created_listed_and_removed_on_the_engine()
    {
        var volume = $"es-vol-{Guid.NewGuid():N}"[..20];
        try
        {
            (await Agent.Docker("volume", "create", "--label", Label, volume)).ShouldSucceed();
            Assert.Contains(volume, (await Agent.Docker("volume", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
            (await Agent.Docker("volume", "rm", volume)).ShouldSucceed();
            Assert.DoesNotContain(volume, (await Agent.Docker("volume", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
        }
        finally
        {
            await CommandResult.RunAsync("docker", ["volume", "rm", "-f", volume], new Dictionary<string, string>());
        }
    }

    [Fact]
    public async Task An_unreachable_engine_is_named_in_dockers_words()
    {
        await using var agent = await LocalAgent.StartAsync("--docker-host", "unix:///nonexistent/docker.sock");
        (await agent.Docker("ps")).ShouldFailWith("Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock");
        using var http = agent.Http();
        using var response = await http.GetAsync("/v1.41/containers/json");
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("Cannot connect to the Docker daemon", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stack_deploy_records_no_digest_for_a_local_image_warns_and_deploys()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        var file = Path.Combine(Path.GetTempPath(), $"es-stack-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, """
            version: "3.8"
            services:
              web:
                image: busybox:latest
                command: ["sleep", "300"]
                labels:
                  eventswarm.test: "stack"
            """);
        try
        {
            (await agent.Docker("stack", "deploy", "-c", file, "smoke")).ShouldSucceed();
            Assert.Contains("smoke_web", (await agent.Docker("service", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
            // The engine answers /distribution/busybox:latest/json as dockerd does with no registry reachable; the
            // CLI then deploys without a digest and, on an update (it prints no warnings of a create), warns.
            var updated = (await agent.Docker("stack", "deploy", "-c", file, "smoke")).ShouldSucceed();
            Assert.True((updated.Error + updated.Output).Contains("could not be accessed on a registry"), updated.Error + updated.Output);
            Assert.Equal("busybox:latest", (await agent.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "smoke_web")).ShouldSucceed().Output.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>An agent outside any swarm and a busybox container started through its socket (`docker run -d`), that prints "started".</summary>
public sealed class ContainerThroughEventSwarm : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;
    public string Container { get; } = $"es-pass-{Guid.NewGuid():N}"[..20];

    public async Task InitializeAsync()
    {
        Agent = await LocalAgent.StartAsync();
        (await Agent.Docker("run", "-d", "--label", Engine_pass_through_Tests.Label, "--name", Container, "busybox:latest", "sh", "-c", "echo started; sleep 300")).ShouldSucceed();
    }

    public async Task DisposeAsync()
    {
        await CommandResult.RunAsync("docker", ["rm", "-f", Container], new Dictionary<string, string>());
        if (Agent is not null) await Agent.DisposeAsync();
    }
}
