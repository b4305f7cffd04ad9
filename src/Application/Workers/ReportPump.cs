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
    /// The least time between the starts of two sends: what arrives meanwhile gathers and goes as one report of each
    /// task's latest state, so that a node starting or ending many tasks at once costs the log one entry per interval,
    /// not one per task. swarmkit does the same on both sides: the agent's status reporter keeps only each task's
    /// latest status while a send is under way, and the dispatcher commits status updates in batches on a ~100 ms timer.
    /// A report after a quiet spell is not held back by it.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long the steps on the way to Running (Preparing, Ready, Starting) may wait for the state that follows them.
    /// No manager acts on them (only `service ps` shows them), while Running (the task joins its service's rotations,
    /// an update moves on) and a task's end (its replacement) are acted on, and go at once: a start then usually
    /// travels as one report of Running, one log entry instead of three or four, without Running waiting for anything.
    /// </summary>
    public static readonly TimeSpan IntermediateHold = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, TaskState> _reported = new();
    private readonly Channel<TaskStatusReport> _reports = Channel.CreateUnbounded<TaskStatusReport>();
    private readonly System.Diagnostics.Stopwatch _elapsed = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>The furthest state reported for the task since the worker started, if any.</summary>
    public TaskState? Observed(string taskId) => _reported.TryGetValue(taskId, out var state) ? state : null;

    /// <summary>The task is gone from this node: what was reported of it no longer matters.</summary>
    public void Forget(string taskId) => _reported.TryRemove(taskId, out _);

    public void Report(string taskId, TaskAction.Report report) =>
        Report(taskId, report.State, report.Message, report.Error, report.ContainerId, report.ExitCode);

    /// <summary>
    /// Every observation as it is made, before reports are reduced to each task's latest state (the node's metrics
    /// time a container's start from Ready to Running, which one report often covers alone).
    /// </summary>
    public event Action<TaskStatusReport>? StatusObserved;

    public void Report(string taskId, TaskState state, string message, string? error = null, string? containerId = null, long? exitCode = null)
    {
        _reported.AddOrUpdate(taskId, state, (_, previous) => state > previous ? state : previous);
        var report = new TaskStatusReport(taskId, new TaskObservation(state, clock.Now, message, error, containerId, exitCode));
        _reports.Writer.TryWrite(report);
        StatusObserved?.Invoke(report);
    }

    /// <summary>Running and every end are what the managers act on: they are sent without waiting for more.</summary>
    private static bool IsUrgent(TaskStatusReport report) => report.Status.State >= TaskState.Running;

    /// <summary>
    /// Sends what was observed in batches reduced to each task's latest state: a report the managers act on at once
    /// (at most one send per <see cref="Interval"/>), the steps on the way to Running after at most
    /// <see cref="IntermediateHold"/> (or with the next send), so that a scale-up's thirty "running" reports become one
    /// log entry, not thirty, and a task that crashes right after starting costs one or two reports, not five. A batch
    /// the manager did not take is sent again, merged with newer reports.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var pending = new List<TaskStatusReport>();
        var firstPending = TimeSpan.Zero;
        TimeSpan? lastSend = null;
        var urgent = false;

        // Takes what is queued; false once pending holds as much as one pass may take (then it is sent at once).
        bool Drain()
        {
            while (pending.Count < MaxReportsPerBatch * 4 && _reports.Reader.TryRead(out var item))
            {
                if (pending.Count == 0) firstPending = _elapsed.Elapsed;
                pending.Add(item);
                urgent |= IsUrgent(item);
            }
            return pending.Count < MaxReportsPerBatch * 4;
        }

        while (!ct.IsCancellationRequested)
        {
            if (pending.Count == 0 && !await WaitForReportsAsync(Timeout.InfiniteTimeSpan, ct)) return;
            while (Drain())
            {
                var due = lastSend is { } last ? last + Interval : TimeSpan.Zero;
                if (!urgent && firstPending + IntermediateHold > due) due = firstPending + IntermediateHold;
                var wait = due - _elapsed.Elapsed;
                if (wait <= TimeSpan.Zero) break;
                if (!await WaitForReportsAsync(wait, ct) && ct.IsCancellationRequested) return;
            }
            var batch = Coalesce(pending).Take(MaxReportsPerBatch).ToList();
            lastSend = _elapsed.Elapsed;
            try
            {
                await send(new ReportTaskStatus(nodeId, batch), ct);
                var sent = batch.Select(r => r.TaskId).ToHashSet();
                pending = Coalesce(pending).Where(r => !sent.Contains(r.TaskId)).ToList();
                urgent = pending.Any(IsUrgent);
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

    /// <summary>True when reports are queued; false after the timeout, or once cancelled.</summary>
    private async Task<bool> WaitForReportsAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan) bounded.CancelAfter(timeout);
        try
        {
            return await _reports.Reader.WaitToReadAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
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
