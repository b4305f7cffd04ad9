using EventSwarm.Infrastructure.Log;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Log;

/// <summary>
/// A manager of a 3-manager swarm whose log is damaged while it is down: a torn tail is cut back and the entries
/// come back from the leader through Raft; an old entry damaged is refused, and `--recover-from-peers` sets the
/// log aside and catches up from the leader. Both end with the manager's projection equal to the leader's.
/// </summary>
public sealed class Damaged_log_MultiNode_Tests
{
    private const string N3Raft = "/var/lib/eventswarm-cluster/n3/eventswarm/raft";
    private const string N3AgentLog = "/run/eventswarm-cluster/n3/agent.log";

    [Fact]
    public async Task A_manager_whose_log_tail_was_torn_rejoins_and_gets_the_tail_back_and_recover_from_peers_mends_an_old_damage()
    {
        await using var cluster = await NamespaceCluster.StartJoinedAsync(3);
        foreach (var node in new[] { 2, 3 })
        {
            (await cluster.EventSwarm(1, "node", "promote", $"n{node}")).ShouldSucceed();
            await Eventually.True(async () => (await cluster.EventSwarm(node, "node", "ls")).Rows.Any(r => r.Contains($"n{node}") && r.Contains("Reachable")),
                TimeSpan.FromSeconds(60), $"n{node} is a Raft member and answers node ls itself");
        }
        (await cluster.EventSwarm(1, "service", "create", "--name", "before", "--replicas", "0", "busybox", "sleep", "1")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.LogAsync(3)) == await cluster.LogAsync(1), TimeSpan.FromSeconds(30), "n3 has n1's log");

        // Torn tail: n3 down, its last entry damaged, a service created meanwhile; n3 comes back without help.
        await KillN3Async(cluster);
        Flip(LogRepair.Check(N3Raft).LastIndex);
        (await cluster.EventSwarm(1, "service", "create", "--name", "while-down", "--replicas", "0", "busybox", "sleep", "1")).ShouldSucceed();
        var up = await cluster.RestartMissingAgentsAsyncResult();
        var caughtUp = up.ExitCode == 0 && await Within(async () => (await cluster.LogAsync(3)) == await cluster.LogAsync(1) && (await cluster.LogAsync(1)).LastSequence > 0);
        var cut = File.ReadLines(N3AgentLog).FirstOrDefault(l => l.Contains("tail was torn"));
        FaultTable.Check("log: torn tail on a manager of 3", "cut back and logged, starts, gets the tail back from the leader (digest = leader's)",
            $"{(up.ExitCode == 0 ? "started" : "did not start")}; {(cut is null ? "no cut logged" : "cut logged")}; {(caughtUp ? "digest equal to n1's" : "digest differs")}",
            up.ExitCode == 0 && cut is not null && caughtUp);

        // An old entry damaged: refused; --recover-from-peers sets the log aside and catches up.
        await KillN3Async(cluster);
        Flip(3);
        var refused = await cluster.RestartMissingAgentsAsyncResult();
        var line = File.ReadLines(N3AgentLog).FirstOrDefault(l => l.Contains("damaged at entry 3 "));
        (await cluster.EventSwarm(1, "service", "create", "--name", "while-refused", "--replicas", "0", "busybox", "sleep", "1")).ShouldSucceed();
        var recovered = await cluster.RestartMissingAgentsAsyncResult("--recover-from-peers");
        var same = recovered.ExitCode == 0 && await Within(async () => (await cluster.LogAsync(3)) == await cluster.LogAsync(1));
        var services = (await cluster.Docker(3, "service", "ls", "--format", "{{.Name}}")).Output;
        var aside = Directory.GetDirectories(Path.GetDirectoryName(N3Raft)!, "raft.damaged-*").Length;
        FaultTable.Check("log: --recover-from-peers on a manager of 3 with an old entry damaged",
            "refused with the line first; with the flag: log kept aside, caught up (digest = leader's, while-refused listed)",
            $"{(refused.ExitCode != 0 && line is not null ? "refused with the line" : "not refused")}; {(recovered.ExitCode == 0 ? "started" : "did not start")}; " +
            $"{aside} log(s) kept aside; {(same ? "digest equal to n1's" : "digest differs")}; while-refused {(services.Contains("while-refused") ? "listed" : "missing")}",
            refused.ExitCode != 0 && line is not null && recovered.ExitCode == 0 && aside == 1 && same && services.Contains("while-refused"));
    }

    /// <summary>SIGKILL, then wait (bounded) until the process is gone: the damage must not race its last breath.</summary>
    private static async Task KillN3Async(NamespaceCluster cluster)
    {
        await cluster.KillAgentAsync(3);
        await Eventually.True(async () => (await CommandResult.RunAsync("pgrep", ["-f", "--", "--socket /run/eventswarm-cluster/n3/eventswarm.sock"],
            new Dictionary<string, string>())).ExitCode != 0, TimeSpan.FromSeconds(20), "n3's agent is gone");
    }

    private static async Task<bool> Within(Func<Task<bool>> condition)
    {
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(500))
            if (await condition()) return true;
        return false;
    }

    private static void Flip(long index)
    {
        var wal = LogRepair.WalDirectory(N3Raft);
        var (address, length) = LogRepair.Locate(wal, index);
        var at = address + length / 2;
        using var file = File.Open(Path.Combine(wal, "data", (at / LogRepair.ChunkSize).ToString()), FileMode.Open);
        file.Position = at % LogRepair.ChunkSize;
        var b = file.ReadByte();
        file.Position--;
        file.WriteByte((byte)(b ^ 0xFF));
    }
}

internal static class NamespaceClusterRestart
{
    private static readonly string Repo = FindRepo();

    /// <summary>ops/cluster.sh up for the missing agents (as NamespaceCluster starts them), with extra agent flags; the result says whether they came up.</summary>
    public static Task<CommandResult> RestartMissingAgentsAsyncResult(this NamespaceCluster cluster, string agentArgs = "") =>
        CommandResult.RunAsync("bash", [Path.Combine(Repo, "ops", "cluster.sh"), "up", cluster.Nodes.ToString()],
            new Dictionary<string, string>
            {
                ["EVENTSWARM_BIN"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "eventswarm.dll")}",
                ["AGENT_ARGS"] = $"--heartbeat-period 1s {agentArgs}",
            });

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ops", "cluster.sh"))) return dir.FullName;
        throw new InvalidOperationException("ops/cluster.sh not found above the test binaries");
    }
}
