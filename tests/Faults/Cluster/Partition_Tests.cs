using System.Diagnostics;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.Faults.Cluster;

[Collection(ClusterFaultsCollection.Name)]
public sealed class Partition_Tests(FaultCluster fixture, ITestOutputHelper output)
{
    private static TimeSpan PartitionLength => TimeSpan.FromSeconds(FaultTable.LongForm ? 30 : 10);

    /// <summary>
    /// Raft's log matching: a follower that missed entries while cut off is brought back to the leader's log once it
    /// can be reached again (etcd and swarmkit followers catch up the same way). The writes go on throughout, on the
    /// two managers that keep the quorum; an earlier prototype on DotNext showed a follower whose catch-up never ended.
    /// </summary>
    [Fact]
    public async Task A_follower_partitioned_under_write_load_catches_up_with_the_leader_after_healing()
    {
        await fixture.EnsureHealthyAsync();
        var leader = await fixture.LeaderAsync(FaultCluster.Managers) ?? throw new InvalidOperationException("no leader");
        var follower = FaultCluster.Managers.First(m => m != leader);
        var quorum = FaultCluster.Managers.Where(m => m != follower).ToArray();
        var load = new WriteLoad(fixture, $"cut{Environment.TickCount64 % 100000}", () => quorum, writers: 2);
        TimeSpan toCommitIndex, toDigest;
        int acknowledgedWhileCut;
        long target, behind;
        try
        {
            await Task.Delay(1000);
            var before = load.Acknowledged.Count;
            await fixture.PartitionAsync(follower);
            await Task.Delay(PartitionLength);
            acknowledgedWhileCut = load.Acknowledged.Count - before;
            var cut = await fixture.LogAsync(follower);
            target = (await Task.WhenAll(quorum.Select(fixture.LogAsync))).Max(l => l.Committed);
            behind = target - cut.Committed;
            await fixture.HealAsync(follower);
            var healed = Stopwatch.StartNew();
            await Eventually.True(async () => (await fixture.LogAsync(follower)).Committed >= target, TimeSpan.FromSeconds(60),
                $"n{follower} reaches commit index {target} after healing");
            toCommitIndex = healed.Elapsed;
            // Still under load for a while: the follower keeps up, not only catches up once.
            await Task.Delay(3000);
        }
        finally
        {
            await fixture.HealAsync(follower);
            await load.StopAsync();
        }
        toDigest = await fixture.ManagersConvergeAsync(TimeSpan.FromSeconds(60));
        // Healed means the whole cluster again: the follower's node and any worker that was following it are Ready.
        var notReady = "";
        var toReady = Stopwatch.StartNew();
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(300))
        {
            var nodes = await fixture.NodesAsync(await fixture.LeaderAsync(FaultCluster.Managers) ?? follower);
            notReady = string.Join(", ", nodes.Where(n => n.Status != "ready").Select(n => $"{n.Hostname} {n.Status}"));
            if (nodes.Count == FaultCluster.All.Length && notReady == "") break;
        }
        var present = (await fixture.ServiceNamesAsync(follower)).ToHashSet();
        var missing = load.Acknowledged.Count(a => !present.Contains(a));
        var observed = $"n{follower} cut {PartitionLength.TotalSeconds:0} s, {acknowledgedWhileCut} writes acknowledged meanwhile, {behind} entries behind; "
            + $"reached leader's commit index {toCommitIndex.TotalSeconds:0.0} s after heal, digests equal {toDigest.TotalSeconds:0.0} s after load stopped; {missing} acknowledged writes missing on it; "
            + (notReady == "" ? $"every node Ready {toReady.Elapsed.TotalSeconds:0.0} s after digests equal" : $"not Ready 30 s after: {notReady}");
        output.WriteLine(observed);
        FaultTable.Check($"follower partitioned {PartitionLength.TotalSeconds:0} s under write load, healed",
            "catches up to leader's commit index and digest (≤ 60 s), no stuck catch-up, every node Ready again (≤ 30 s)", observed,
            acknowledgedWhileCut > 0 && behind > 0 && missing == 0 && notReady == "");
    }

    /// <summary>
    /// Swarm's dispatcher: a worker that stops sending heartbeats is Down and its tasks are replaced elsewhere; when
    /// it returns, its worker learns its tasks were orphaned and stops them, so no slot ends with two containers.
    /// </summary>
    [Fact]
    public async Task A_worker_partitioned_then_healed_has_its_tasks_replaced_and_no_slot_runs_twice()
    {
        await fixture.EnsureHealthyAsync();
        var cluster = fixture.Cluster;
        var service = $"slots{Environment.TickCount64 % 100000}";
        const int replicas = 8;
        const int worker = FaultCluster.Worker;
        (await cluster.EventSwarm(1, "service", "create", "--name", service, "--replicas", replicas.ToString(), "--stop-grace-period", "1s",
            "busybox", "sleep", "3600")).ShouldSucceed();
        try
        {
            await Eventually.True(async () => await RunningAsync(service, FaultCluster.All) == replicas && await cluster.RunningContainersAsync(worker, service) > 0,
                TimeSpan.FromSeconds(60), $"{service} runs {replicas} tasks, some on n{worker}");
            var stale = await cluster.RunningContainersAsync(worker, service);

            var watch = Stopwatch.StartNew();
            await fixture.PartitionAsync(worker);
            await NodeIsAsync(worker, "down");
            var down = watch.Elapsed;
            await Eventually.True(async () => await RunningAsync(service, [1, 2, 3]) == replicas, TimeSpan.FromSeconds(60),
                $"{service}'s {replicas} tasks run on n1–n3");
            var replaced = watch.Elapsed;
            if (FaultTable.LongForm && watch.Elapsed < PartitionLength) await Task.Delay(PartitionLength - watch.Elapsed);
            // Cut off, the worker cannot know its tasks were replaced: its containers still run.
            var stillRunning = await cluster.RunningContainersAsync(worker, service);
            var cutFor = watch.Elapsed;

            await fixture.HealAsync(worker);
            watch.Restart();
            await NodeIsAsync(worker, "ready");
            await Eventually.True(async () => await cluster.RunningContainersAsync(worker, service) == 0, TimeSpan.FromSeconds(60),
                $"n{worker} stops the tasks replaced while it was cut off");
            var stopped = watch.Elapsed;
            var slots = await ContainersPerSlotAsync(service);
            var observed = $"n{worker} ran {stale}, Down after {down.TotalSeconds:0.0} s, tasks replaced after {replaced.TotalSeconds:0.0} s, {stillRunning} stale still running while cut ({cutFor.TotalSeconds:0} s); "
                + $"after heal stale stopped in {stopped.TotalSeconds:0.0} s; {slots.Count}/{replicas} slots, containers per slot: {string.Join(",", slots.Values.Order().Distinct())}";
            output.WriteLine(observed);
            FaultTable.Check("worker partitioned then healed", "tasks replaced while Down; after heal no slot runs twice", observed,
                stale > 0 && stillRunning == stale && slots.Count == replicas && slots.Values.All(c => c == 1));
        }
        finally
        {
            await fixture.HealAsync(worker);
            await cluster.EventSwarm(1, "service", "rm", service);
        }
    }

    /// <summary>Tasks of the service that are Running (desired and observed) on the given nodes, as the leader's API lists them.</summary>
    private async Task<int> RunningAsync(string service, int[] nodes)
    {
        var leader = await fixture.LeaderAsync(FaultCluster.Managers);
        if (leader is null) return -1;
        try
        {
            using var http = fixture.Http(leader.Value);
            var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["service"] = [service], ["desired-state"] = ["running"] }));
            using var tasks = JsonDocument.Parse(await http.GetStringAsync($"/v1.41/tasks?filters={filter}"));
            using var nodesJson = JsonDocument.Parse(await http.GetStringAsync("/v1.41/nodes"));
            var ids = nodesJson.RootElement.EnumerateArray()
                .Where(n => nodes.Contains(int.Parse(n.GetProperty("Description").GetProperty("Hostname").GetString()![1..])))
                .Select(n => n.GetProperty("ID").GetString()).ToHashSet();
            var running = tasks.RootElement.EnumerateArray().Where(t => t.GetProperty("Status").GetProperty("State").GetString() == "running").ToList();
            // Counted only when every running task is on one of the given nodes.
            return running.All(t => t.TryGetProperty("NodeID", out var n) && ids.Contains(n.GetString())) ? running.Count : -1;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
        {
            return -1;
        }
    }

    private Task NodeIsAsync(int node, string status) =>
        Eventually.True(async () =>
        {
            var leader = await fixture.LeaderAsync(FaultCluster.Managers);
            return leader is not null && (await fixture.NodesAsync(leader.Value)).Any(n => n.Hostname == $"n{node}" && n.Status == status);
        }, TimeSpan.FromSeconds(60), $"n{node} is {status}");

    /// <summary>Running containers per slot (name service.slot.task) across every node's engine.</summary>
    private async Task<Dictionary<string, int>> ContainersPerSlotAsync(string service)
    {
        var names = new List<string>();
        foreach (var node in FaultCluster.All)
            names.AddRange((await fixture.Cluster.Engine(node, "ps", "--format", "{{.Names}}", "--filter", $"label=eventswarm.service.name={service}")).ShouldSucceed()
                .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return names.GroupBy(n => n.Split('.')[1]).ToDictionary(g => g.Key, g => g.Count());
    }
}
