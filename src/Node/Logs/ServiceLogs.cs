using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Node.Logs;

/// <summary>Whose logs: every task of a service, or one task.</summary>
public sealed record LogSelector(string? ServiceId, string? TaskId)
{
    public static LogSelector Service(string id) => new(id, null);

    public static LogSelector Task(string id) => new(null, id);

    public bool Selects(SwarmTask task) => ServiceId is { } service ? task.ServiceId == service : task.Id == TaskId;
}

/// <summary>
/// Gathers the logs of a service's (or a task's) containers from the nodes that ran them, as Swarm's log broker does:
/// each task's node is asked for its container's log (this node's own engine directly, any other over the mutual-TLS
/// link) with timestamps, and the streams are merged in time order. Without follow, the tasks that have run (Running or
/// later) are read to their end; with follow, those tasks and every task of the service that starts while it
/// follows. A node that is down, or does not answer within <see cref="NodeAnswerBound"/>, is not waited for: it is
/// reported with swarmkit's words, at the end of a read that ends (its "incomplete log stream" warning, which dockerd
/// sends as the stream's error), at once while following (swarmkit would say nothing there).
/// </summary>
public sealed class ServiceLogs(ClusterProjection projection, LocalNode local, NodeTaskLogs localLogs, NodeLogLink nodes, ILogger<ServiceLogs> logger)
{
    /// <summary>How long a node has to start answering for a task before it is reported instead.</summary>
    public static readonly TimeSpan NodeAnswerBound = TimeSpan.FromSeconds(3);

    /// <summary>While following, how long a line waits for an earlier one from a quiet task before it goes out.</summary>
    public static readonly TimeSpan FollowPatience = TimeSpan.FromMilliseconds(100);

    public const string IncompletePrefix = "warning: incomplete log stream. some logs could not be retrieved for the following reasons: ";

