namespace EventSwarm.Domain.Tasks;

/// <summary>A worker's batch of observations of the tasks it runs.</summary>
public sealed record ReportTaskStatus(string NodeId, IReadOnlyList<TaskStatusReport> Reports);

public sealed record TaskStatusReport(string TaskId, TaskObservation Status);

public static class TaskDecider
{
    /// <summary>
    /// Keeps only reports that change something: a node may report only its own tasks, unknown tasks (already
    /// reaped) are dropped, and a report that does not move the state forward is not worth a log entry.
    /// </summary>
    public static Decision Decide(ReportTaskStatus command, ClusterState state)
    {
        if (!state.Nodes.ContainsKey(command.NodeId)) return Decision.NotFound($"node {command.NodeId} not found");
        var events = new List<DomainEvent>();
        foreach (var report in command.Reports)
        {
            if (!state.Tasks.TryGetValue(report.TaskId, out var task) || task.NodeId != command.NodeId) continue;
            var current = task.Status;
            if (report.Status.State < current.State) continue;
            if (report.Status.State == current.State && report.Status.Error == current.Error
                && report.Status.ContainerId == current.ContainerId && report.Status.Message == current.Message) continue;
            events.Add(new TaskStatusReported(task.Id, command.NodeId, report.Status));
        }
        return new Decision(events);
    }
}
