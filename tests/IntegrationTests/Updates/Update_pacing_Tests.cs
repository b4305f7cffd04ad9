using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Updates;

/// <summary>
/// update_config's parallelism and delay, read off the real tasks' times: no more slots in flight than the
/// parallelism, and the next batch only once the previous one has run for the delay (swarmkit's updater).
/// </summary>
public sealed class Update_pacing_Tests(SwarmOfOne fixture, ITestOutputHelper output) : IClassFixture<SwarmOfOne>
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(3);

    /// <summary>Times of two clocks of one machine (the manager's CreatedAt, the worker's report): a little slack.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);

    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public async Task Four_replicas_at_parallelism_2_and_delay_3s_are_replaced_two_at_a_time_3s_apart()
    {
        const string name = "pace";
        var probe = new UpdateProbe(Agent);
        (await Agent.Docker("service", "create", "-d", "--no-resolve-image", "--name", name, "--replicas", "4", "--stop-grace-period", "1s",
            "--update-parallelism", "2", "--update-delay", "3s", "--update-monitor", "1s", UpdateProbe.V1)).ShouldSucceed();
        await probe.WaitForRunningAsync(name, 4, UpdateProbe.V1);

        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.V2, name)).ShouldSucceed();
        await probe.WaitForUpdateStateAsync(name, "completed");
        await probe.WaitForRunningAsync(name, 4, UpdateProbe.V2);

        // Each new task: when the updater made it, and when it ran (its status while it still runs is its Running report).
        var replaced = (await probe.TasksAsync(name))
            .Where(t => UpdateProbe.ImageOf(t).StartsWith(UpdateProbe.V2, StringComparison.Ordinal))
            .Select(t => (Slot: t.GetProperty("Slot").GetInt32(), Created: UpdateProbe.Time(t, "CreatedAt"), Running: UpdateProbe.Time(t.GetProperty("Status"), "Timestamp")))
            .OrderBy(t => t.Created).ToList();
        foreach (var t in replaced) output.WriteLine($"slot {t.Slot}: created {t.Created:HH:mm:ss.fff}, running {t.Running:HH:mm:ss.fff}");
        Assert.Equal(4, replaced.Count);
        Assert.Equal([1, 2, 3, 4], replaced.Select(t => t.Slot).Order());

        // In flight when each was made: made before it and not yet run for the delay. Never more than the parallelism.
        foreach (var task in replaced)
        {
            var inFlight = replaced.Count(o => o.Created <= task.Created && o.Running + Delay - Slack > task.Created);
            Assert.True(inFlight <= 2, $"{inFlight} slots in flight when slot {task.Slot} was replaced");
        }

        // Two batches: the first two made together, the second two once both of the first had run for the delay.
        var first = replaced.Take(2).ToList();
        var second = replaced.Skip(2).ToList();
        Assert.True(first[1].Created - first[0].Created < Delay, $"the first batch was made {first[1].Created - first[0].Created} apart");
        var ranFirst = first.Max(t => t.Running);
        Assert.True(second.Min(t => t.Created) >= ranFirst + Delay - Slack,
            $"the second batch was made {second.Min(t => t.Created) - ranFirst} after the first one ran (delay {Delay})");
        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }
}
