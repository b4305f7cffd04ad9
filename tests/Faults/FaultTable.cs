namespace EventSwarm.Faults;

/// <summary>
/// The fault suite's report: every case records what was expected and what was observed, one row per case, in a
/// tab-separated file that ops/test.sh and ops/faults.sh print as a table (case / expected / observed / OK) after
/// the run. A case still asserts: the table is for the operator reading the run, the assertion fails the build.
/// </summary>
public static class FaultTable
{
    private static readonly object Gate = new();

    /// <summary>The table's file: $EVENTSWARM_FAULT_TABLE, or /tmp/eventswarm-faults.tsv.</summary>
    public static string FilePath => Environment.GetEnvironmentVariable("EVENTSWARM_FAULT_TABLE") is { Length: > 0 } path
        ? path
        : "/tmp/eventswarm-faults.tsv";

    /// <summary>True for ops/faults.sh's long form (more rounds, longer partitions); the normal test command runs the short one.</summary>
    public static bool LongForm => Environment.GetEnvironmentVariable("EVENTSWARM_FAULTS_LONG") == "1";

    public static void Record(string @case, string expected, string observed, bool ok)
    {
        static string Cell(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        lock (Gate)
            File.AppendAllText(FilePath, $"{Cell(@case)}\t{Cell(expected)}\t{Cell(observed)}\t{(ok ? "OK" : "FAIL")}\n");
    }

    /// <summary>Records the row, then fails the test when the case did not hold.</summary>
    public static void Check(string @case, string expected, string observed, bool ok)
    {
        Record(@case, expected, observed, ok);
        Assert.True(ok, $"{@case}: expected {expected}, observed {observed}");
    }
}
