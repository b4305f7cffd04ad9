extern alias node;
using node::EventSwarm.Node.Cli.Agent;

namespace EventSwarm.UnitTests.Cli.Agent;

/// <summary><c>eventswarm agent</c>: the flags become the AgentOptions the node runs on; refusals keep the agent's form (exit 2).</summary>
public sealed class AgentCommand_Tests
{
    [Fact]
    public void Flags_become_the_nodes_options_and_the_rest_keeps_its_defaults()
    {
        var options = AgentCommand.Parse(["--data-dir", "/tmp/es", "--socket=/tmp/es.sock", "--heartbeat-period", "2s", "--listen-addr", "127.0.0.1:2377", "--raft-addr", "127.0.0.1:4377"]);
        Assert.Equal(("/tmp/es", "/tmp/es.sock", TimeSpan.FromSeconds(2)), (options.DataDirectory, options.Socket, options.HeartbeatPeriod));
        Assert.Equal(("127.0.0.1:2377", "127.0.0.1:4377"), (options.ListenEndpoint!.ToString(), options.RaftEndpoint!.ToString()));
        var defaults = AgentCommand.Parse([]);
        Assert.Equal(("/var/lib/eventswarm", "unix:///var/run/docker.sock", "/run/eventswarm/eventswarm.sock"), (defaults.DataDirectory, defaults.DockerHost, defaults.Socket));
        Assert.Equal(EventSwarm.Application.Nodes.Heartbeats.DefaultPeriod, defaults.HeartbeatPeriod);
    }

    [Theory]
    [InlineData("--heartbeat-period", "soon")]
    [InlineData("--heartbeat-period", "0")]
    [InlineData("--listen-addr", "nowhere")]
    [InlineData("--raft-addr", "127.0.0.1:0")]
    [InlineData("--bogus", "x")]
    public void Values_that_cannot_be_are_refused(string flag, string value) =>
        Assert.Throws<ArgumentException>(() => AgentCommand.Parse([flag, value]));

    [Fact]
    public async Task A_refused_line_is_one_agent_line_the_usage_and_exit_2()
    {
        var error = await Cli.RefusedAsync(2, "agent", "--heartbeat-period", "soon");
        Assert.Equal("eventswarm agent: invalid argument \"soon\" for \"--heartbeat-period\" flag: time: invalid duration \"soon\"\nusage: eventswarm agent " + AgentCommand.UsageLine + "\n",
            error.ReplaceLineEndings("\n"));
        Assert.StartsWith("eventswarm agent: unknown flag: --x\n", await Cli.RefusedAsync(2, "agent", "--x"));
    }
}
