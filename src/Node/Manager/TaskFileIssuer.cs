using EventSwarm.Application.Workers;

namespace EventSwarm.Node.Manager;

// PLACEHOLDER on branch wp-worker so that the node's half compiles: the coordinator's TaskFileIssuer replaces this
// file on merge.
public sealed class TaskFileIssuer
{
    public Task<IReadOnlyList<TaskFile>> ForNodeAsync(string nodeId, string taskId, CancellationToken ct) =>
        throw new NotImplementedException("TaskFileIssuer is the coordinator's");
}
