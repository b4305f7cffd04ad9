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

public sealed class SystemClock : IClock
{
    public DateTimeOffset Now => DateTimeOffset.UtcNow;
}
