using System.Collections.Concurrent;

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

    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _disconnected = new();

    public TimeSpan Period { get; } = period;

    public void Beat(string nodeId, DateTimeOffset at) => _last[nodeId] = at;

    /// <summary>A node's connection to its manager closed: the node is probably gone, and need not get the full grace.</summary>
    public void Disconnected(string nodeId, DateTimeOffset at) => _disconnected[nodeId] = at;

    public void Clear()
    {
        _last.Clear();
        _disconnected.Clear();
    }

    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot() => new Dictionary<string, DateTimeOffset>(_last);

    public IReadOnlyDictionary<string, DateTimeOffset> Disconnects() => new Dictionary<string, DateTimeOffset>(_disconnected);
}