    /// <summary>
    /// The service (by ID, name or ID prefix) or else the task (by ID, name or prefix) <paramref name="serviceOrTaskId"/>
    /// names; refused with docker's "no such task or service" when it is neither.
    /// </summary>
    public LogSelector Resolve(string serviceOrTaskId)
    {
        var state = projection.Current;
        if (state.Swarm is null) throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable, Domain.Swarm.SwarmDecider.NotInSwarm));
        if (state.LookupService(serviceOrTaskId).Match is { } service) return LogSelector.Service(service.Id);
        if (state.LookupTask(serviceOrTaskId).Match is { } task) return LogSelector.Task(task.Id);
        throw new CommandRejectedException(new DomainError(ErrorKind.NotFound, $"no such task or service: {serviceOrTaskId}"));
    }

    /// <summary>For readers that want the lines as <c>docker service logs</c> prints them (the web view's logs tail).</summary>
    public async IAsyncEnumerable<string> ReadFormattedAsync(string serviceOrTaskId, ServiceLogOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var selector = Resolve(serviceOrTaskId);
        var width = 1;
        var state = projection.Current;
        if (selector.ServiceId is { } id && state.Services.TryGetValue(id, out var service) && service.Spec.Mode.Kind == Domain.Services.ServiceModeKind.Replicated)
            width = TaskLogPrefix.Width(service.Spec.Mode.Replicas);
        await foreach (var entry in ReadAsync(selector, options, ct))
        {
            var now = projection.Current;
            var prefix = TaskLogPrefix.Format(
                now.Services.TryGetValue(entry.Context.ServiceId, out var s) ? s.Spec.Name : entry.Context.ServiceId,
                now.Tasks.TryGetValue(entry.Context.TaskId, out var t) ? t.Slot : 0, entry.Context.TaskId,
                now.Nodes.TryGetValue(entry.Context.NodeId, out var n) ? n.Description.Hostname : entry.Context.NodeId, width, noTaskIds: false, noTrunc: false);
            var text = entry.Text.TrimEnd('\n');
            yield return (options.Timestamps ? entry.Timestamp + " " : "") + (entry.Source == LogSource.System ? text : $"{prefix}    | {text}");
        }
    }

    private abstract record Item(string TaskId);

    private sealed record Line(string TaskId, ServiceLogEntry Entry) : Item(TaskId);

    private sealed record Ended(string TaskId) : Item(TaskId);

    private sealed record Unavailable(string TaskId, TaskLogContext Context, string Reason) : Item(TaskId);

    private sealed record Began(SwarmTask Task) : Item(Task.Id);

    /// <summary>The merged lines of the selected tasks, in time order; <see cref="LogSource.System"/> entries report nodes not read.</summary>
    public async IAsyncEnumerable<ServiceLogEntry> ReadAsync(LogSelector selector, ServiceLogOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Item>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var merge = new LogMerge<ServiceLogEntry>(e => e.UnixNanos);
        var started = new HashSet<string>(StringComparer.Ordinal);
        var reasons = new List<string>();
        var pumps = 0;
        var patience = options.Follow ? (long)(FollowPatience.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var state = projection.Current;
        var watcher = Task.CompletedTask;
        try
        {
            foreach (var task in Selected(state, selector))
            {
                if (task.NodeId is null)
                {
                    // swarmkit: a task asked for by ID that no node holds yet.
                    if (!options.Follow && selector.TaskId is not null) reasons.Add($"task {task.Id} has not been scheduled");
                    continue;
                }
                if (!options.Follow && task.Status.State < TaskState.Running) continue;
                if (task.Status.State < TaskState.Running) continue;
                started.Add(task.Id);
                merge.Open(task.Id);
                pumps++;
                _ = PumpAsync(task, state, options, channel.Writer, stop.Token);
            }
            if (options.Follow) watcher = WatchAsync(selector, state.LastSequence, channel.Writer, stop.Token);

            while (options.Follow || pumps > 0)
            {
                var now = Stopwatch.GetTimestamp();
                var deadline = merge.NextDeadline(patience);
                var wait = TimeSpan.FromSeconds(Math.Clamp((deadline - (double)now) / Stopwatch.Frequency, 0, 1));
                if (!channel.Reader.TryPeek(out _) && wait > TimeSpan.Zero)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    timeout.CancelAfter(wait);
                    try
                    {
                        await channel.Reader.WaitToReadAsync(timeout.Token);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                    }
                }
                now = Stopwatch.GetTimestamp();
                var immediate = new List<ServiceLogEntry>();
                while (channel.Reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case Line line:
                            merge.Add(line.TaskId, line.Entry, now);
                            break;
                        case Ended:
                            merge.Close(item.TaskId);
                            pumps--;
                            break;
                        case Unavailable unavailable:
                            if (options.Follow) immediate.Add(SystemEntry(unavailable.Context, IncompletePrefix + unavailable.Reason));
                            else if (!reasons.Contains(unavailable.Reason)) reasons.Add(unavailable.Reason);
                            break;
                        case Began began when started.Add(began.Task.Id):
                            merge.Open(began.Task.Id);
                            pumps++;
                            _ = PumpAsync(began.Task, projection.Current, options, channel.Writer, stop.Token);
                            break;
                    }
                }
                foreach (var entry in immediate) yield return entry;
                foreach (var entry in merge.TakeReady(now, patience)) yield return entry;
            }
            foreach (var entry in merge.TakeReady(Stopwatch.GetTimestamp(), 0)) yield return entry;
            if (reasons.Count > 0)
                yield return SystemEntry(new TaskLogContext("", selector.ServiceId ?? "", selector.TaskId ?? ""), IncompletePrefix + string.Join(", ", reasons));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await watcher;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static IEnumerable<SwarmTask> Selected(ClusterState state, LogSelector selector) =>
        selector.ServiceId is { } service ? state.TasksOf(service) : state.Tasks.TryGetValue(selector.TaskId!, out var task) ? [task] : [];

    private static ServiceLogEntry SystemEntry(TaskLogContext context, string message)
    {
        var nanos = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        return new ServiceLogEntry(context, nanos, LogWire.FormatTimestamp(nanos), LogSource.System, "", Encoding.UTF8.GetBytes(message + "\n"));
    }

    /// <summary>While following: every selected task that reaches Running on a node is read from then on.</summary>
    private async Task WatchAsync(LogSelector selector, long seen, ChannelWriter<Item> writer, CancellationToken ct)
    {
        // Each task is announced once; the reader ignores one it already reads (those it started itself).
        var announced = new HashSet<string>(StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            await projection.WaitForChangeAsync(seen, TimeSpan.FromSeconds(5), ct);
            var state = projection.Current;
            if (state.LastSequence == seen) continue;
            seen = state.LastSequence;
            foreach (var task in Selected(state, selector))
                if (task.NodeId is not null && task.Status.State >= TaskState.Running && announced.Add(task.Id))
                    await writer.WriteAsync(new Began(task), ct);
        }
    }

    /// <summary>One task's container log from its node, line by line into the merge; Ended always follows.</summary>
    private async Task PumpAsync(SwarmTask task, ClusterState state, ServiceLogOptions options, ChannelWriter<Item> writer, CancellationToken ct)
    {
        await Task.Yield();
        var context = new TaskLogContext(task.NodeId!, task.ServiceId, task.Id);
        var streaming = false;
        try
        {
            if (!state.Nodes.TryGetValue(task.NodeId!, out var node) || !NodeLogLink.IsAvailable(node))
            {
                await writer.WriteAsync(new Unavailable(task.Id, context, $"node {task.NodeId} is not available"), ct);
                return;
            }
            // A task that has ended gives its log and ends, whatever the follow.
            var query = options.EngineQuery(options.Follow && !task.Status.State.IsTerminal());
            using var response = node.Id == local.NodeId
                ? await localLogs.OpenAsync(task.Id, query, ct)
                : await nodes.OpenAsync(node, task.Id, query, NodeAnswerBound, ct);
            if (response is null) return;
            streaming = true;
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var frames = task.Spec.Container.Tty ? LogWire.ReadLinesAsync(body, ct) : LogWire.ReadFramesAsync(body, ct);
            await foreach (var frame in frames)
                if (LogWire.ParseEngineLine(frame.Source, frame.Payload) is { } line)
                    await writer.WriteAsync(new Line(task.Id, new ServiceLogEntry(context, line.UnixNanos, line.Timestamp, line.Source, line.Details, line.Data)), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogDebug(e, "logs of task {Task} from node {Node} not read", task.Id, task.NodeId);
            // swarmkit's two words: a node it could not ask, and one that went away in the middle.
            var reason = streaming ? $"node {task.NodeId} disconnected unexpectedly" : $"node {task.NodeId} is not available";
            try
            {
                await writer.WriteAsync(new Unavailable(task.Id, context, reason), ct);
            }
            catch (OperationCanceledException)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (!ct.IsCancellationRequested)
            {
                try
                {
                    await writer.WriteAsync(new Ended(task.Id), ct);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
