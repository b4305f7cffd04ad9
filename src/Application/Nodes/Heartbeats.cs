using System.Collections.Concurrent;
using System.Diagnostics;

namespace EventSwarm.Application.Nodes;

/// <summary>
/// When each node's worker was last heard from. Kept in the leader's memory, never in the log: a heartbeat every
/// few seconds per node would drown the history, and only its consequences (a node going down or coming back)
/// are facts worth recording.
/// </summary>
public sealed class Heartbeats(TimeSpan period)
{
    /// <summary>Swarm's default dispatcher heartbeat period.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(5);

    // Monotonic timestamps (Stopwatch), not wall time: silence is a duration, and a wall clock stepped by NTP or
    // by hand must not make every node look an hour late (swarmkit's dispatcher uses Go's monotonic timers).
    private readonly ConcurrentDictionary<string, long> _last = new();
    private readonly ConcurrentDictionary<string, long> _disconnected = new();

    public TimeSpan Period { get; } = period;

    public void Beat(string nodeId) => _last[nodeId] = Stopwatch.GetTimestamp();

    /// <summary>A node's connection to its manager closed: the node is probably gone, and need not get the full grace.</summary>
    public void Disconnected(string nodeId) => _disconnected[nodeId] = Stopwatch.GetTimestamp();

    public void Clear()
    {
        _last.Clear();
        _disconnected.Clear();
    }

    /// <summary>Last heartbeat per node, placed on the caller's clock as <paramref name="now"/> minus the time elapsed since.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot(DateTimeOffset now) => OnClock(_last, now);

    public IReadOnlyDictionary<string, DateTimeOffset> Disconnects(DateTimeOffset now) => OnClock(_disconnected, now);

    private static Dictionary<string, DateTimeOffset> OnClock(ConcurrentDictionary<string, long> marks, DateTimeOffset now) =>
        marks.ToDictionary(m => m.Key, m => now - Stopwatch.GetElapsedTime(m.Value));
}
