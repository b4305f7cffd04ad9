using System.Collections.Concurrent;
using System.Diagnostics;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Application.Nodes;

/// <summary>
/// When each node's worker was last heard from. Kept in the leader's memory, never in the log: a heartbeat every
/// few seconds per node would drown the history, and only its consequences (a node going down or coming back)
/// are facts worth recording.
/// </summary>
/// <param name="defaultPeriod">The period outside a swarm, and where the swarm's spec leaves it at zero.</param>
/// <param name="projection">The swarm whose spec sets the period; without one, the default is the period.</param>
public sealed class Heartbeats(TimeSpan defaultPeriod, ClusterProjection? projection = null)
{
    /// <summary>Swarm's default dispatcher heartbeat period.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(5);

    // Monotonic timestamps (Stopwatch), not wall time: silence is a duration, and a wall clock stepped by NTP or
    // by hand must not make every node look an hour late (swarmkit's dispatcher uses Go's monotonic timers).
    private readonly ConcurrentDictionary<string, long> _last = new();
    private readonly ConcurrentDictionary<string, long> _disconnected = new();

    /// <summary>
    /// The swarm spec's Dispatcher.HeartbeatPeriod, the one source of the period: what GET /swarm reports is what
    /// the nodes beat and what the node monitor allows (three periods). `swarm update --dispatcher-heartbeat`
    /// changes it for every node, each reading it from its own copy of the state, as swarmkit's dispatcher sends
    /// the spec's period to every agent. Zero (an update that left it out) keeps the default: a zero period
    /// would otherwise beat without pause.
    /// </summary>
    public TimeSpan Period => PeriodOf(projection?.Current.Swarm?.Spec, defaultPeriod);

    public static TimeSpan PeriodOf(SwarmSpec? spec, TimeSpan defaultPeriod) =>
        spec is { HeartbeatPeriod: > 0 } ? TimeSpan.FromTicks(Math.Max(1, spec.HeartbeatPeriod / (SwarmSpec.NanosecondsPerSecond / TimeSpan.TicksPerSecond))) : defaultPeriod;

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
