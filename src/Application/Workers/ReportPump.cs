using System.Collections.Concurrent;
using System.Threading.Channels;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Tasks;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Application.Workers;

/// <summary>
/// The worker's reporter (swarmkit's agent/reporter.go): what the worker observes is queued here and sent to a
/// manager in batches, reduced to each task's latest state. It also remembers the furthest state reported for each
/// task, which counts as observed until the log catches up, so that the worker does not redo a step it has done.
/// </summary>
public sealed class ReportPump(string nodeId, Func<ReportTaskStatus, CancellationToken, Task> send, IClock clock, ILogger logger)
{
    private const int MaxReportsPerBatch = 2000;

    /// <summary>
    /// How long observations gather before they are sent: a task's Preparing, Ready, Starting and Running (and a
    /// crash right after) then usually travel as one report of its latest state, one log entry instead of four.
    /// swarmkit does the same on both sides: the agent's status reporter keeps only each task's latest status and
    /// the dispatcher commits status updates in batches on a ~100 ms timer.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, TaskState> _reported = new();
    private readonly Channel<TaskStatusReport> _reports = Channel.CreateUnbounded<TaskStatusReport>();

    /// <summary>The furthest state reported for the task since the worker started, if any.</summary>
    public TaskState? Observed(string taskId) => _reported.TryGetValue(taskId, out var state) ? state : null;

    /// <summary>The task is gone from this node: what was reported of it no longer matters.</summary>
    public void Forget(string taskId) => _reported.TryRemove(taskId, out _);

    public void Report(string taskId, TaskAction.Report report) =>
        Report(taskId, report.State, report.Message, report.Error, report.ContainerId, report.ExitCode);

    public void Report(string taskId, TaskState state, string message, string? error = null, string? containerId = null, long? exitCode = null)
    {
        _reported.AddOrUpdate(taskId, state, (_, previous) => state > previous ? state : previous);
        _reports.Writer.TryWrite(new TaskStatusReport(taskId, new TaskObservation(state, clock.Now, message, error, containerId, exitCode)));
    }

    /// <summary>
    /// Sends what was observed in batches, gathered for <see cref="Interval"/> and reduced to each task's latest
    /// state: a scale-up's thirty "running" reports become one log entry, not thirty, and a task that crashes right
    /// after starting costs one report, not five. A batch the manager did not take is sent again, merged with newer reports.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var pending = new List<TaskStatusReport>();
        while (!ct.IsCancellationRequested)
        {
            if (pending.Count == 0)
            {
                if (!await _reports.Reader.WaitToReadAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)) return;
                await Task.Delay(Interval, ct).Quietly();
            }
            while (pending.Count < MaxReportsPerBatch * 4 && _reports.Reader.TryRead(out var item)) pending.Add(item);
            var batch = Coalesce(pending).Take(MaxReportsPerBatch).ToList();
            try
            {
                await send(new ReportTaskStatus(nodeId, batch), ct);
                var sent = batch.Select(r => r.TaskId).ToHashSet();
                pending = Coalesce(pending).Where(r => !sent.Contains(r.TaskId)).ToList();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "reporting {Count} task states failed; retrying", batch.Count);
                await Task.Delay(RetryDelay, ct).Quietly();
            }
        }
    }

    /// <summary>One report per task, the furthest state it reached (the later one of equal states), in the order tasks first appear.</summary>
    public static IReadOnlyList<TaskStatusReport> Coalesce(IReadOnlyList<TaskStatusReport> reports)
    {
        var latest = new Dictionary<string, int>();
        var order = new List<string>();
        for (var i = 0; i < reports.Count; i++)
        {
            var id = reports[i].TaskId;
            if (!latest.TryGetValue(id, out var kept)) order.Add(id);
            else if (reports[i].Status.State < reports[kept].Status.State) continue;
            latest[id] = i;
        }
        return [.. order.Select(id => reports[latest[id]])];
    }
}
