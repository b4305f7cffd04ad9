using System.Collections.Concurrent;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Node.Metrics;

/// <summary>
/// The worker's figures, from what it observes of its tasks (<see cref="WorkerAgent.StatusObserved"/>): how long a
/// created container takes to run (Ready → Running: the engine's start, and the health check or the ports it
/// waits for), and the tasks that end Failed or Rejected, by a reason from a fixed set.
/// </summary>
public sealed class TaskMetrics(NodeMetrics metrics)
{
    /// <summary>Tasks whose container is created and not yet running; bounded, as a task that never runs must not stay forever.</summary>
    private const int MaxStarting = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _created = new();

    public void Observe(TaskStatusReport report)
    {
        var status = report.Status;
        switch (status.State)
        {
            case TaskState.Ready:
                if (_created.Count < MaxStarting) _created[report.TaskId] = status.Timestamp;
                break;
            case TaskState.Starting:
                // A container adopted after a restart is started without a Ready seen here: not timed.
                break;
            case TaskState.Running:
                if (_created.TryRemove(report.TaskId, out var created) && status.Timestamp >= created)
                    metrics.ContainerStart.Observe((status.Timestamp - created).TotalSeconds);
                break;
            default:
                if (status.State > TaskState.Running) _created.TryRemove(report.TaskId, out _);
                if (FailureReason(status) is { } reason) metrics.TaskFailures.WithLabels(reason).Inc();
                break;
        }
    }

    /// <summary>
    /// Why a task ended badly, as one of a fixed set of label values (a free-text error would make a series per
    /// message): null for a task that did not fail. The words are the executor's (moby's daemon/cluster/executor).
    /// </summary>
    public static string? FailureReason(TaskObservation status) => status.State switch
    {
        TaskState.Rejected => "rejected",
        TaskState.Failed when status.Error?.Contains(TaskStep.ErrContainerUnhealthy, StringComparison.Ordinal) == true => "unhealthy",
        TaskState.Failed when status.Error == TaskStep.ContainerGone => "container_gone",
        TaskState.Failed when status.ExitCode is { } code && code != 0 => "nonzero_exit",
        TaskState.Failed when status.Message == "starting" => "start_error",
        TaskState.Failed => "other",
        _ => null,
    };
}
