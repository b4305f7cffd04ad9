namespace EventSwarm.Application.Workers;

/// <summary>
/// The secrets and configs a task's container reads, with their data in clear. Swarm's dispatcher hands a node a
/// secret only while a task assigned to it references it; here a node asks for them task by task, when it prepares
/// the task's container (a manager reads its own log; a worker asks its manager over the mTLS link).
/// </summary>
public interface ITaskFiles
{
    /// <summary>
    /// The task's files (none for a task that references no secret or config); throws
    /// <see cref="TaskFilesUnavailableException"/> when they cannot be had (no manager answers, or it refuses: the
    /// task is not assigned to this node).
    /// </summary>
    Task<IReadOnlyList<TaskFile>> ForTaskAsync(string taskId, CancellationToken ct);
}

/// <summary>Why a task's files could not be had, in words fit for the task's error: never any of the data.</summary>
public sealed class TaskFilesUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

public enum TaskFileKind { Secret, Config }

/// <summary>
/// One file of a task: <paramref name="Target"/> is the absolute path in the container (a secret's relative target
/// is already under /run/secrets, a config's under /), owned by <paramref name="Uid"/>:<paramref name="Gid"/>
/// with the given mode, as Swarm's SecretReference/ConfigReference file target.
/// </summary>
public sealed record TaskFile(TaskFileKind Kind, string ObjectId, string Name, long DataVersion, string Target, string Uid, string Gid, uint Mode, byte[] Data)
{
    // Data stays out of ToString: records print every member, and a secret must never reach a log line.
    public override string ToString() => $"{Kind} {Name} v{DataVersion} -> {Target}";
}
