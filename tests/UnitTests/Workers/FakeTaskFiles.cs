using System.Collections.Concurrent;
using EventSwarm.Application.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>A manager's answers about tasks' files, set by the test: none for a task it names nothing for.</summary>
internal sealed class FakeTaskFiles : ITaskFiles
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<TaskFile>> _files = new();
    private readonly ConcurrentDictionary<string, Exception> _refusals = new();
    private readonly ConcurrentQueue<string> _asked = new();

    /// <summary>The tasks asked for, in order.</summary>
    public IReadOnlyList<string> Asked => [.. _asked];

    public void Give(string taskId, params TaskFile[] files) => _files[taskId] = files;

    /// <summary>Asking for the task's files fails with this (a refusal, the manager unreachable).</summary>
    public void Refuse(string taskId, Exception refusal) => _refusals[taskId] = refusal;

    public Task<IReadOnlyList<TaskFile>> ForTaskAsync(string taskId, CancellationToken ct)
    {
        _asked.Enqueue(taskId);
        if (_refusals.TryGetValue(taskId, out var refusal)) return Task.FromException<IReadOnlyList<TaskFile>>(refusal);
        return Task.FromResult(_files.GetValueOrDefault(taskId) ?? []);
    }
}

/// <summary>The node's file system for tasks' files, in memory: what each task has written now.</summary>
internal sealed class FakeTaskFileStore : ITaskFileStore
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<TaskFile>> _written = new();

    public static string SourceOf(string taskId, TaskFile file) => $"/store/{taskId}/{file.ObjectId}-v{file.DataVersion}";

    /// <summary>The tasks whose files are on the node now.</summary>
    public IReadOnlyCollection<string> Tasks => [.. _written.Keys];

    public bool Holds(string taskId) => _written.ContainsKey(taskId);

    /// <summary>Files a killed agent left on the node.</summary>
    public void Leave(string taskId, params TaskFile[] files) => _written[taskId] = files;

    /// <summary>While set, writing fails with it (a full tmpfs, a mount refused).</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<FileMount> Write(string taskId, IReadOnlyList<TaskFile> files)
    {
        if (Failure is { } failure) throw failure;
        _written[taskId] = files;
        return [.. files.Select(f => new FileMount(SourceOf(taskId, f), f.Target))];
    }

    public void Remove(string taskId) => _written.TryRemove(taskId, out _);

    public void RemoveAllBut(IReadOnlySet<string> taskIds)
    {
        foreach (var taskId in _written.Keys)
            if (!taskIds.Contains(taskId)) _written.TryRemove(taskId, out _);
    }
}
