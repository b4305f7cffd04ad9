namespace EventSwarm.Application.Workers;

/// <summary>
/// Where a node keeps the files of its tasks' secrets and configs while the tasks run: secrets in memory only (a
/// tmpfs of the agent's own), configs on disk, as Docker keeps them. The seam is the node's file system; the
/// worker's tests use one in memory.
/// </summary>
public interface ITaskFileStore
{
    /// <summary>Writes the task's files, replacing any it had, and returns what the container mounts read-only.</summary>
    IReadOnlyList<FileMount> Write(string taskId, IReadOnlyList<TaskFile> files);

    /// <summary>Deletes the task's files: its container ended or is gone (Swarm's agent drops a task's secrets with it).</summary>
    void Remove(string taskId);

    /// <summary>Deletes the files of every task but these: at start, what a killed agent left behind.</summary>
    void RemoveAllBut(IReadOnlySet<string> taskIds);
}

/// <summary>A file on the node, bind-mounted read-only at <paramref name="Target"/> (an absolute path) in the task's container.</summary>
public sealed record FileMount(string Source, string Target);
