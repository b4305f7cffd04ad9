using System.Globalization;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.History;

/// <summary>
/// What the control loops and the workers did about one service after a cause, counted rather than listed:
/// "5 tasks created, 5 assigned (n1×3, n2×2), 4 running, 1 failed". A task counts once per state it reached.
/// </summary>
public sealed class ReactionSummary
{
    private static readonly TaskState[] Reported = [TaskState.Running, TaskState.Complete, TaskState.Shutdown, TaskState.Failed, TaskState.Rejected];

    private int _created;
    private readonly SortedDictionary<string, int> _assigned = new(StringComparer.Ordinal);
    private readonly Dictionary<TaskState, HashSet<string>> _reached = new();
    private readonly HashSet<string> _stopping = new();
    private int _orphaned;
    private int _reaped;
    private readonly HashSet<string> _pending = new();
    private string? _pendingMessage;
    private readonly List<string> _service = new();

    public long FirstIndex { get; private set; } = long.MaxValue;

    public long LastIndex { get; private set; }

    public DateTimeOffset LastAt { get; private set; }

    /// <summary>The loops (and workers) that reacted, in the order they first did.</summary>
    public List<string> By { get; } = new();

    public bool IsEmpty => LastIndex == 0;

    public void Add(HistoryEntry entry, string by, HistoryNames names)
    {
        FirstIndex = Math.Min(FirstIndex, entry.Sequence);
        LastIndex = Math.Max(LastIndex, entry.Sequence);
        LastAt = entry.Recorded.Metadata.At;
        foreach (var name in by.Split('+'))
            if (!By.Contains(name)) By.Add(name);
        switch (entry.Recorded.Event)
        {
            case TaskCreated: _created++; break;
            case TaskAssigned e:
                var node = names.NodeName(e.NodeId);
                _assigned[node] = _assigned.GetValueOrDefault(node) + 1;
                break;
            case TaskStatusReported e when Reported.Contains(e.Status.State):
                (_reached.TryGetValue(e.Status.State, out var tasks) ? tasks : _reached[e.Status.State] = new HashSet<string>()).Add(e.TaskId);
                break;
            case TaskDesiredStateChanged e when e.DesiredState >= TaskState.Shutdown: _stopping.Add(e.TaskId); break;
            case TaskOrphaned: _orphaned++; break;
            case TaskRemoved: _reaped++; break;
            case TaskUnschedulable e:
                _pending.Add(e.TaskId);
                _pendingMessage = e.Message;
                break;
            case ServiceUpdateStarted: _service.Add("update started"); break;
            case ServiceUpdatePaused e: _service.Add($"update paused ({e.Message})"); break;
            case ServiceUpdateCompleted: _service.Add("update completed"); break;
            case ServiceRolledBack e: _service.Add($"rolled back ({e.Message})"); break;
        }
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (_created > 0) parts.Add(_created == 1 ? "1 task created" : $"{N(_created)} tasks created");
        if (_assigned.Count > 0)
            parts.Add($"{N(_assigned.Values.Sum())} assigned ({string.Join(", ", _assigned.OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).Take(5).Select(a => $"{a.Key}×{N(a.Value)}"))}{(_assigned.Count > 5 ? ", …" : "")})");
        foreach (var state in Reported)
            if (_reached.TryGetValue(state, out var tasks)) parts.Add($"{N(tasks.Count)} {state.ToWire()}");
        if (_stopping.Count > 0) parts.Add($"{N(_stopping.Count)} told to stop");
        if (_orphaned > 0) parts.Add($"{N(_orphaned)} orphaned");
        if (_pending.Count > 0) parts.Add($"{N(_pending.Count)} pending: {_pendingMessage}");
        if (_reaped > 0) parts.Add($"{N(_reaped)} reaped");
        parts.AddRange(_service);
        return parts.Count == 0 ? "bookkeeping only" : string.Join(", ", parts);
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
