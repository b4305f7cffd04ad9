using System.Net;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;
using EventSwarm.IntegrationTests.Cluster;
using static EventSwarm.IntegrationTests.Stacks.StackApi;

namespace EventSwarm.IntegrationTests.Stacks;

/// <summary>A stack refused whole: the refusal names the object, nothing of the stack exists, the log is as long as before.</summary>
public sealed class Stack_api_bad_input_Tests(SwarmOfOne fixture) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => fixture.Agent;

    private async Task RefusedAsync(StackSpec spec, HttpStatusCode expected, string message)
    {
        var before = await Agent.LogLengthAsync();

        var (status, body, text) = await Agent.DeployAsync(spec);

        Assert.True(status == expected, $"{status} {text}");
        Assert.Contains(message, body.Message());
        Assert.Equal(before, await Agent.LogLengthAsync());
        Assert.DoesNotContain($"{spec.Name}_", (await Agent.Docker("network", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
        Assert.DoesNotContain($"{spec.Name}_", (await Agent.Docker("service", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
    }

    [Fact]
    public async Task A_service_without_an_image_is_a_400_naming_it()
    {
        var web = BusyboxService("bad1", "web");
        await RefusedAsync(new StackSpec
        {
            Name = "bad1",
            Networks = [new NetworkSpec { Name = "bad1_net" }],
            Services = [web with { TaskTemplate = web.TaskTemplate with { Container = web.TaskTemplate.Container with { Image = "" } } }],
        }, HttpStatusCode.BadRequest, "service bad1_web: ContainerSpec: image reference must be provided");
    }

    [Fact]
    public async Task A_missing_external_network_is_refused_in_dockers_words()
    {
        await RefusedAsync(new StackSpec
        {
            Name = "bad2",
            Networks = [new NetworkSpec { Name = "bad2_net" }],
            ExternalNetworks = ["no-such-net"],
            Services = [BusyboxService("bad2", "web", network: "no-such-net")],
        }, HttpStatusCode.BadRequest, "network \"no-such-net\" is declared as external, but could not be found");
    }

    [Fact]
    public async Task A_port_taken_by_another_service_refuses_the_whole_stack()
    {
        (await Agent.Docker("service", "create", "--name", "port-holder", "--replicas", "0", "-p", "18181:80", "busybox", "sleep", "3600")).ShouldSucceed();
        try
        {
            await RefusedAsync(new StackSpec
            {
                Name = "bad3",
                Networks = [new NetworkSpec { Name = "bad3_net" }],
                Secrets = [Secret("bad3_pw", "x")],
                Services = [BusyboxService("bad3", "db", network: "bad3_net"), BusyboxService("bad3", "web", network: "bad3_net", publish: 18181)],
            }, HttpStatusCode.Conflict, "service bad3_web: port '18181' is already in use by service 'port-holder'");
            Assert.DoesNotContain("bad3_pw", (await Agent.Docker("secret", "ls", "--format", "{{.Name}}")).ShouldSucceed().Output);
        }
        finally
        {
            await Agent.Docker("service", "rm", "port-holder");
        }
    }

    [Fact]
    public async Task Removing_a_stack_that_does_not_exist_is_Nothing_found_in_stack()
    {
        var before = await Agent.LogLengthAsync();

        var (status, body, _) = await Agent.SendAsync(HttpMethod.Delete, "/eventswarm/v1/stacks/never-deployed");

        Assert.Equal((HttpStatusCode.NotFound, "Nothing found in stack: never-deployed"), (status, body.Message()));
        Assert.Equal(before, await Agent.LogLengthAsync());
    }
}
