using EventSwarm.Application.Log;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Archive;

/// <summary>What the archiver has done so far, for /metrics: how far the archive holds the log and how far behind it is.</summary>
public sealed class ArchiveStatus(string description)
{
    private readonly Lock _lock = new();
    private long _archivedThrough;
    private long _logThrough;
    private DateTimeOffset? _oldestWaitingAt;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private long _errors;
    private bool _up;

    /// <summary>Host and database, never the password.</summary>
    public string Description => description;

    public ArchiveSnapshot Read(DateTimeOffset now)
    {
        lock (_lock)
            return new ArchiveSnapshot(_archivedThrough, Math.Max(0, _logThrough - _archivedThrough),
                _logThrough > _archivedThrough && _oldestWaitingAt is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0,
                _up, _errors, _lastError, _lastErrorAt);
    }

    internal void Archived(long through, long logThrough, DateTimeOffset? oldestWaitingAt)
    {
        lock (_lock) (_archivedThrough, _logThrough, _oldestWaitingAt, _up) = (through, Math.Max(logThrough, through), oldestWaitingAt, true);
    }

    internal void Failed(Exception e, DateTimeOffset at)
    {
        lock (_lock)
        {
            (_lastError, _lastErrorAt, _up) = (e.Message, at, false);
            _errors++;
        }
    }
}

/// <summary>The archive's state at an instant: what /metrics prints.</summary>
public sealed record ArchiveSnapshot(long ArchivedThrough, long LagEvents, double LagSeconds, bool Up, long Errors, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>
/// Copies the log into the archive: it tails the history files (never the Raft path, so a slow or absent database
/// cannot hold a commit back), from the sequence after the last archived, in chunks of at most
/// <see cref="ChunkSize"/> events per transaction. A database error backs off (up to <see cref="MaxBackoff"/>) and
/// resumes from what the archive says it holds, which is also what makes a crash or a change of leader safe.
/// </summary>
public sealed class Archiver(IEventArchive archive, ArchiveStatus status, ILogger logger, TimeProvider time)
{
    public const int ChunkSize = 1000;
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>Archives until <paramref name="ct"/> is cancelled (the node stops leading or stops).</summary>
    public async Task RunAsync(IEventHistory history, CancellationToken ct)
    {
        var backoff = FirstBackoff;
        long through = -1;
        string? failing = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (through < 0) through = await archive.ArchivedThroughAsync(ct);
                var last = history.LastSequence;
                if (last <= through)
                {
                    status.Archived(through, last, null);
                    await history.WaitForAsync(through, Poll, ct);
                    continue;
                }
                var from = through + 1;
                if (history.FirstSequence > from)
                {
                    // This manager's history begins after what the archive holds (it joined from a snapshot after an
                    // archive-less stretch): those events are nowhere to copy from here; say so once and go on.
                    logger.LogWarning("archive {Archive} holds the log through {Through} but this manager's history begins at {First}: events {From}-{Before} cannot be archived from here",
                        archive.Description, through, history.FirstSequence, from, history.FirstSequence - 1);
                    from = history.FirstSequence;
                }
                var chunk = history.Read(new EventSelection(from, Math.Min(last, from + ChunkSize - 1))).Take(ChunkSize).ToList();
                if (chunk.Count == 0)
                {
                    await Task.Delay(FirstBackoff, time, ct);
                    continue;
                }
                status.Archived(through, last, chunk[0].Recorded.Metadata.At);
                await archive.AppendAsync(chunk, ct);
                through = chunk[^1].Sequence;
                status.Archived(through, Math.Max(last, history.LastSequence), null);
                if (failing is not null)
                {
                    logger.LogInformation("archive {Archive} reachable again: archived through {Through}", archive.Description, through);
                    failing = null;
                }
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                status.Failed(e, time.GetUtcNow());
                if (failing != e.Message)
                    logger.LogWarning("archive {Archive} unavailable ({Error}); the node carries on and the archiver retries", archive.Description, e.Message);
                failing = e.Message;
                // What the archive holds is read again: a failed transaction may or may not have committed.
                through = -1;
                try
                {
                    await Task.Delay(backoff, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }
}
