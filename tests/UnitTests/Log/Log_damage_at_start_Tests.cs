extern alias node;
using System.Diagnostics.CodeAnalysis;
using EventSwarm.Infrastructure.Log;
using Microsoft.Extensions.Logging.Abstractions;
using AgentCommand = node::EventSwarm.Node.Cli.Agent.AgentCommand;
using AgentOptions = node::EventSwarm.Node.Local.AgentOptions;
using LogDamage = node::EventSwarm.Node.Hosting.LogDamage;

namespace EventSwarm.UnitTests.Log;

/// <summary>The agent's decision before it opens its log, on a real DotNext log in a temporary data directory.</summary>
[Experimental("DOTNEXT001")]
public sealed class Log_damage_at_start_Tests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("eventswarm-logdamage-unit-").FullName;

    private string Raft => Path.Combine(_data, "raft");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private int? Check(StringWriter stderr, params string[] flags) =>
        LogDamage.CheckAtStart(AgentCommand.Parse(["--data-dir", _data, .. flags]), NullLogger.Instance, stderr);

    [Fact]
    public void The_remedy_flags_take_no_value_and_exclude_each_other()
    {
        var options = AgentCommand.Parse(["--recover-from-peers", "--data-dir", "/x"]);
        Assert.Equal((true, false, "/x"), (options.RecoverFromPeers, options.ForceNewCluster, options.DataDirectory));
        Assert.True(AgentCommand.Parse(["--force-new-cluster"]).ForceNewCluster);
        Assert.Throws<ArgumentException>(() => AgentCommand.Parse(["--recover-from-peers", "--force-new-cluster"]));
    }

    [Fact]
    public async Task Damage_before_the_tail_is_refused_with_one_line_and_nothing_changed()
    {
        await RealWal.WriteAsync(Raft, entries: 12);
        RealWal.Flip(Raft, 5);
        var checkpoint = File.ReadAllBytes(Path.Combine(LogRepair.WalDirectory(Raft), "checkpoint"));
        var stderr = new StringWriter();
        Assert.Equal(LogDamage.ExitCode, Check(stderr));
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains($"damaged at entry 5 of 12 in {Path.Combine(LogRepair.WalDirectory(Raft), "data", "0")}", lines[0]);
        Assert.Contains("--recover-from-peers", lines[0]);
        Assert.Contains("--force-new-cluster", lines[0]);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(LogRepair.WalDirectory(Raft), "checkpoint")));
    }

    [Fact]
    public async Task A_torn_tail_is_cut_back_and_the_agent_goes_on()
    {
        await RealWal.WriteAsync(Raft, entries: 12);
        RealWal.Flip(Raft, 12);
        File.WriteAllBytes(Path.Combine(Raft, RaftLog.MembersFileName), [0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]);
        Assert.Null(Check(new StringWriter()));
        Assert.Equal((LogCondition.Intact, 11L), (LogRepair.Check(Raft).Condition, LogRepair.Check(Raft).LastIndex));
    }

    [Fact]
    public async Task A_lone_manager_whose_whole_log_fails_is_refused_rather_than_left_with_no_swarm()
    {
        await RealWal.WriteAsync(Raft, entries: 3);
        foreach (var index in new[] { 1L, 2L, 3L }) RealWal.Flip(Raft, index);
        var stderr = new StringWriter();
        Assert.Equal(LogDamage.ExitCode, Check(stderr));
        Assert.Contains("no entry of the Raft log verifies", stderr.ToString());
    }

    [Fact]
    public async Task Recover_from_peers_is_refused_on_a_lone_manager_and_sets_the_log_aside_on_a_manager_with_peers()
    {
        await RealWal.WriteAsync(Raft, entries: 4);
        var members = Path.Combine(Raft, RaftLog.MembersFileName);
        File.WriteAllBytes(members, [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
        var stderr = new StringWriter();
        Assert.Equal(LogDamage.ExitCode, Check(stderr, "--recover-from-peers"));
        Assert.Contains("--force-new-cluster", stderr.ToString());

        File.WriteAllBytes(members, [0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]);
        Assert.Null(Check(new StringWriter(), "--recover-from-peers"));
        var aside = Assert.Single(Directory.GetDirectories(_data, "raft.damaged-*"));
        Assert.True(File.Exists(Path.Combine(aside, "wal", "checkpoint")), "the old log is kept");
        Assert.Equal([RaftLog.MembersFileName], Directory.GetFiles(Raft).Select(Path.GetFileName));
    }
}
