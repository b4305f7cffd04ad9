using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// docker's convergence display for <c>service create/update/scale/rollback</c> (cli/command/service/progress):
/// polls the service and its up-to-date tasks every 200 ms, draws one bar per slot (or node) and the overall count,
/// follows the service's UpdateStatus (a paused update or rollback ends with docker's error, exit 1; a rollback is
/// announced and counted as "rolling back update"), then waits the update monitor before "Service … converged".
/// </summary>
public static class Progress
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <param name="service">The service as the user named it: docker prints that name in "verify: Service … converged".</param>
    public static async Task<int> WaitForConvergenceAsync(IDockerClient client, string service, TimeSpan timeout, bool quiet, TextWriter output, TextWriter error)
    {
        var screen = new ProgressScreen(output, tty: output == Console.Out && !Console.IsOutputRedirected, quiet);
        var progress = new ServiceProgress(service);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var current = await client.Swarm.InspectServiceAsync(service);
            var outcome = progress.Observe(current, DateTime.UtcNow);
            if (outcome is null)
            {
                var tasks = await client.Tasks.ListAsync(new TasksListParameters
                {
                    // docker's filter: only the tasks of the service's current spec ("_up-to-date").
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["service"] = new Dictionary<string, bool> { [current.ID] = true },
                        ["_up-to-date"] = new Dictionary<string, bool> { ["true"] = true },
                    },
                });
                var nodes = await client.Swarm.ListNodesAsync();
                var active = nodes.Where(n => n.Status?.State != "down").Select(n => n.ID).ToHashSet(StringComparer.Ordinal);
                progress.Update(current, tasks, active, DateTime.UtcNow);
            }
            screen.Show(progress.Lines);
            switch (outcome)
            {
                case ProgressOutcome.Converged:
                    return 0;
                case ProgressOutcome.Failed failed:
                    await error.WriteLineAsync(failed.Message);
                    return 1;
            }
            await Task.Delay(Poll);
        }
        await error.WriteLineAsync($"timed out after {timeout.TotalSeconds:0} s waiting for service {service} to converge");
        return 1;
    }
}

/// <summary>How a poll of <see cref="ServiceProgress.Observe"/> ends the wait, if it does.</summary>
public abstract record ProgressOutcome
{
    public sealed record Converged : ProgressOutcome;

    /// <summary>docker's error: "service update paused: …", "service rollback paused: …".</summary>
    public sealed record Failed(string Message) : ProgressOutcome;
}

/// <summary>
/// docker's ServiceProgress loop as a pure state machine: <see cref="Observe"/> reads the service (its UpdateStatus,
/// the monitor of its update config) and says whether the wait is over; <see cref="Update"/> reads its up-to-date
/// tasks. <see cref="Lines"/> are docker's progress lines by ID, in the order each ID first appeared.
/// </summary>
public sealed class ServiceProgress(string service)
{
    private const int MaxProgressBars = 20;
    private const int BarWidth = 50;

    /// <summary>docker's numberedStates: New 1 … Running 9, then the terminal states, used to order tasks.</summary>
    private static readonly TaskState[] Order =
    [
        TaskState.New, TaskState.Allocated, TaskState.Pending, TaskState.Assigned, TaskState.Accepted, TaskState.Preparing, TaskState.Ready,
        TaskState.Starting, TaskState.Running, TaskState.Complete, TaskState.Shutdown, TaskState.Failed, TaskState.Rejected,
    ];

    private readonly List<(string Id, string Text)> _lines = [];
    private readonly Dictionary<long, int> _slotMap = [];
    private TimeSpan _monitor = TimeSpan.FromSeconds(5);
    private bool _rollback, _converged, _initialized, _done;
    private DateTime? _convergedAt;
    private string? _rollbackMessage;

    public IReadOnlyList<string> Lines => [.. _lines.Select(l => $"{l.Id}: {l.Text}")];

