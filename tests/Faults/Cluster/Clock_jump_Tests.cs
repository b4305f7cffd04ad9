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
            foreach (var (node, role) in new[] { (follower, "follower manager"), (FaultCluster.Worker, "worker"), (leader, "leader") })
            {
                fixture.SetClockOffset(node, TimeSpan.FromHours(1));
                await Task.Delay(hold);
                fixture.SetClockOffset(node, TimeSpan.Zero);
                await Task.Delay(hold);
                steps.Add($"n{node} ({role})");
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
                downSeen.Count == 0 && samples > 0 && replaced == 0 && tasksAfter.Count == 4 && load.Acknowledged.Count > 0 && load.Failed == 0);
        }
        finally
        {
            sampling.Cancel();
            if (sampler is not null) await sampler;
            if (load is not null) await load.StopAsync();
            foreach (var node in FaultCluster.All) fixture.SetClockOffset(node, TimeSpan.Zero);
            await cluster.EventSwarm(1, "service", "rm", service);
        }
    }

    private async Task<IReadOnlySet<string>> RunningTaskIdsAsync(string service)
    {
        var leader = await fixture.LeaderAsync(FaultCluster.Managers);
        if (leader is null) return new HashSet<string>();
        using var http = fixture.Http(leader.Value);
        var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["service"] = [service], ["desired-state"] = ["running"] }));
        using var tasks = JsonDocument.Parse(await http.GetStringAsync($"/v1.41/tasks?filters={filter}"));
        return tasks.RootElement.EnumerateArray().Where(t => t.GetProperty("Status").GetProperty("State").GetString() == "running")
            .Select(t => t.GetProperty("ID").GetString()!).ToHashSet();
    }
}
