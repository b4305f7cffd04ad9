using System.Net;
using System.Text.Json;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Stacks;
using EventSwarm.IntegrationTests.Cluster;
using static EventSwarm.IntegrationTests.Stacks.StackApi;

namespace EventSwarm.IntegrationTests.Stacks;

/// <summary>
/// The native stack endpoints on one real node: a deploy is one command (one batch in the log), a redeploy an
/// update with a history, a rollback a new version, and a removal leaves nothing of the stack behind.
/// </summary>
public sealed class Stack_api_Tests(SwarmOfOne fixture) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => fixture.Agent;

    private static StackSpec TwoServices(string stack, string webImage = "busybox") => new()
    {
        Name = stack,
        Networks = [new NetworkSpec { Name = $"{stack}_net" }],
        Secrets = [Secret($"{stack}_pw", "hunter2-plaintext")],
        Services =
        [
            BusyboxService(stack, "web", webImage, network: $"{stack}_net", secret: $"{stack}_pw"),
            BusyboxService(stack, "db", network: $"{stack}_net", secret: $"{stack}_pw"),
        ],
        Files = [new StackFile("docker-compose.yml", "0123")],
    };

    [Fact]
    public async Task Deploy_ls_history_redeploy_rollback_and_rm_leave_nothing_behind()
    {
        var before = await Agent.LogLengthAsync();
        var (status, body, text) = await Agent.DeployAsync(TwoServices("sta"));
        Assert.True(status == HttpStatusCode.OK, $"{status} {text}");
        Assert.Equal(1, body.GetProperty("Version").GetInt32());
        // One command, one batch: a single entry of the log.
        Assert.Equal(before.Entries + 1, (await Agent.LogLengthAsync()).Entries);

        await Eventually.True(async () => (await Agent.Docker("service", "ps", "sta_web", "--filter", "desired-state=running", "--format", "{{.CurrentState}}")).Output.Contains("Running"),
            TimeSpan.FromSeconds(60), "sta_web running");

        var (_, stacks, _) = await Agent.SendAsync(HttpMethod.Get, "/eventswarm/v1/stacks");
        var summary = stacks.EnumerateArray().Single(s => s.GetProperty("Name").GetString() == "sta");
        Assert.Equal((2, 1), (summary.GetProperty("Services").GetInt32(), summary.GetProperty("Version").GetInt32()));

        (status, body, text) = await Agent.DeployAsync(TwoServices("sta", webImage: "busybox:latest"));
        Assert.True(status == HttpStatusCode.OK, $"{status} {text}");
        Assert.Equal(2, body.GetProperty("Version").GetInt32());

        var (_, history, historyText) = await Agent.SendAsync(HttpMethod.Get, "/eventswarm/v1/stacks/sta/history");
        var versions = history.EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Contains("service sta_web: image busybox -> busybox:latest", versions[1].GetProperty("Changes").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("service sta_web created", versions[0].GetProperty("Changes").EnumerateArray().Select(c => c.GetString()));
        Assert.False(string.IsNullOrEmpty(versions[1].GetProperty("Who").GetString()), historyText);
        Assert.Equal("docker-compose.yml", versions[1].GetProperty("Files")[0].GetProperty("Path").GetString());

        (status, body, text) = await Agent.SendAsync(HttpMethod.Post, "/eventswarm/v1/stacks/sta/rollback");
        Assert.True(status == HttpStatusCode.OK, $"{status} {text}");
        Assert.Equal(3, body.GetProperty("Version").GetInt32());
        Assert.Equal("busybox", (await Agent.Docker("service", "inspect", "sta_web", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")).ShouldSucceed().Output.Trim());

        var (_, _, events) = await Agent.SendAsync(HttpMethod.Get, "/eventswarm/v1/events");
        Assert.DoesNotContain("hunter2-plaintext", events);

        (status, _, text) = await Agent.SendAsync(HttpMethod.Delete, "/eventswarm/v1/stacks/sta");
        Assert.True(status == HttpStatusCode.OK, $"{status} {text}");
        Assert.Empty((await Agent.Docker("service", "ls", "-q", "--filter", $"label={StackSpec.NamespaceLabel}=sta")).ShouldSucceed().Output.Trim());
        Assert.DoesNotContain("sta_net", (await Agent.Docker("network", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
        Assert.DoesNotContain("sta_pw", (await Agent.Docker("secret", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
        var (notFound, gone, _) = await Agent.SendAsync(HttpMethod.Delete, "/eventswarm/v1/stacks/sta");
        Assert.Equal((HttpStatusCode.NotFound, "Nothing found in stack: sta"), (notFound, gone.Message()));
        await Eventually.True(async () => (await Agent.Docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=sta_web")).Output.Trim().Length == 0,
            TimeSpan.FromSeconds(60), "the containers of sta_web gone");
    }

    [Fact]
    public async Task An_unchanged_redeploy_records_nothing_and_answers_the_current_version()
    {
        var spec = TwoServices("stb") with { Services = [BusyboxService("stb", "web")], Networks = [], Secrets = [] };
        var (status, _, text) = await Agent.DeployAsync(spec);
        Assert.True(status == HttpStatusCode.OK, $"{status} {text}");
        var before = await Agent.LogLengthAsync();

        var (again, body, againText) = await Agent.DeployAsync(spec);

        Assert.True(again == HttpStatusCode.OK, $"{again} {againText}");
        Assert.Equal(1, body.GetProperty("Version").GetInt32());
        Assert.Equal("unchanged", body.GetProperty("Changes")[0].GetProperty("Action").GetString());
        // The control loops go on appending (the task being scheduled, started): what must not be there is a
        // decision of the deploy itself.
        var (_, appended, appendedText) = await Agent.SendAsync(HttpMethod.Get, $"/eventswarm/v1/events?since={before.Events}");
        var types = appended.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.True(!types.Contains("stack-deployed") && !types.Contains("service-updated") && !types.Contains("service-scaled"),
            $"an unchanged redeploy appended a decision: {appendedText}");
        (await Agent.SendAsync(HttpMethod.Delete, "/eventswarm/v1/stacks/stb")).Status.ShouldBe(HttpStatusCode.OK);
    }
}

internal static class StatusAssertions
{
    public static void ShouldBe(this HttpStatusCode actual, HttpStatusCode expected) => Assert.Equal(expected, actual);
}
