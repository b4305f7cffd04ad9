using EventSwarm.Domain;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Tasks;

/// <summary>
/// The back-off of a crash loop. Swarm restarts a task that ended after exactly its policy's delay, which may be 0:
/// a task that exits at once then restarts as fast as the engine can create containers, forever, and every attempt
/// costs log entries (issue 10 measured ~570 a minute). Docker's own engine bounds the same loop for
/// `docker run --restart always` (moby's restartmanager: 100 ms, doubled after each quick exit, at most 1 min,
/// back to nothing once the container ran 10 s), and Kubernetes does the same with CrashLoopBackOff (10 s … 5 min).
/// We use the engine's figures, so a Swarm user sees what their engine would do for a bare container.
/// <para>
/// It only engages below <see cref="EngagesBelow"/>: a policy delay of a second or more already bounds the loop
/// and is kept exactly as Swarm keeps it. The failed task stays the slot's current task until the back-off (or
/// the policy's delay, if longer) has passed since it ended, and only then is it replaced, by a task that starts at
/// once: one pass of the control loops per attempt, not two (create parked, then release). A service opts out with
/// the label <c>com.eventswarm.restart-backoff=false</c>: a service label, because the choice belongs to the
/// service; the stock CLI sets it (`docker service create --label`), it is kept in the log with the spec, and
/// nothing else in the swarm changes.
/// </para>
/// </summary>
public static class RestartBackoff
{
    public const string OptOutLabel = "com.eventswarm.restart-backoff";
    public static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Cap = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan EngagesBelow = TimeSpan.FromSeconds(1);

    public static bool OptedOut(ServiceSpec spec) =>
        spec.Labels.TryGetValue(OptOutLabel, out var value) && value.Trim().ToLowerInvariant() is "false" or "0" or "off" or "no";

    /// <summary>
    /// How long after <paramref name="ended"/> ended its replacement may be created; zero when no back-off applies
    /// (it ran 10 s or more, the service opted out, the policy delay is a second or more, or the task is of an
    /// older spec — the user's fix, most likely). The back-off is carried by the tasks themselves: the one the
    /// ended task waited is the time between its predecessor's end and its own creation, so it survives a leader
    /// change and needs no counter outside the log.
    /// </summary>
    public static TimeSpan Of(SwarmTask ended, Service service, IEnumerable<SwarmTask> slotHistory)
    {
        var policyDelay = service.Spec.TaskTemplate.EffectiveRestartPolicy.EffectiveDelay;
        if (policyDelay >= EngagesBelow || OptedOut(service.Spec) || !ended.Status.State.IsTerminal()
            || ended.SpecVersion != service.SpecVersion || ended.Status.Timestamp - (ended.NotBefore ?? ended.CreatedAt) >= ResetAfter)
            return TimeSpan.Zero;
        var predecessor = slotHistory
            .Where(t => t.Id != ended.Id && t.Status.State.IsTerminal() && t.CreatedAt <= ended.CreatedAt)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .FirstOrDefault();
        var waited = predecessor is null ? TimeSpan.Zero : ended.CreatedAt - predecessor.Status.Timestamp;
        var next = waited < Initial ? Initial : waited * 2;
        if (next > Cap) next = Cap;
        return next > policyDelay ? next : policyDelay;
    }

    /// <summary>When the back-off of the slot's ended task is over, or null when it has none.</summary>
    public static DateTimeOffset? DueAt(SwarmTask ended, Service service, IEnumerable<SwarmTask> slotHistory) =>
        Of(ended, service, slotHistory) is var backoff && backoff > TimeSpan.Zero ? ended.Status.Timestamp + backoff : null;

    /// <summary>The earliest end of a back-off still running, so the loop runner wakes for it.</summary>
    public static DateTimeOffset? NextDue(ClusterState state, DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var task in state.EndedTasks)
        {
            if (!state.Services.TryGetValue(task.ServiceId, out var service)) continue;
            if (DueAt(task, service, SlotGroup(task, state)) is { } due && due > now && (next is null || due < next)) next = due;
        }
        return next;
    }

    /// <summary>
    /// The tasks sharing a task's slot: the same replicated slot, or (slot 0, a global task) the same node; the
    /// reaper groups history the same way.
    /// </summary>
    internal static IEnumerable<SwarmTask> SlotGroup(SwarmTask task, ClusterState state) =>
        task.Slot > 0 ? state.TasksInSlot(task.ServiceId, task.Slot)
        : task.NodeId is { } nodeId ? state.TasksOn(nodeId).Where(t => t.ServiceId == task.ServiceId && t.Slot <= 0)
        : state.TasksOf(task.ServiceId).Where(t => t.Slot <= 0 && t.NodeId is null);
}
