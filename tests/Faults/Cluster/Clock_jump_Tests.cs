using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.Faults.Cluster;

[Collection(ClusterFaultsCollection.Name)]
public sealed class Clock_jump_Tests(FaultCluster fixture, ITestOutputHelper output)
{
    /// <summary>
    /// A wall clock stepped by an hour (NTP, an operator) must not look like an hour of silence: swarmkit measures
    /// heartbeats with Go's monotonic timers, Raft elections with timers too. One node at a time — a follower
    /// manager, the worker, then the leader — jumps 1 h forward and back, through the agents' clock fault hook (the
    /// nodes share one kernel clock); the leader's node list is sampled throughout.
    /// </summary>
    [Fact]
    public async Task A_node_whose_clock_jumps_an_hour_forward_and_back_is_not_marked_down_and_no_task_is_replaced()
    {
        await fixture.EnsureHealthyAsync();
        var cluster = fixture.Cluster;
        var hold = TimeSpan.FromSeconds(FaultTable.LongForm ? 15 : 5);
        var service = $"clock{Environment.TickCount64 % 100000}";
        (await cluster.EventSwarm(1, "service", "create", "--name", service, "--replicas", "4", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        var load = (WriteLoad?)null;
        using var sampling = new CancellationTokenSource();
        var downSeen = new List<string>();
        var samples = 0;
        Task? sampler = null;
        try
        {
            await Eventually.True(async () => (await RunningTaskIdsAsync(service)).Count == 4, TimeSpan.FromSeconds(60), $"{service} runs 4 tasks");
            var tasksBefore = await RunningTaskIdsAsync(service);
            var leader = await fixture.LeaderAsync(FaultCluster.Managers) ?? throw new InvalidOperationException("no leader");
            var follower = FaultCluster.Managers.First(m => m != leader);
            sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    if (await fixture.LeaderAsync(FaultCluster.Managers) is { } l)
                    {
                        var down = (await fixture.NodesAsync(l)).Where(n => n.Status != "ready").Select(n => $"{n.Hostname} {n.Status}").ToList();
                        lock (downSeen) { downSeen.AddRange(down); samples++; }
                    }
                    await Task.Delay(300);
                }
            });
            load = new WriteLoad(fixture, $"clk{Environment.TickCount64 % 100000}", () => FaultCluster.Managers, writers: 1);

            var steps = new List<string>();
            var shiftsSeen = new List<double>();
            foreach (var (node, role) in new[] { (follower, "follower manager"), (FaultCluster.Worker, "worker"), (leader, "leader") })
            {
                fixture.SetClockOffset(node, TimeSpan.FromHours(1));
                var shifted = DateTime.UtcNow;
                // The hook must really have moved the clock, or the case proves nothing: what the node stamps shows it.
                var seen = role switch
                {
                    "worker" => await WorkerClockShiftAsync(service, node),
                    "leader" => await LeaderClockShiftAsync(service, node),
                    _ => (TimeSpan?)null,
                };
                if (seen is { } shift) shiftsSeen.Add(shift.TotalMinutes);
                var left = hold - (DateTime.UtcNow - shifted);
                if (left > TimeSpan.Zero) await Task.Delay(left);
                fixture.SetClockOffset(node, TimeSpan.Zero);
                await Task.Delay(hold);
                steps.Add($"n{node} ({role}{(seen is { } s ? $", stamps {s.TotalMinutes:+0;-0} min" : "")})");
            }
            await load.StopAsync();
            sampling.Cancel();
            await sampler;

            var tasksAfter = await RunningTaskIdsAsync(service);
            var replaced = tasksBefore.Except(tasksAfter).Count();
            var observed = $"{string.Join(", ", steps)} each +1 h for {hold.TotalSeconds:0} s then back: {downSeen.Count} not-Ready sightings in {samples} samples"
                + (downSeen.Count > 0 ? $" ({string.Join("; ", downSeen.Distinct())})" : "")
                + $", {replaced} of {tasksBefore.Count} tasks replaced, {load.Acknowledged.Count} writes acknowledged, {load.Failed} failed";
            output.WriteLine(observed);
            FaultTable.Check("clock of one node +1 h and back (follower, worker, leader)", "no node Down, no task replaced, writes keep working", observed,
                shiftsSeen.Count == 2 && shiftsSeen.All(m => m > 55) && downSeen.Count == 0 && samples > 0 && replaced == 0 && tasksAfter.Count == 4 && load.Acknowledged.Count > 0 && load.Failed == 0);
        }
        finally
        {
            sampling.Cancel();
            if (sampler is not null) await sampler;
            if (load is not null) await load.StopAsync();
            foreach (var node in FaultCluster.All) fixture.SetClockOffset(node, TimeSpan.Zero);
            await cluster.EventSwarm(1, "service", "rm", service, $"{service}-probe-worker", $"{service}-probe-leader");
        }
    }

    /// <summary>How far ahead the worker's clock is, from the time it stamps on a task it starts (its status report).</summary>
    private async Task<TimeSpan> WorkerClockShiftAsync(string service, int worker)
    {
        await Task.Delay(1500);   // the hook reads its file at most once a second
        var probe = $"{service}-probe-worker";
        (await fixture.Cluster.EventSwarm(1, "service", "create", "-d", "--name", probe, "--constraint", $"node.hostname==n{worker}", "--stop-grace-period", "1s",
            "busybox", "sleep", "3600")).ShouldSucceed();
        DateTime? stamped = null;
        await Eventually.True(async () => (stamped = (await RunningTasksAsync(probe)).Select(t => (DateTime?)t.Timestamp).FirstOrDefault()) is not null,
            TimeSpan.FromSeconds(30), $"{probe} runs on n{worker}");
        return stamped!.Value - DateTime.UtcNow;
    }

    /// <summary>How far ahead the leader's clock is, from the creation time it stamps on a service.</summary>
    private async Task<TimeSpan> LeaderClockShiftAsync(string service, int leader)
    {
        await Task.Delay(1500);
        var probe = $"{service}-probe-leader";
        Assert.True(await fixture.CreateServiceAsync(leader, probe), $"{probe} created through n{leader}");
        using var http = fixture.Http(leader);
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/v1.41/services/{probe}"));
        return json.RootElement.GetProperty("CreatedAt").GetDateTime().ToUniversalTime() - DateTime.UtcNow;
    }

    private async Task<IReadOnlySet<string>> RunningTaskIdsAsync(string service) =>
        (await RunningTasksAsync(service)).Select(t => t.Id).ToHashSet();

    private async Task<IReadOnlyList<(string Id, DateTime Timestamp)>> RunningTasksAsync(string service)
    {
        var leader = await fixture.LeaderAsync(FaultCluster.Managers);
        if (leader is null) return [];
        using var http = fixture.Http(leader.Value);
        var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["service"] = [service], ["desired-state"] = ["running"] }));
        using var tasks = JsonDocument.Parse(await http.GetStringAsync($"/v1.41/tasks?filters={filter}"));
        return tasks.RootElement.EnumerateArray().Where(t => t.GetProperty("Status").GetProperty("State").GetString() == "running")
            .Select(t => (t.GetProperty("ID").GetString()!, t.GetProperty("Status").GetProperty("Timestamp").GetDateTime().ToUniversalTime())).ToList();
    }
}
