using System.Runtime.ExceptionServices;

namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>
/// A story on a real cluster that can only be told in order — a leader killed, then back, then quorum lost — and
/// costs a cluster of its own each time it is told. A class fixture tells it once, each step recorded under the
/// behaviour it shows; each test asserts one recorded behaviour. A failing test so names the behaviour that broke,
/// and the tests only read the record: they do not depend on each other's order. As in one long test, the story
/// stops at its first failed step: the steps after it are recorded as not reached, naming the step that failed.
/// </summary>
public sealed class Scenario
{
    private readonly Dictionary<string, ExceptionDispatchInfo?> _outcomes = [];
    private string? _failed;

    /// <summary>Runs a step of the story (unless an earlier one failed) and records how it went.</summary>
    public async Task StepAsync(string behaviour, Func<Task> step)
    {
        if (_failed is not null) return;
        try
        {
            await step();
            _outcomes[behaviour] = null;
        }
        catch (Exception e)
        {
            _outcomes[behaviour] = ExceptionDispatchInfo.Capture(e);
            _failed = behaviour;
        }
    }

    /// <summary>Fails as the step that shows the behaviour failed, or because the story stopped before it.</summary>
    public void AssertHeld(string behaviour)
    {
        if (!_outcomes.TryGetValue(behaviour, out var failure))
            Assert.Fail(_failed is null ? $"no step of the story shows \"{behaviour}\"" : $"the story stopped before this step: \"{_failed}\" failed");
        failure?.Throw();
    }
}
