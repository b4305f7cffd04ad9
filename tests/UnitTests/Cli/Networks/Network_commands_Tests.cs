extern alias node;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Networks;

namespace EventSwarm.UnitTests.Cli.Networks;

/// <summary><c>network create|ls|inspect|rm</c>.</summary>
public sealed class Network_commands_Tests
{
    [Fact]
    public void Network_create_builds_an_overlay_by_default_with_its_subnet_and_labels()
    {
        var (verb, result) = Cli.Parse<NetworkCreateCommand>("network", "create", "--subnet", "10.0.9.0/24", "--gateway", "10.0.9.1", "--attachable", "--label", "team=a", "demo");
        var request = verb.Request(result);
        Assert.Equal(("demo", "overlay", true, false), (request.Name, request.Driver, request.Attachable, request.Ingress));
        Assert.Equal(("10.0.9.0/24", "10.0.9.1"), (request.IPAM.Config[0].Subnet, request.IPAM.Config[0].Gateway));
        Assert.Equal("a", request.Labels["team"]);
        var (bridge, bridged) = Cli.Parse<NetworkCreateCommand>("network", "create", "-d", "bridge", "x");
        Assert.Equal("bridge", bridge.Request(bridged).Driver);
    }

    [Fact]
    public void A_gateway_without_a_subnet_is_refused_as_docker_does()
    {
        var (verb, result) = Cli.Parse<NetworkCreateCommand>("network", "create", "--gateway", "10.0.9.1", "demo");
        Assert.Equal("every ip-range or gateway must have a corresponding subnet", Assert.Throws<UsageException>(() => verb.Request(result)).Message);
    }

    [Fact]
    public void Network_ls_sends_dockers_filter_keys()
    {
        var (verb, result) = Cli.Parse<NetworkLsCommand>("network", "ls", "-f", "driver=overlay", "--filter", "scope=swarm", "--no-trunc", "-q");
        var filters = verb.Request(result).Filters;
        Assert.Equal(["driver", "scope"], filters.Keys.Order());
        Assert.True(result.GetValue<bool>("--no-trunc"));
    }

    [Fact]
    public async Task Network_verbs_count_their_arguments_as_docker()
    {
        Assert.StartsWith("eventswarm: 'eventswarm network create' requires 1 argument", await Cli.RefusedAsync(1, "network", "create"));
        Assert.StartsWith("eventswarm: 'eventswarm network rm' requires at least 1 argument", await Cli.RefusedAsync(1, "network", "rm"));
        Assert.StartsWith("eventswarm: 'eventswarm network inspect' requires at least 1 argument", await Cli.RefusedAsync(1, "network", "inspect"));
    }
}
