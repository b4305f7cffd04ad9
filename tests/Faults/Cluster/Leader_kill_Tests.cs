using System.Diagnostics;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.Faults.Cluster;

[Collection(ClusterFaultsCollection.Name)]
public sealed class Leader_kill_Tests(FaultCluster fixture, ITestOutputHelper output)
{
    /// <summary>
    /// Raft's promise (etcd's and swarmkit's): a write acknowledged to a client is committed on a quorum and survives
    /// the loss of the leader. kill -9 at a random instant while writers stream service creations through every
    /// manager; the killed manager is restarted before the next round and rejoins as a follower.
    /// </summary>
    [Fact]
    public async Task Leader_killed_under_write_load_at_random_instants_loses_no_acknowledged_write_and_managers_converge()
    {
        await fixture.EnsureHealthyAsync();
        var cluster = fixture.Cluster;
        var rounds = FaultTable.LongForm ? 20 : 3;
        var random = new Random();
        var alive = FaultCluster.Managers.ToHashSet();
        var load = new WriteLoad(fixture, $"kill{Environment.TickCount64 % 100000}", () => { lock (alive) return alive.Count > 0 ? alive.ToArray() : FaultCluster.Managers; }, writers: 3);
        var figures = new List<string>();
        var electionTimes = new List<double>();
        var resumeTimes = new List<double>();
        int? previous = null;
        var moved = 0;
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                await Task.Delay(random.Next(300, 2500));
                int? current = null;
                await Eventually.True(async () => (current = await fixture.LeaderAsync(FaultCluster.Managers)) is not null,
                    TimeSpan.FromSeconds(30), $"round {round}: a leader to kill");
                var leader = current!.Value;
                // A restarted manager that disturbs the leader it rejoins shows as a leader change between rounds.
                if (previous is not null && previous != leader) moved++;
                lock (alive) alive.Remove(leader);
                await cluster.KillAgentAsync(leader);
                // Taken once pkill has returned: a write answered while pkill was still starting is not "after the kill".
                var killedAt = Stopwatch.GetTimestamp();

                var others = FaultCluster.Managers.Where(m => m != leader).ToArray();
                int? next = null;
                await Eventually.True(async () => (next = await fixture.LeaderAsync(others)) is { } l && l != leader,
                    TimeSpan.FromSeconds(30), $"round {round}: a new leader after n{leader} was killed");
                var elected = Stopwatch.GetElapsedTime(killedAt).TotalSeconds;
                await Eventually.True(() => Task.FromResult(load.FirstAcknowledgedAfter(killedAt) is not null),
                    TimeSpan.FromSeconds(30), $"round {round}: writes acknowledged again after the kill");
                var resumed = load.FirstAcknowledgedAfter(killedAt)!.Value.TotalSeconds;
                electionTimes.Add(elected);
                resumeTimes.Add(resumed);

                // The killed manager comes back with its log and must catch up before the next leader may be killed,
                // or two of three would be missing.
                await cluster.RestartMissingAgentsAsync();
                var restartedAt = Stopwatch.GetTimestamp();
                var target = (await fixture.LogAsync(next!.Value)).Committed;
                await Eventually.True(async () => (await fixture.LogAsync(leader)).Committed >= target,
                    TimeSpan.FromSeconds(60), $"round {round}: restarted n{leader} catches up to commit index {target}");
                var caughtUp = Stopwatch.GetElapsedTime(restartedAt).TotalSeconds;
                // A slow catch-up is a figure worth explaining: keep the restarted agent's log for the operator.
                if (caughtUp > 10)
                    File.Copy($"/run/eventswarm-cluster/n{leader}/agent.log", Path.Combine(Path.GetTempPath(), $"eventswarm-faults-slow-catchup-r{round}-n{leader}.log"), overwrite: true);
                lock (alive) alive.Add(leader);
                previous = next;
                figures.Add($"r{round}: n{leader} killed, n{next} leads after {elected:0.00} s, writes back after {resumed:0.00} s, n{leader} caught up {caughtUp:0.0} s after restart");
                output.WriteLine(figures[^1]);
            }
        }
        finally
        {
            await load.StopAsync();
        }

        var converged = await fixture.ManagersConvergeAsync(TimeSpan.FromSeconds(90));
        var acknowledged = load.Acknowledged;
        var lost = new List<string>();
        var duplicates = 0;
        foreach (var manager in FaultCluster.Managers)
        {
            var names = await fixture.ServiceNamesAsync(manager);
            var present = names.ToHashSet();
            lost.AddRange(acknowledged.Where(a => !present.Contains(a)).Select(a => $"{a}@n{manager}"));
            duplicates += names.Count - present.Count;
        }
        foreach (var line in figures) FaultTable.Record($"  leader kill {line.Split(':')[0]}", "new leader, writes resume", line[(line.IndexOf(':') + 2)..], true);
        FaultTable.Check($"leader killed under write load ×{rounds} (3 managers)",
            "0 acknowledged writes lost, no duplicates, manager digests equal",
            $"{acknowledged.Count} acknowledged ({load.Failed} refused/unanswered), {lost.Count} lost, {duplicates} duplicates, digests equal {converged.TotalSeconds:0.0} s after load; "
            + $"new leader in {electionTimes.Min():0.00}–{electionTimes.Max():0.00} s (mean {electionTimes.Average():0.00}), writes back in {resumeTimes.Min():0.00}–{resumeTimes.Max():0.00} s; "
            + $"leadership moved {moved}× while a killed manager rejoined",
            lost.Count == 0 && duplicates == 0 && acknowledged.Count > 0);
    }
}