    /// <summary>The top of docker's loop: the UpdateStatus, then "converged" once the tasks held for the monitor period.</summary>
    public ProgressOutcome? Observe(SwarmService current, DateTime now)
    {
        if (current.Spec?.UpdateConfig?.Monitor is { } monitor && monitor != TimeSpan.Zero) _monitor = monitor;
        if (current.UpdateStatus is { } status)
        {
            switch (status.State)
            {
                case "updating":
                    _rollback = false;
                    break;
                // An update that completed before the tasks were seen converged: docker stops there.
                case "completed" when !_converged:
                    return new ProgressOutcome.Converged();
                case "paused":
                    return new ProgressOutcome.Failed($"service update paused: {status.Message}");
                case "rollback_started":
                    if (!_rollback && !string.IsNullOrEmpty(status.Message)) Write("rollback", status.Message);
                    _rollback = true;
                    break;
                case "rollback_paused":
                    return new ProgressOutcome.Failed($"service rollback paused: {status.Message}");
                case "rollback_completed":
                    if (!_converged) _rollbackMessage = status.Message;
                    _rollback = true;
                    break;
            }
        }
        if (_converged && _convergedAt is { } since && now - since >= _monitor)
        {
            Write("verify", $"Service {service} converged");
            if (_rollbackMessage is { } message) Write("rollback", message);
            return new ProgressOutcome.Converged();
        }
        return null;
    }

    /// <summary>The rest of docker's loop: the tasks drawn, then the wait for stability (or "Detected task failure").</summary>
    public void Update(SwarmService current, IList<TaskResponse> tasks, IReadOnlySet<string> activeNodes, DateTime now)
    {
        _converged = current.Spec?.Mode?.Global is not null ? UpdateGlobal(tasks, activeNodes) : UpdateReplicated(current, tasks, activeNodes);
        if (_converged)
        {
            _convergedAt ??= now;
            var wait = _monitor - (now - _convergedAt.Value);
            // docker's wait/time.Second+1, taken a moment after convergedAt: the whole seconds left, rounded up.
            if (wait >= TimeSpan.Zero) Write("verify", $"Waiting {Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds))} seconds to verify that tasks are stable...");
        }
        else
        {
            if (_convergedAt is not null) Write("verify", "Detected task failure");
            _convergedAt = null;
        }
    }

    private bool UpdateReplicated(SwarmService current, IList<TaskResponse> tasks, IReadOnlySet<string> activeNodes)
    {
        var replicas = (int)(current.Spec?.Mode?.Replicated?.Replicas ?? 0);
        if (!_initialized)
        {
            WriteOverall(0, replicas);
            if (replicas <= MaxProgressBars)
                for (var slot = 1; slot <= replicas; slot++) Write($"{slot}/{replicas}", " ");
            _initialized = true;
        }
        var bySlot = Lowest(tasks.Where(t => t.NodeID is not { Length: > 0 } node || activeNodes.Contains(node)), t => (long)(t.Slot ?? 0));
        if (_done && bySlot.Values.Any(t => t.Status?.State != TaskState.Running)) _done = false;
        var running = 0;
        foreach (var (slot, task) in bySlot)
        {
            if (!_slotMap.TryGetValue(slot, out var mapped)) _slotMap[slot] = mapped = _slotMap.Count + 1;
            if (!Terminal(task.DesiredState) && task.Status?.State == TaskState.Running) running++;
            if (!_done && replicas <= MaxProgressBars && mapped <= replicas) WriteTask($"{mapped}/{replicas}", task);
        }
        if (!_done)
        {
            WriteOverall(running, replicas);
            _done = running == replicas;
        }
        return running == replicas;
    }

    private bool UpdateGlobal(IList<TaskResponse> tasks, IReadOnlySet<string> activeNodes)
    {
        var byNode = Lowest(tasks, t => t.NodeID ?? "");
        // As docker: the orchestrator makes every eligible node's task at once, so the up-to-date tasks are the nodes to wait for.
        var nodeCount = byNode.Count;
        if (!_initialized)
        {
            if (nodeCount == 0)
            {
                Write("overall progress", "waiting for new tasks");
                return false;
            }
            WriteOverall(0, nodeCount);
            _initialized = true;
        }
        if (_done && byNode.Values.Any(t => t.Status?.State != TaskState.Running)) _done = false;
        var running = 0;
        foreach (var (node, task) in byNode.Where(n => activeNodes.Contains(n.Key)))
        {
            if (!Terminal(task.DesiredState) && task.Status?.State == TaskState.Running) running++;
            if (!_done && nodeCount <= MaxProgressBars) WriteTask(node[..Math.Min(12, node.Length)], task);
        }
        if (!_done)
        {
            WriteOverall(running, nodeCount);
            _done = running == nodeCount;
        }
        return running == nodeCount;
    }

