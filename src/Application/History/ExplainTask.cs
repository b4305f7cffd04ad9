using System.Globalization;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.History;

/// <summary>A task's whole life, from the history: `explain task`.</summary>
/// <param name="Created">The batch that created it; <paramref name="CreatedFor"/> the command (or node failure) behind it when a loop did.</param>
/// <param name="Placement">Why it is on its node, as the scheduler recorded it (null for tasks placed before reasons were kept).</param>
/// <param name="Ended">Why it stopped, null while it runs.</param>
/// <param name="Predecessor">The task its slot had before it, when it replaced one (how that one ended, and its node's failure).</param>
public sealed record TaskExplanation(
    string TaskId,
    string Name,
    string ServiceId,
    string ServiceName,
    long Slot,
    string? Node,
    HistoryCause Created,
    HistoryCause? CreatedFor,
    TaskPlacement? Placement,
    IReadOnlyList<TaskStep> Timeline,
    string? Ended,
    TaskLink? Predecessor,
    TaskLink? Successor,
    int EarlierTasksInSlot);

public sealed record TaskPlacement(string Node, DateTimeOffset At, long Index, string Why, PlacementReason? Reason);

public sealed record TaskStep(DateTimeOffset At, long Index, string What);

/// <param name="NodeFailure">The failure of the node it ran on, when that is how it ended.</param>
public sealed record TaskLink(string TaskId, string? Node, string Ended, HistoryCause? NodeFailure);

public static class ExplainTask
{
    /// <summary>
    /// Explains task <paramref name="taskId"/> (full ID or unique prefix) from the events of its service and nodes;
    /// null when the history holds no such task.
    /// </summary>
    public static TaskExplanation? Of(IEnumerable<HistoryEntry> history, ClusterState current, string taskId)
    {
        var causes = new Causes(new HistoryNames(current));
        var lives = new Dictionary<string, Life>();
        var slots = new Dictionary<(string ServiceId, string Slot), List<string>>();
        foreach (var batch in HistoryBatch.Of(history))
        {
            var (cause, _) = causes.Observe(batch);
            foreach (var entry in batch.Entries)
            {
                var recorded = entry.Recorded;
                if (recorded.Event is TaskCreated created)
                {
                    var slot = SlotOf(created);
                    lives[created.TaskId] = new Life(created, cause, batch.IsReaction ? causes.OfService(created.ServiceId) : null);
                    (slots.TryGetValue(slot, out var list) ? list : slots[slot] = []).Add(created.TaskId);
                    lives[created.TaskId].Step(entry, $"created (desired {created.DesiredState.ToWire()}, spec version {created.SpecVersion.ToString(CultureInfo.InvariantCulture)})");
                    continue;
                }
                if (TaskIdOf(recorded.Event) is not { } id || !lives.TryGetValue(id, out var life)) continue;
                life.Observe(entry, cause, causes);
            }
        }
        var match = lives.ContainsKey(taskId) ? taskId : lives.Keys.Where(k => k.StartsWith(taskId, StringComparison.Ordinal)).ToList() is [var only] ? only : null;
        match ??= lives.Values.Where(l => ContainerName(l, causes.Names).StartsWith(taskId, StringComparison.Ordinal) || Name(l, causes.Names) == taskId)
            .Select(l => l.Created.TaskId).ToList() is [var named] ? named : null;
        if (match is null) return null;
        var task = lives[match];
        var slotTasks = slots[SlotOf(task.Created)];
        var at = slotTasks.IndexOf(match);
        TaskLink? Link(int i) => i < 0 || i >= slotTasks.Count ? null : lives[slotTasks[i]].Link(causes.Names);
        return new TaskExplanation(match, Name(task, causes.Names), task.Created.ServiceId, causes.Names.ServiceName(task.Created.ServiceId), task.Created.Slot,
            task.NodeId is null ? null : causes.Names.NodeName(task.NodeId), task.CreatedBy, task.CreatedFor, task.Placement, task.Steps, task.Ended,
            Link(at - 1), Link(at + 1), at);
    }

    /// <summary>A replica's slot number, or a global task's node: the place a replacement takes over.</summary>
    private static (string ServiceId, string Slot) SlotOf(TaskCreated created) =>
        (created.ServiceId, created.Slot > 0 ? created.Slot.ToString(CultureInfo.InvariantCulture) : "node:" + created.NodeId);

    private static string Name(Life life, HistoryNames names) =>
        life.Created.Slot > 0 ? $"{names.ServiceName(life.Created.ServiceId)}.{life.Created.Slot}" : $"{names.ServiceName(life.Created.ServiceId)}.{life.NodeId}";

    private static string ContainerName(Life life, HistoryNames names) => $"{Name(life, names)}.{life.Created.TaskId}";

