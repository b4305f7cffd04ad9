using System.Text.Json;
using EventSwarm.Domain;

namespace EventSwarm.Node.Simulation;

/// <summary>
/// The simulation's figures, gathered by every node and taken once a second (<see cref="Take"/>): feed lag (from a
/// batch's commit, its metadata At, to its application in a node's projection, same machine clock), bytes received,
/// reports sent. Counters are interlocked; lags are kept only until the next take.
/// </summary>
public sealed class SimulationStats
{
    private readonly object _gate = new();
    private List<double> _lags = [];
    private long _bytes;
    private long _reports;
    private int _joined;

    public int Joined => Volatile.Read(ref _joined);

    public void NodeJoined() => Interlocked.Increment(ref _joined);

    public void Received(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Reported(int reports) => Interlocked.Add(ref _reports, reports);

    /// <summary>One lag per batch among the events a node applied (events of one batch share its metadata).</summary>
    public void Applied(IReadOnlyList<RecordedEvent> events, DateTimeOffset appliedAt)
    {
        if (events.Count == 0) return;
        var lags = new List<double>();
        DateTimeOffset? previous = null;
        foreach (var e in events)
        {
            if (e.Metadata.At == previous) continue;
            previous = e.Metadata.At;
            lags.Add(Math.Max(0, (appliedAt - e.Metadata.At).TotalMilliseconds));
        }
        lock (_gate) _lags.AddRange(lags);
    }

    /// <summary>The second's figures; the lags and the per-second counters start over.</summary>
    public SimulationSample Take(DateTimeOffset at, int tasks, int running)
    {
        List<double> lags;
        lock (_gate) (lags, _lags) = (_lags, []);
        lags.Sort();
        return new SimulationSample(at, Joined, tasks, running, Percentile(lags, 0.50), Percentile(lags, 0.99),
            Interlocked.Exchange(ref _bytes, 0), Interlocked.Exchange(ref _reports, 0));
    }

    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
}

/// <summary>One second of a simulation, as the --stats file's JSON line (the scale bench reads these names).</summary>
public sealed record SimulationSample(DateTimeOffset At, int Joined, int Tasks, int Running, double? FeedLagP50Ms, double? FeedLagP99Ms, long FeedBytes, long Reports)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    public string ToStatusLine(int nodes) =>
        $"simulate {At:HH:mm:ss} joined {Joined}/{nodes} tasks {Tasks} running {Running} feed lag p50 {FeedLagP50Ms?.ToString("0") ?? "-"} ms p99 {FeedLagP99Ms?.ToString("0") ?? "-"} ms, {FeedBytes / 1024.0:0.#} KiB/s, reports {Reports}/s";
}
