using EventSwarm.Domain;

namespace EventSwarm.Application.Log;

/// <summary>
/// The replicated event log (the Raft seam). Appending has two steps so that writes can be pipelined: the outer
/// task completes when the batch has its place in the log (after every batch appended before it), the inner one
/// when it is committed on a quorum and applied to the local projection, so a caller can read its own write.
/// </summary>
public interface IReplicatedLog
{
    ValueTask<Task> AppendAsync(EventBatch batch, CancellationToken ct);

    /// <summary>
    /// Waits until every entry committed before this node began to lead is applied locally: a new leader must not
    /// decide on a state that misses what its predecessor committed.
    /// </summary>
    ValueTask CatchUpAsync(CancellationToken ct);

    /// <summary>Index of the last committed log entry.</summary>
    long CommittedIndex { get; }
}

public interface IClock
{
    DateTimeOffset Now { get; }
}

/// <summary>
/// The host's wall clock. Wall time stamps events and decides restart delays; how long a node has been silent is
/// measured with elapsed (monotonic) time instead (<see cref="Nodes.Heartbeats"/>), as swarmkit's dispatcher does
/// with Go's monotonic timers, so a clock that jumps does not mark nodes down.
/// </summary>
public sealed class SystemClock : IClock
{
    /// <summary>
    /// Fault-injection hook only (tests/Faults, ops/faults.sh): the nodes of a test cluster share one kernel clock,
    /// so a clock jump of one node is simulated by adding the offset written in this file (seconds, may be
    /// negative; absent or unreadable = no offset). Never set in production.
    /// </summary>
    public const string FaultOffsetFileVariable = "EVENTSWARM_FAULT_CLOCK_OFFSET_FILE";

    private static readonly TimeSpan ReadInterval = TimeSpan.FromSeconds(1);
    private readonly string? _offsetFile = Environment.GetEnvironmentVariable(FaultOffsetFileVariable) is { Length: > 0 } file ? file : null;
    private TimeSpan _offset;
    private long _offsetReadAt = Environment.TickCount64 - 60_000;   // read on first use

    public DateTimeOffset Now => DateTimeOffset.UtcNow + Offset();

    private TimeSpan Offset()
    {
        if (_offsetFile is null) return TimeSpan.Zero;
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _offsetReadAt) < ReadInterval.TotalMilliseconds) return _offset;
        try
        {
            _offset = File.Exists(_offsetFile) && double.TryParse(File.ReadAllText(_offsetFile).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.Zero;
        }
        catch (IOException)
        {
            _offset = TimeSpan.Zero;
        }
        Interlocked.Exchange(ref _offsetReadAt, now);
        return _offset;
    }
}
