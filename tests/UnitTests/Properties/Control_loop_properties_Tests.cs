using CsCheck;

namespace EventSwarm.UnitTests.Properties;

/// <summary>
/// The pure core under random histories (issue 11): services created, scaled (to 0 too), updated and removed, nodes
/// lost, back, drained, joining and removed, containers exiting, in any order, with every control loop of the
/// leader run to a fixed point after each step and the workers reporting in between. After every pass the slot
/// and address invariants hold; at every fixed point the services run what they ask for, no loop has anything left
/// to decide, and the log replays to the same state. A failure prints the invariant, the shrunk sequence of steps
/// and the seed: `dotnet test -e CsCheck_Seed=SEED --filter Random_histories` runs that case first, and with
/// `-e CsCheck_Iter=5000` too, goes on shrinking it. The long run tries EVENTSWARM_PROPERTY_ITERATIONS histories of
/// up to twice as many steps.
/// </summary>
public sealed class Control_loop_properties_Tests
{
    private const string IterationsVariable = "EVENTSWARM_PROPERTY_ITERATIONS";

    /// <summary>Sized for the unit suite: a few seconds on two cores.</summary>
    private const int Iterations = 100;
    private const int MaxSteps = 25;

    [Fact]
    public void Random_histories_keep_the_swarm_invariants() =>
        // CsCheck's own CsCheck_Iter wins when set (-1 is "CsCheck's default"), so that a failure can be shrunk further.
        ClusterOps.Sequence(MaxSteps).Sample(Run, iter: Environment.GetEnvironmentVariable("CsCheck_Iter") is null ? Iterations : -1, print: Print);

    [LongPropertyFact]
    public void Long_random_histories_keep_the_swarm_invariants() =>
        ClusterOps.Sequence(MaxSteps * 2).Sample(Run, iter: long.Parse(Environment.GetEnvironmentVariable(IterationsVariable)!), print: Print);

    private static void Run(ClusterOp[] ops)
    {
        var swarm = new SimulatedSwarm();
        SwarmInvariants.AtFixedPoint(swarm);
        for (var i = 0; i < ops.Length; i++)
        {
            try
            {
                swarm.Step(ops[i], () => SwarmInvariants.Always(swarm));
                SwarmInvariants.AtFixedPoint(swarm);
            }
            catch (PropertyViolation violation)
            {
                throw new PropertyViolation(violation.Invariant, $"after step {i + 1} ({ops[i]}): {violation.Details}");
            }
        }
        SwarmInvariants.ReplayGivesTheSameDigest(swarm);
    }

    private static string Print(ClusterOp[] ops) => "\n" + string.Join("\n", ops.Select((op, i) => $"  {i + 1}. {op}"));

    /// <summary>A fact that runs only when EVENTSWARM_PROPERTY_ITERATIONS says how many histories to try.</summary>
    private sealed class LongPropertyFactAttribute : FactAttribute
    {
        public LongPropertyFactAttribute()
        {
            if (!long.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var iterations) || iterations <= 0)
                Skip = $"a long run: set {IterationsVariable} (e.g. 5000) to run it";
        }
    }
}
