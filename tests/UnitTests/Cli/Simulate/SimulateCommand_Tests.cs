extern alias node;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Simulate;

namespace EventSwarm.UnitTests.Cli.Simulate;

/// <summary><c>eventswarm simulate</c>: the flags become the simulation the scale bench drives; bad values are refused before anything joins.</summary>
public sealed class SimulateCommand_Tests
{
    [Fact]
    public void Flags_become_the_simulation_and_the_rest_keeps_its_defaults()
    {
        var (verb, result) = Cli.Parse<SimulateCommand>("simulate", "--nodes", "50", "--token", "SWMTKN-1-x-y", "127.0.0.1:2377",
            "--cpus", "8", "--memory", "2g", "--start-latency", "100ms", "--failure-rate", "0.1", "--stats", "/tmp/s.jsonl", "--hostname-prefix", "rack");
        var options = verb.Build(result);
        Assert.Equal((50, "SWMTKN-1-x-y", "127.0.0.1:2377"), (options.Nodes, options.Token, options.Manager));
        Assert.Equal((8, 2L << 30, TimeSpan.FromMilliseconds(100), 0.1), (options.Cpus, options.MemoryBytes, options.StartLatency, options.FailureRate));
        Assert.Equal(("/tmp/s.jsonl", "rack-00001", "rack-00050"), (options.StatsFile, options.Hostname(1), options.Hostname(50)));

        var (plain, parsed) = Cli.Parse<SimulateCommand>("simulate", "--nodes", "1", "--token", "t", "manager");
        var defaults = plain.Build(parsed);
        Assert.Equal(("manager:2377", 4, 16L << 30, TimeSpan.FromMilliseconds(500), 0.0), (defaults.Manager, defaults.Cpus, defaults.MemoryBytes, defaults.StartLatency, defaults.FailureRate));
        Assert.Equal(("sim-00001", null), (defaults.Hostname(1), defaults.StatsFile));
    }

    [Theory]
    [InlineData("--nodes", "0")]
    [InlineData("--nodes", "many")]
    [InlineData("--cpus", "0")]
    [InlineData("--memory", "lots")]
    [InlineData("--start-latency", "soon")]
    [InlineData("--failure-rate", "1.5")]
    public void Values_that_cannot_be_are_refused(string flag, string value)
    {
        string[] line = ["simulate", "--nodes", "3", "--token", "t", "m:1", flag, value];
        var (verb, result) = Cli.Parse<SimulateCommand>(line);
        Assert.Throws<UsageException>(() => verb.Build(result));
    }

    [Fact]
    public async Task Without_a_manager_or_a_token_or_a_node_count_the_line_is_refused()
    {
        Assert.Contains("'eventswarm simulate' requires", await Cli.RefusedAsync(1, "simulate", "--nodes", "3", "--token", "t"));
        Assert.Contains("--token is required", await Cli.RefusedAsync(1, "simulate", "--nodes", "3", "m:1"));
        Assert.Contains("--nodes is required", await Cli.RefusedAsync(1, "simulate", "--token", "t", "m:1"));
    }

    [Fact]
    public async Task Help_names_every_flag()
    {
        var help = await Cli.HelpAsync("simulate");
        Assert.Contains("eventswarm simulate [OPTIONS] --nodes N --token TOKEN MANAGER:PORT", help);
        foreach (var flag in new[] { "--nodes", "--token", "--cpus", "--memory", "--start-latency", "--failure-rate", "--stats", "--hostname-prefix" })
            Assert.Contains(flag, help);
    }
}
