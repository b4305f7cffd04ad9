using EventSwarm.Application.Workers;

namespace EventSwarm.Node.Manager;

// PLACEHOLDER on branch wp-worker so that the node's half compiles and runs: the coordinator's TaskFileIssuer
// replaces this file on merge. Until then no task references a secret or config, so every task has no files.
public sealed class TaskFileIssuer
{
    public Task<IReadOnlyList<TaskFile>> ForNodeAsync(string nodeId, string taskId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<TaskFile>>([]);
}
