extern alias node;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Swarm;

namespace EventSwarm.UnitTests.Cli.Swarm;

/// <summary><c>swarm init|join|join-token|leave</c>.</summary>
public sealed class Swarm_commands_Tests
{
    [Fact]
    public void Swarm_init_sends_the_addresses_given_and_dockers_default_listen_address()
    {
        var (verb, result) = Cli.Parse<SwarmInitCommand>("swarm", "init", "--advertise-addr", "10.200.0.11", "--force-new-cluster");
        var request = verb.Request(result);
        Assert.Equal(("10.200.0.11", "0.0.0.0:2377", "", true), (request.AdvertiseAddr, request.ListenAddr, request.DataPathAddr, request.ForceNewCluster));
    }

    [Fact]
    public async Task Swarm_join_needs_the_manager_address_and_a_token()
    {
        var (verb, result) = Cli.Parse<SwarmJoinCommand>("swarm", "join", "--token", "SWMTKN-1-x", "--listen-addr", "127.0.0.1:2378", "10.200.0.11:2377");
        var request = verb.Request(result);
        Assert.Equal(["10.200.0.11:2377"], request.RemoteAddrs);
        Assert.Equal(("SWMTKN-1-x", "127.0.0.1:2378"), (request.JoinToken, request.ListenAddr));
        Assert.StartsWith("eventswarm: 'eventswarm swarm join' requires 1 argument", await Cli.RefusedAsync(1, "swarm", "join", "--token", "t"));
        var (joiner, tokenless) = Cli.Parse<SwarmJoinCommand>("swarm", "join", "10.200.0.11:2377");
        Assert.Throws<UsageException>(() => joiner.Request(tokenless));
    }

    [Fact]
    public void Join_token_takes_worker_or_manager()
    {
        var (verb, result) = Cli.Parse<SwarmJoinTokenCommand>("swarm", "join-token", "-q", "--rotate", "manager");
        Assert.Equal("manager", verb.Role(result));
        var (other, unknown) = Cli.Parse<SwarmJoinTokenCommand>("swarm", "join-token", "boss");
        Assert.Equal("unknown role boss", Assert.Throws<UsageException>(() => other.Role(unknown)).Message);
    }

    [Fact]
    public async Task Swarm_leave_takes_force_and_nothing_else()
    {
        var (verb, result) = Cli.Parse<SwarmLeaveCommand>("swarm", "leave", "--force");
        Assert.True(verb.Force(result));
        Assert.StartsWith("eventswarm: 'eventswarm swarm leave' accepts no arguments", await Cli.RefusedAsync(1, "swarm", "leave", "now"));
    }
}
