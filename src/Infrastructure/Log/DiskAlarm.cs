using EventSwarm.Application;
using EventSwarm.Domain;

namespace EventSwarm.Infrastructure.Log;

/// <summary>
/// etcd's NOSPACE alarm for the data directory's filesystem: while it is raised, writes to the log are refused
/// with "no space left on device" and nothing is appended, while reads and heartbeats (which live in memory) go on.
/// Unlike etcd, which waits for `etcdctl alarm disarm`, it clears by itself: a probe every second sees the space
/// come back. It is raised when the free space falls below a reserve (checked before every append, so a write is
/// refused before it could fail half-way) or when a write to the log failed with ENOSPC anyway (another process
/// took the space between the check and the write, or a follower's log was written by Raft, which no check sees).
/// </summary>
public sealed class DiskAlarm(string dataDirectory, long reserveBytes = DiskAlarm.DefaultReserveBytes)
{
    /// <summary>The words of ENOSPC, as dockerd and etcd print them: what an operator (and a script) looks for.</summary>
    public const string NoSpace = "no space left on device";

    /// <summary>
    /// One WAL chunk (4 MiB): room for the entries in flight when the alarm rises, the snapshot the state machine
    /// may be writing and the membership file, so that what was accepted can still be written.
    /// </summary>
    public const long DefaultReserveBytes = 4L * 1024 * 1024;

    private const int Enospc = 28;

    /// <summary>$EVENTSWARM_DATA_RESERVE_BYTES (as etcd's --quota-backend-bytes, a knob for the operator), or the default.</summary>
    public static long ReserveFromEnvironment() =>
        long.TryParse(Environment.GetEnvironmentVariable("EVENTSWARM_DATA_RESERVE_BYTES"), out var bytes) && bytes >= 0 ? bytes : DefaultReserveBytes;

    private volatile string? _lowSpace;
    private volatile string? _writeFailure;
    private long _writeErrors;

    public string DataDirectory => dataDirectory;

    public long ReserveBytes => reserveBytes;

    public bool IsRaised => _lowSpace is not null || _writeFailure is not null;

    /// <summary>The alarm's message (what `node inspect`, `info` and refused writes show), or null.</summary>
    public string? Message => _writeFailure ?? _lowSpace;

    /// <summary>Writes refused or failed for want of space since the agent started.</summary>
    public long WriteErrors => Interlocked.Read(ref _writeErrors);

    /// <summary>True while a write to the log failed with ENOSPC and the log has not been reopened since.</summary>
    public bool LogWriteFailed => _writeFailure is not null;

    /// <summary>Bytes an unprivileged writer may still use on the data directory's filesystem (statvfs f_bavail).</summary>
    public long AvailableBytes()
    {
        try
        {
            return new DriveInfo(dataDirectory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A filesystem that cannot be asked is not declared full: the write itself will tell.
            return long.MaxValue;
        }
    }

    /// <summary>Raises or clears the low-space part of the alarm from the free space now; true when there is room.</summary>
    public bool Probe()
    {
        var available = AvailableBytes();
        _lowSpace = available >= reserveBytes
            ? null
            : $"write {dataDirectory}: {NoSpace} ({Size(available)} free on the data directory's filesystem, {Size(reserveBytes)} kept in reserve): writes are refused until space is freed, then resume by themselves";
        return _lowSpace is null;
    }

    /// <summary>Before an append: refuses it (counted, the alarm raised) when the space is short.</summary>
    public void EnsureRoomForWrite()
    {
        if (Probe() && _writeFailure is null) return;
        throw Refused();
    }

    /// <summary>
    /// After a failed write, the log is reopened only once this much is free: reopening on a filesystem that is
    /// still all but full would fail the next write at once. The reserve, and at least 1 MiB (with a reserve of 0,
    /// which turns the check before appends off, a write is refused only once one has failed).
    /// </summary>
    public bool HasRoomToReopen() => AvailableBytes() >= Math.Max(reserveBytes, 1024 * 1024);

    /// <summary>A write to the log failed with ENOSPC: the alarm stays raised until the log is reopened.</summary>
    public void WriteFailed(Exception failure)
    {
        _writeFailure = $"write {dataDirectory}: {NoSpace}: the log could not be written ({Innermost(failure).Message}): writes are refused until space is freed, then resume by themselves";
    }

    /// <summary>The log was reopened on a filesystem with room again.</summary>
    public void LogRecovered() => _writeFailure = null;

    /// <summary>
    /// The refusal of a write. 500, as dockerd answers a daemon-side ENOSPC (an unclassified system error with the
    /// OS's words in the message); not 503, which clients and our own loops read as "no leader yet, retry".
    /// </summary>
    public CommandRejectedException Refused()
    {
        Interlocked.Increment(ref _writeErrors);
        return new CommandRejectedException(new DomainError(ErrorKind.Internal,
            Message ?? $"write {dataDirectory}: {NoSpace}"));
    }

    /// <summary>ENOSPC anywhere in the chain (DotNext wraps its flusher's IOException in an InternalException).</summary>
    public static bool IsNoSpace(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is IOException io && (io.HResult == Enospc || io.Message.Contains(NoSpace, StringComparison.OrdinalIgnoreCase)))
                return true;
        return false;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        >= 1024 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} B",
    };
}
