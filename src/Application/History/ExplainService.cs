using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.History;

/// <summary>A service's life, from the history: `explain service`.</summary>
/// <param name="Versions">Each change of its spec (create, scale, update, rollback, remove) with who, when and what changed.</param>
/// <param name="Updates">The rolling updates' progress: started, paused, completed, rolled back.</param>
/// <param name="Tasks">Its tasks by their last observed state (as the history last saw them).</param>
/// <param name="RecentFailures">Its last few failed or rejected tasks, newest first.</param>
public sealed record ServiceExplanation(
    string ServiceId,
    string Name,
    bool Removed,
    IReadOnlyList<ServiceChange> Versions,
    IReadOnlyList<ServiceChange> Rollbacks,
    IReadOnlyList<ServiceChange> Updates,
    IReadOnlyDictionary<string, int> Tasks,
    IReadOnlyList<TaskFailure> RecentFailures);

public sealed record ServiceChange(DateTimeOffset At, long Index, string Who, string Command, string CorrelationId, string Change);

public sealed record TaskFailure(DateTimeOffset At, long Index, string TaskId, string Task, string Node, string State, string Error);

public static class ExplainService
{
    public const int FailuresShown = 5;

    /// <summary>
    /// Explains the service named (or with the ID) <paramref name="nameOrId"/>, also one removed since (its name found
    /// in its past events; the latest of that name if several); null when the history holds none.
    /// </summary>
    public static ServiceExplanation? Of(IEnumerable<HistoryEntry> history, ClusterState current, string nameOrId)
    {
        var names = new HistoryNames(current);
        var entries = history.ToList();
        foreach (var entry in entries) names.Observe(entry);
        var id = current.LookupService(nameOrId).Match?.Id
            ?? (entries.Any(e => e.Recorded.Event is ServiceCreated c && c.ServiceId == nameOrId) ? nameOrId : null)
            ?? entries.Select(e => e.Recorded.Event).OfType<ServiceCreated>().LastOrDefault(c => names.ServicesNamed(nameOrId).Contains(c.ServiceId))?.ServiceId;
        if (id is null) return null;

        names = new HistoryNames(current);
        var versions = new List<ServiceChange>();
        var rollbacks = new List<ServiceChange>();
        var updates = new List<ServiceChange>();
        var states = new Dictionary<string, TaskState>();
        var failures = new List<TaskFailure>();
        var removed = false;
        foreach (var entry in entries)
        {
            var change = names.Describe(entry.Recorded.Event);
            ServiceChange Change(string what) =>
                new(entry.Recorded.Metadata.At, entry.Sequence, entry.Recorded.Metadata.Actor, entry.Recorded.Metadata.Command, entry.Recorded.Metadata.CorrelationId, what);
            switch (entry.Recorded.Event)
            {
                case ServiceCreated e when e.ServiceId == id: versions.Add(Change(change!)); break;
                case ServiceScaled e when e.ServiceId == id: versions.Add(Change(change!)); break;
                case ServiceUpdated e when e.ServiceId == id: versions.Add(Change(change!)); break;
                case ServiceRolledBack e when e.ServiceId == id:
                    versions.Add(Change(change!));
                    rollbacks.Add(Change(change!));
                    break;
                case ServiceRemoved e when e.ServiceId == id:
                    versions.Add(Change(change!));
                    removed = true;
                    break;
                case ServiceUpdateStarted e when e.ServiceId == id: updates.Add(Change("update started")); break;
                case ServiceUpdatePaused e when e.ServiceId == id: updates.Add(Change($"update paused: {e.Message}")); break;
                case ServiceUpdateCompleted e when e.ServiceId == id: updates.Add(Change("update completed")); break;
                case TaskCreated e when e.ServiceId == id: states[e.TaskId] = TaskState.New; break;
                case TaskAssigned e when states.ContainsKey(e.TaskId): states[e.TaskId] = TaskState.Assigned; break;
                case TaskUnschedulable e when states.ContainsKey(e.TaskId): states[e.TaskId] = TaskState.Pending; break;
                case TaskOrphaned e when states.ContainsKey(e.TaskId): states[e.TaskId] = TaskState.Orphaned; break;
                case TaskStatusReported e when states.TryGetValue(e.TaskId, out var was) && e.Status.State >= was:
                    states[e.TaskId] = e.Status.State;
                    if (e.Status.State is TaskState.Failed or TaskState.Rejected && names.TaskOf(e.TaskId) is { } task)
                        failures.Add(new TaskFailure(e.Status.Timestamp, entry.Sequence, e.TaskId, $"{names.ServiceName(id)}.{(task.Slot > 0 ? task.Slot : e.NodeId)}",
                            names.NodeName(e.NodeId), e.Status.State.ToWire(), e.Status.Error ?? e.Status.Message));
                    break;
            }
            names.Observe(entry);
        }
        var counts = states.Values.GroupBy(s => s.ToWire()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new ServiceExplanation(id, names.ServiceName(id), removed || !current.Services.ContainsKey(id), versions, rollbacks, updates, counts,
            [.. failures.AsEnumerable().Reverse().Take(FailuresShown)]);
    }
}