    /// <summary>docker's tasksBySlot/tasksByNode: per key, the task with the lowest desired state, then the lowest observed one.</summary>
    private static Dictionary<TKey, TaskResponse> Lowest<TKey>(IEnumerable<TaskResponse> tasks, Func<TaskResponse, TKey> key) where TKey : notnull
    {
        var chosen = new Dictionary<TKey, TaskResponse>();
        foreach (var task in tasks)
        {
            if (Rank(task.DesiredState) == 0 || Rank(task.Status?.State) == 0) continue;
            if (chosen.TryGetValue(key(task), out var existing)
                && (Rank(existing.DesiredState), Rank(existing.Status?.State)).CompareTo((Rank(task.DesiredState), Rank(task.Status?.State))) <= 0) continue;
            chosen[key(task)] = task;
        }
        return chosen;
    }

    private static int Rank(TaskState? state) => state is { } s ? Array.IndexOf(Order, s) + 1 : 0;

    private static bool Terminal(TaskState? state) => Rank(state) > Rank(TaskState.Running);

    private void WriteOverall(int running, int total) =>
        Write("overall progress", _rollback ? $"rolling back update: {running} out of {total} tasks" : $"{running} out of {total} tasks");

    private void WriteTask(string id, TaskResponse task)
    {
        if (task.Status?.Err is { Length: > 0 } err) Write(id, TruncateError(err));
        else if (!Terminal(task.DesiredState) && !Terminal(task.Status?.State)) Write(id, Bar(task.Status?.State ?? TaskState.New));
    }

    /// <summary>docker's truncError: one line, at most 75 characters.</summary>
    private static string TruncateError(string err)
    {
        var line = err.Replace('\n', ' ');
        return line.Length > 75 ? line[..74] + "…" : line;
    }

    /// <summary>The state padded to docker's longest ("allocated"), then the bar at its step of nine.</summary>
    private static string Bar(TaskState state)
    {
        var filled = Rank(state) * BarWidth / 9;
        var bar = filled >= BarWidth ? new string('=', BarWidth - 1) + ">" : new string('=', Math.Max(0, filled - 1)) + ">" + new string(' ', BarWidth - filled);
        return $"{ServiceFlags.StateName(state),-9} [{bar}]";
    }

    private void Write(string id, string text)
    {
        var at = _lines.FindIndex(l => l.Id == id);
        if (at >= 0) _lines[at] = (id, text);
        else _lines.Add((id, text));
    }
}

/// <summary>
/// Where the progress lines go. On a terminal, the block is redrawn in place, as docker's; otherwise each line is
/// printed when its text changes (docker prints every poll's lines again; the changes alone read the same in a log).
/// </summary>
public sealed class ProgressScreen(TextWriter output, bool tty, bool quiet)
{
    private readonly Dictionary<string, string> _printed = [];
    private int _height;

    public void Show(IReadOnlyList<string> lines)
    {
        if (quiet) return;
        if (tty)
        {
            if (_printed.Count > 0 && string.Join('\n', lines) == _printed.GetValueOrDefault("")) return;
            if (_height > 0) output.Write($"\x1b[{_height}A\x1b[J");
            foreach (var line in lines) output.WriteLine(line);
            _height = lines.Count;
            _printed[""] = string.Join('\n', lines);
            return;
        }
        foreach (var line in lines)
        {
            var id = line[..line.IndexOf(": ", StringComparison.Ordinal)];
            if (_printed.GetValueOrDefault(id) == line) continue;
            _printed[id] = line;
            output.WriteLine(line);
        }
    }
}
