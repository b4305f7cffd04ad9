using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Secrets;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Node.Manager;

/// <summary>
/// A manager's half of delivering secrets and configs (Swarm's dispatcher/assignments.go): a node gets the files of
/// a task only if the task is assigned to it and still meant to run, each at the version of the data the task was
/// made with, opened here and sent over the node's mTLS link (or handed in process to this manager's own worker).
/// </summary>
public sealed class TaskFileIssuer(ClusterProjection projection, ISecretCipher cipher)
{
    public Task<IReadOnlyList<TaskFile>> ForNodeAsync(string nodeId, string taskId, CancellationToken ct)
    {
        var state = projection.Current;
        if (!state.Tasks.TryGetValue(taskId, out var task)) throw RequestErrors.NotFound($"task {taskId} not found");
        if (task.NodeId != nodeId || task.DesiredState > TaskState.Running)
            throw new ForbiddenException($"task {taskId} is not assigned to run on node {nodeId}");
        var container = task.Spec.Container;
        var files = new List<TaskFile>();
        foreach (var reference in container.Secrets.IsDefault ? [] : container.Secrets)
        {
            if (reference.File is not { } file) continue;
            var secret = state.Secrets.GetValueOrDefault(reference.SecretId) ?? throw RequestErrors.NotFound($"secret {reference.SecretName} not found");
            var data = reference.DataVersion == 0 ? secret.Current : secret.DataAt(reference.DataVersion)
                ?? throw RequestErrors.NotFound($"secret {secret.Spec.Name} has no version {reference.DataVersion} any more");
            files.Add(new TaskFile(TaskFileKind.Secret, secret.Id, secret.Spec.Name, data.Number,
                Rooted(file.Name, FileReferences.SecretsDirectory), file.Uid, file.Gid, file.Mode, cipher.Open(secret.Id, data.Number, data.Payload)));
        }
        foreach (var reference in container.Configs.IsDefault ? [] : container.Configs)
        {
            if (reference.File is not { } file) continue;
            var config = state.Configs.GetValueOrDefault(reference.ConfigId) ?? throw RequestErrors.NotFound($"config {reference.ConfigName} not found");
            var data = reference.DataVersion == 0 ? config.Current : config.DataAt(reference.DataVersion)
                ?? throw RequestErrors.NotFound($"config {config.Spec.Name} has no version {reference.DataVersion} any more");
            files.Add(new TaskFile(TaskFileKind.Config, config.Id, config.Spec.Name, data.Number,
                Rooted(file.Name, "/"), file.Uid, file.Gid, file.Mode, Convert.FromBase64String(data.Payload)));
        }
        return Task.FromResult<IReadOnlyList<TaskFile>>(files);
    }

    /// <summary>A relative target is under the kind's directory (secrets: /run/secrets; configs: /), as Docker's executor places them.</summary>
    private static string Rooted(string target, string directory) =>
        target.StartsWith('/') ? target : directory.TrimEnd('/') + "/" + target;
}