    private static string? TaskIdOf(DomainEvent @event) => @event switch
    {
        TaskAssigned e => e.TaskId,
        TaskUnschedulable e => e.TaskId,
        TaskStatusReported e => e.TaskId,
        TaskDesiredStateChanged e => e.TaskId,
        TaskOrphaned e => e.TaskId,
        TaskRemoved e => e.TaskId,
        _ => null,
    };

    /// <summary>The placement as a sentence: the candidates, what each filter removed, and the score that won.</summary>
    public static string Why(PlacementReason? reason, HistoryNames names)
    {
        if (reason is null) return "placed before the scheduler recorded its reasons";
        var parts = new List<string> { reason.Candidates == 1 ? "1 candidate node" : $"{reason.Candidates} candidate nodes" };
        foreach (var removed in reason.Removed)
        {
            var filter = removed.Filter switch
            {
                PlacementFilter.Availability => "not available",
                PlacementFilter.Resources => "insufficient resources",
                _ => $"constraint {removed.Constraint} not satisfied",
            };
            var examples = string.Join(", ", removed.Nodes.Select(names.NodeName)) + (removed.Count > removed.Nodes.Length ? ", …" : "");
            parts.Add($"{removed.Count} removed: {filter} ({examples})");
        }
        var chosen = reason.Chosen;
        var score = $"won with {chosen.ServiceTasks} task(s) of the service and {chosen.TotalTasks} in all";
        score += reason.RunnerUp is { } r
            ? reason.TieBrokenByNodeId
                ? $", tied with {names.NodeName(r.NodeId)} and chosen by the lower node ID"
                : $" against {names.NodeName(r.NodeId)} ({r.ServiceTasks} of the service, {r.TotalTasks} in all)"
            : ", the only node left";
        parts.Add(score);
        return string.Join("; ", parts);
    }

    private sealed class Life(TaskCreated created, HistoryCause createdBy, HistoryCause? createdFor)
    {
        public TaskCreated Created => created;
        public HistoryCause CreatedBy => createdBy;
        public HistoryCause? CreatedFor => createdFor;
        public string? NodeId { get; private set; } = created.NodeId;
        public TaskPlacement? Placement { get; private set; }
        public List<TaskStep> Steps { get; } = [];
        public string? Ended { get; private set; }
        public HistoryCause? NodeFailure { get; private set; }

        public void Step(HistoryEntry entry, string what) => Steps.Add(new TaskStep(entry.Recorded.Metadata.At, entry.Sequence, what));

        public void Observe(HistoryEntry entry, HistoryCause batch, Causes causes)
        {
            var names = causes.Names;
            switch (entry.Recorded.Event)
            {
                case TaskAssigned e:
                    NodeId = e.NodeId;
                    Placement = new TaskPlacement(names.NodeName(e.NodeId), batch.At, entry.Sequence, Why(e.Placement, names), e.Placement);
                    Step(entry, $"assigned to {names.NodeName(e.NodeId)}");
                    break;
                case TaskUnschedulable e:
                    Step(entry, $"pending: {e.Message}");
                    break;
                case TaskStatusReported e:
                    var what = e.Status.State.ToWire() + (e.Status.Error is { Length: > 0 } error ? $": {error}" : "")
                        + (e.Status.ExitCode is { } code && e.Status.State.IsTerminal() ? $" (exit code {code})" : "");
                    Step(entry, what);
                    if (e.Status.State.IsTerminal())
                        Ended ??= e.Status.State switch
                        {
                            TaskState.Failed or TaskState.Rejected => $"{what} (reported by {names.NodeName(e.NodeId)})",
                            TaskState.Complete => "its container exited 0 (complete)",
                            _ => null,
                        };
                    break;
                case TaskDesiredStateChanged e:
                    var why = batch.Loop is null
                        ? $"by {batch}"
                        : $"by {batch.Loop}" + (causes.OfService(created.ServiceId) is { } cause ? $", following {cause}" : "");
                    Step(entry, $"desired state {e.DesiredState.ToWire()} {why}");
                    if (e.DesiredState >= TaskState.Shutdown) Ended ??= $"told to stop {why}";
                    break;
                case TaskOrphaned e:
                    NodeFailure = NodeId is null ? null : causes.LastFailureOf(NodeId);
                    Step(entry, $"orphaned: {e.Message}");
                    Ended ??= NodeFailure is { } failure ? $"its node failed: {failure}" : $"orphaned: {e.Message}";
                    break;
                case TaskRemoved:
                    Step(entry, "removed from the cluster's state (reaped)");
                    break;
            }
        }

        public TaskLink Link(HistoryNames names) => new(created.TaskId, NodeId is null ? null : names.NodeName(NodeId), Ended ?? "still running", NodeFailure);
    }
}
