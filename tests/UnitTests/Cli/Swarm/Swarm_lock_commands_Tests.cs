extern alias node;
using Docker.DotNet.Models;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Swarm;

namespace EventSwarm.UnitTests.Cli.Swarm;

/// <summary><c>swarm init --autolock</c>, <c>swarm update</c>, <c>swarm unlock-key</c>, <c>swarm unlock</c>.</summary>
public sealed class Swarm_lock_commands_Tests
{
    [Fact]
    public void Swarm_init_autolock_asks_for_autolocked_managers()
    {
        var (verb, result) = Cli.Parse<SwarmInitCommand>("swarm", "init", "--autolock");
        Assert.True(verb.Request(result).AutoLockManagers);
        var (plain, without) = Cli.Parse<SwarmInitCommand>("swarm", "init");
        Assert.False(plain.Request(without).AutoLockManagers);
    }

    [Theory]
    [InlineData(new[] { "--autolock" }, true)]
    [InlineData(new[] { "--autolock=true" }, true)]
    [InlineData(new[] { "--autolock=false" }, false)]
    public void Swarm_update_autolock_sets_the_encryption_config(string[] flags, bool expected)
    {
        var (verb, result) = Cli.Parse<SwarmUpdateCommand>(["swarm", "update", .. flags]);
        var spec = verb.Apply(result, new Spec { EncryptionConfig = new EncryptionConfig { AutoLockManagers = !expected } });
        Assert.Equal(expected, spec.EncryptionConfig.AutoLockManagers);
    }

    [Fact]
    public void Swarm_update_changes_only_the_flags_given()
    {
        var (verb, result) = Cli.Parse<SwarmUpdateCommand>("swarm", "update", "--task-history-limit", "3", "--dispatcher-heartbeat", "7s");
        var spec = verb.Apply(result, new Spec { EncryptionConfig = new EncryptionConfig { AutoLockManagers = true } });
        Assert.True(spec.EncryptionConfig.AutoLockManagers);
        Assert.Equal(3, spec.Orchestration.TaskHistoryRetentionLimit);
        Assert.Equal(TimeSpan.FromSeconds(7), spec.Dispatcher.HeartbeatPeriod);
    }

    [Fact]
    public async Task Unlock_key_takes_rotate_and_quiet_and_no_argument()
    {
        var (verb, result) = Cli.Parse<SwarmUnlockKeyCommand>("swarm", "unlock-key", "--rotate", "-q");
        Assert.Equal((true, true), verb.Request(result));
        Assert.Contains("accepts no arguments", await Cli.RefusedAsync(1, "swarm", "unlock-key", "x"));
    }

    [Fact]
    public void Unlock_command_text_is_dockers()
    {
        using var output = new StringWriter();
        SwarmUnlockKeyCommand.PrintUnlockCommand(output, "SWMKEY-1-abc");
        Assert.Equal("To unlock a swarm manager after it restarts, run the `eventswarm swarm unlock`\ncommand and provide the following key:\n\n    SWMKEY-1-abc\n\n"
                     + "Please remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n", output.ToString());
    }

    [Fact]
    public void Unlock_prompts_only_a_locked_node_and_reads_one_line_from_a_pipe()
    {
        Assert.Equal("Error: This node is not part of a swarm", SwarmUnlockCommand.RefusalFor("inactive"));
        Assert.Equal("Error: swarm is not locked", SwarmUnlockCommand.RefusalFor("active"));
        Assert.Null(SwarmUnlockCommand.RefusalFor("locked"));
        Assert.Equal("SWMKEY-1-abc", SwarmUnlockCommand.ReadKey(new StringReader("  SWMKEY-1-abc \nrest")));
        Assert.Equal("Please enter unlock key: ", SwarmUnlockCommand.Prompt);
    }
}
