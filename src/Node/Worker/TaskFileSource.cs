using System.Text.Json;
using System.Text.Json.Serialization;
using EventSwarm.Application;
using EventSwarm.Application.Workers;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Worker;

/// <summary>
/// Where this node gets the files of a task it prepares: a manager asks its own log (the issuer decrypts there and
/// checks that the task is this node's), a worker asks the manager it follows over the mutual-TLS link, which
/// knows the node by its certificate. As Swarm's dispatcher, only a task assigned to the node gets anything.
/// </summary>
public sealed class TaskFileSource(string nodeId, Membership membership, TaskFileIssuer issuer, ManagerClient manager) : ITaskFiles
{
    public async Task<IReadOnlyList<TaskFile>> ForTaskAsync(string taskId, CancellationToken ct)
    {
        try
        {
            return membership.IsWorker ? await manager.TaskFilesAsync(taskId, ct) : await issuer.ForNodeAsync(nodeId, taskId, ct);
        }
        catch (Exception e) when (e is CommandRejectedException or ForbiddenException)
        {
            throw new TaskFilesUnavailableException(e.Message, e);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            // Unreachable, timed out, or no manager to ask (left the swarm): the message says where it failed, no data.
            throw new TaskFilesUnavailableException($"no answer from the manager ({e.Message})", e);
        }
    }
}

/// <summary>
/// A task's file as a manager sends it to a worker: <c>{Kind, ObjectId, Name, DataVersion, Target, Uid, Gid, Mode,
/// Data}</c>, the data in base64. Over the swarm's mutual-TLS listener only, to the node the task is assigned to.
/// </summary>
public sealed record TaskFileWire(
    [property: JsonPropertyName("Kind")] string Kind,
    [property: JsonPropertyName("ObjectId")] string ObjectId,
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("DataVersion")] long DataVersion,
    [property: JsonPropertyName("Target")] string Target,
    [property: JsonPropertyName("Uid")] string Uid,
    [property: JsonPropertyName("Gid")] string Gid,
    [property: JsonPropertyName("Mode")] uint Mode,
    [property: JsonPropertyName("Data")] byte[] Data)
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    public static TaskFileWire Of(TaskFile file) =>
        new(file.Kind == TaskFileKind.Secret ? "secret" : "config", file.ObjectId, file.Name, file.DataVersion, file.Target, file.Uid, file.Gid, file.Mode, file.Data);

    public TaskFile ToTaskFile() => new(Kind switch
    {
        "secret" => TaskFileKind.Secret,
        "config" => TaskFileKind.Config,
        _ => throw new TaskFilesUnavailableException($"the manager sent a file of unknown kind \"{Kind}\""),
    }, ObjectId, Name, DataVersion, Target, Uid, Gid, Mode, Data);

    // Records print every member; a secret's data must never reach a log line.
    public override string ToString() => $"{Kind} {Name} v{DataVersion} -> {Target}";
}
