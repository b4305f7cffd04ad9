using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.EngineApi;

/// <summary>
/// What EventSwarm does not own goes to the node's own Docker Engine, so that its socket stands in for the
/// engine's for every docker command: containers, exec and attach (hijacked streams), logs, images, volumes.
/// </summary>
public sealed class Engine_pass_through_Tests
{
    private static readonly string Label = "eventswarm.test=engine-pass-through";

    [Fact]
    public async Task Containers_exec_attach_logs_images_and_volumes_work_through_EventSwarms_socket()
    {
        await using var agent = await LocalAgent.StartAsync();
        var name = $"es-pass-{Guid.NewGuid():N}"[..20];
        var volume = $"es-vol-{Guid.NewGuid():N}"[..20];
        try
        {
            (await agent.Docker("run", "-d", "--label", Label, "--name", name, "busybox:latest", "sh", "-c", "echo started; sleep 300")).ShouldSucceed();
            Assert.Contains(name, (await agent.Docker("ps", "--format", "{{.Names}}")).ShouldSucceed().Output);

            // Hijacked streams: exec's output and exit code, attach's output (docker run without -d), stdin's end.
            // The output of an exec whose client half-closed at once must all arrive, every time (issue 10: a
            // held-back half-close delivered at the stream's end aborted the connection before its last bytes).
            for (var i = 0; i < 10; i++)
                Assert.Equal("hi\n", (await agent.Docker("exec", name, "echo", "hi")).ShouldSucceed().Output);
            // The client's half-close is stdin's end: `cat` ends and its output comes back whole.
            var piped = await CommandResult.RunAsync("sh", ["-c", $"printf 'one\\ntwo\\n' | docker exec -i {name} cat"],
                new Dictionary<string, string> { ["DOCKER_HOST"] = agent.Host });
            Assert.Equal("one\ntwo\n", piped.ShouldSucceed().Output);
            Assert.Equal(3, (await agent.Docker("exec", name, "sh", "-c", "echo oops >&2; exit 3")).ExitCode);
            Assert.Equal("hello\n", (await agent.Docker("run", "--rm", "--label", Label, "busybox:latest", "echo", "hello")).ShouldSucceed().Output);

            await Eventually.True(async () => (await agent.Docker("logs", name)).Output.Contains("started"), TimeSpan.FromSeconds(10), "the container's log");
            Assert.Contains("busybox", (await agent.Docker("images", "--format", "{{.Repository}}:{{.Tag}}")).ShouldSucceed().Output);

            (await agent.Docker("volume", "create", "--label", Label, volume)).ShouldSucceed();
            Assert.Contains(volume, (await agent.Docker("volume", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
            (await agent.Docker("volume", "rm", volume)).ShouldSucceed();
            Assert.DoesNotContain(volume, (await agent.Docker("volume", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
        }
        finally
        {
            await CommandResult.RunAsync("docker", ["rm", "-f", name], new Dictionary<string, string>());
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
