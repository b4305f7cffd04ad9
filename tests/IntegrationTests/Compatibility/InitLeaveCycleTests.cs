using System.Diagnostics;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>What test suites and scripts do: init, leave --force, init again, as fast as the API answers.</summary>
[Collection(CompatibilityCollection.Name)]
public sealed class InitLeaveCycleTests(OracleFixture fixture, ITestOutputHelper output)
{
    private const int Cycles = 50;

    /// <summary>
    /// Each step's status code and the LocalNodeState /info reports after it must be Docker's. EventSwarm's side is
    /// an agent of its own, so a node these cycles wedge cannot fail the comparisons that follow for another reason.
    /// </summary>
    [Fact]
    public async Task Fifty_fast_init_leave_cycles_answer_as_in_Docker_Swarm_at_every_step()
    {
        await fixture.OutOfSwarmAsync();
        await using var agent = await LocalAgent.StartAsync();
        using var eventswarm = new Side("eventswarm", agent.Socket, "127.0.0.1", $"127.0.0.1:{LocalAgent.FreePort()}");

        var steps = new List<List<string>>();
        foreach (var side in new[] { fixture.Docker, eventswarm })
        {
            var log = new List<string>();
            var clock = Stopwatch.StartNew();
            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                var init = await side.PostAsync("/swarm/init", side.InitBody());
                log.Add($"cycle {cycle} init -> {init.Status} {(init.Status == 200 ? "" : init.Message)}, LocalNodeState {await side.LocalNodeStateAsync()}");
                var leave = await side.PostAsync("/swarm/leave?force=1");
                log.Add($"cycle {cycle} leave --force -> {leave.Status} {(leave.Status == 200 ? "" : leave.Message)}, LocalNodeState {await side.LocalNodeStateAsync()}");
            }
            output.WriteLine($"{side}: {Cycles} init/leave --force cycles in {clock.Elapsed.TotalSeconds:0.0} s");
            steps.Add(log);
        }
        var differences = steps[0].Zip(steps[1]).Where(s => s.First != s.Second)
            .Select(s => $"docker: {s.First}\n    eventswarm: {s.Second}").ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} step(s) differ:\n  {string.Join("\n  ", differences.Take(10))}");
    }
}
