using System.Diagnostics;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Disk;

/// <summary>
/// Three managers in network namespaces, n1 and n3 with their data directories on 30 MB tmpfs. A manager whose
/// disk fills must not take the cluster down: a full follower lags (the quorum of the other two commits) and
/// catches up once space is freed; a full leader stands aside so that a manager that can write leads.
/// </summary>
public sealed class Disk_full_cluster_Tests
{
    private const string NoSpace = "no space left on device";

    [Fact]
    public async Task A_full_manager_does_not_stop_the_swarm_and_catches_up_once_space_is_freed()
    {
        await using var cluster = await NamespaceCluster.StartAsync(3, new Dictionary<string, string> { ["DATA_TMPFS_NODES"] = "1 3" });
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var token = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        for (var node = 2; node <= 3; node++)
            (await cluster.EventSwarm(node, "swarm", "join", "--token", token, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(30), "three managers are Ready");

        // A full follower: writes through the leader still commit, the follower raises its alarm and lives on.
        var filler = Fill(3);
        var committed = await WriteAsync(cluster, via: 1, "f", 10);
        var alarmed = await AlarmIsAsync(cluster, 3, raised: true);
        var lagging = (await cluster.LogAsync(3)).LastSequence < (await cluster.LogAsync(1)).LastSequence;
        File.Delete(filler);
        var freed = Stopwatch.StartNew();
        var caughtUp = await ConvergedAsync(cluster, 3, 1);
        var catchUp = freed.Elapsed;
        var cleared = await AlarmIsAsync(cluster, 3, raised: false);
        FaultTable.Check("disk full on a follower (3 managers)",
            "writes via the leader commit; follower alarmed, alive, catches up once freed",
            $"{committed}/10 writes committed; follower alarm: {alarmed}, lagging: {lagging}; caught up {catchUp.TotalSeconds:0.0} s after freeing: {caughtUp}; alarm cleared: {cleared}",
            committed == 10 && alarmed && caughtUp && cleared);

        // A full leader: it stands aside (standby), another manager leads, and writes go on, through the full
        // manager too (it forwards them to the leader, which commits them).
        filler = Fill(1);
        var full = Stopwatch.StartNew();
        var movedOn = false;
        for (var attempt = 0; attempt < 75 && !movedOn; attempt++)
        {
            var rows = (await cluster.EventSwarm(2, "node", "ls")).Rows;
            movedOn = rows.Any(r => r.Contains(" n2 ") && r.Contains("Leader") || r.Contains(" n3 ") && r.Contains("Leader"));
            if (!movedOn) await Task.Delay(200);
        }
        var handedOver = full.Elapsed;
        committed = await WriteAsync(cluster, via: 2, "l", 10);
        var throughFull = (await cluster.EventSwarm(1, "service", "create", "--detach", "--replicas", "0", "--name", "via-full", "busybox", "true")).ExitCode == 0;
        alarmed = await AlarmIsAsync(cluster, 1, raised: true);
        File.Delete(filler);
        freed.Restart();
        caughtUp = await ConvergedAsync(cluster, 1, 2);
        catchUp = freed.Elapsed;
        cleared = await AlarmIsAsync(cluster, 1, raised: false);
        var n1Ready = (await cluster.EventSwarm(2, "node", "ls")).Rows.Any(r => r.Contains(" n1 ") && r.Contains("Ready"));
        FaultTable.Check("disk full on the leader (3 managers)",
            "leader stands aside, another leads; writes commit (via n2 and via the full n1); alarmed, alive, catches up once freed",
            $"leadership moved: {movedOn} ({handedOver.TotalSeconds:0.0} s); {committed}/10 writes committed via n2, via the full n1: {throughFull}; "
            + $"alarm: {alarmed}; caught up {catchUp.TotalSeconds:0.0} s after freeing: {caughtUp}; alarm cleared: {cleared}; n1 Ready: {n1Ready}",
            movedOn && committed == 10 && throughFull && alarmed && caughtUp && cleared && n1Ready);
    }

    /// <summary>Fills node K's data filesystem to the last byte with one preallocated file.</summary>
    private static string Fill(int node)
    {
        var directory = NamespaceCluster.DataDirectory(node);
        var filler = Path.Combine(directory, "filler");
        using (File.OpenHandle(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None,
                   preallocationSize: new DriveInfo(directory).AvailableFreeSpace)) { }
        return filler;
    }

    private static async Task<int> WriteAsync(NamespaceCluster cluster, int via, string prefix, int count)
    {
        var committed = 0;
        for (var i = 0; i < count; i++)
            if ((await cluster.EventSwarm(via, "service", "create", "--detach", "--replicas", "0", "--name", $"{prefix}{i}", "busybox", "true")).ExitCode == 0)
                committed++;
        return committed;
    }

    /// <summary>Waits (bounded) until node K's own alarm is raised or clear, in its /metrics gauge and its node inspect message.</summary>
    private static async Task<bool> AlarmIsAsync(NamespaceCluster cluster, int node, bool raised)
    {
        for (var attempt = 0; attempt < 25; attempt++)
        {
            var metrics = await CommandResult.RunAsync("curl", ["-sf", "--max-time", "5", "--unix-socket", $"/run/eventswarm-cluster/n{node}/eventswarm.sock", "http://node/metrics"],
                new Dictionary<string, string>());
            var inspect = await cluster.Docker(node, "node", "inspect", "--pretty", "self");
            var shown = metrics.Output.Contains("eventswarm_disk_full_alarm 1", StringComparison.Ordinal)
                && inspect.Output.Contains(NoSpace, StringComparison.OrdinalIgnoreCase);
            var gone = metrics.Output.Contains("eventswarm_disk_full_alarm 0", StringComparison.Ordinal)
                && !inspect.Output.Contains(NoSpace, StringComparison.OrdinalIgnoreCase);
            if (raised ? shown : gone) return true;
            await Task.Delay(200);
        }
        return false;
    }

    private static async Task<bool> ConvergedAsync(NamespaceCluster cluster, int node, int reference)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var (sequence, digest) = await cluster.LogAsync(node);
            var (expected, expectedDigest) = await cluster.LogAsync(reference);
            if (sequence == expected && digest == expectedDigest && sequence > 0) return true;
            await Task.Delay(200);
        }
        return false;
    }
}
