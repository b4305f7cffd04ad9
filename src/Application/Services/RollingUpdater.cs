using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Services;

/// <summary>
/// swarmkit's updater (manager/orchestrator/update/updater.go) as a pure control loop: it replaces the tasks of an
/// older spec slot by slot, as the service's update_config (or rollback_config while rolling back) says, watches the
/// replacements for failure, and records the update's status. Everything it needs is in the log, nothing in
/// memory: the slots it has replaced are the tasks of the current spec created since the update started, so a new
/// leader continues the same update where the old one stopped, without replacing a slot twice or skipping one.
/// The orchestrators keep the slots filled and restart what ends; this loop only decides the replacements.
/// </summary>
public static class RollingUpdater
{
    /// <summary>Swarm's defaults when a spec has no update_config (api/defaults: parallelism 1, monitor 5 s, pause, stop-first).</summary>
    public static UpdateConfig Defaults { get; } = new() { Parallelism = 1, Monitor = Duration.FromSeconds(5) };

    public static readonly TimeSpan DefaultMonitor = TimeSpan.FromSeconds(5);

    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var events = new List<DomainEvent>();
        foreach (var service in state.Services.Values)
            if (!IsAtRest(service, state))
                events.AddRange(ReconcileService(service, state, context.Now, context));
        return events;
    }

    /// <summary>
    /// A service with no update running, one runnable task in each of its slots and every one of them of its current
    /// spec, reading no secret or config (whose data may have moved on): its pass would decide nothing, so its tasks
    /// are not read. At a million tasks reading them all took the updater 5 s a pass (issue 16's scale-loops).
    /// </summary>
    private static bool IsAtRest(Service service, ClusterState state)
    {
        if (service.UpdateStatus?.IsActive == true || service.Spec.Mode.IsGlobal) return false;
        var container = service.Spec.TaskTemplate.Container;
        if (!container.Secrets.IsDefaultOrEmpty || !container.Configs.IsDefaultOrEmpty) return false;
        var tally = state.TallyOf(service.Id);
        return tally.Runnable == tally.RunnableSlots
            && state.TaskIndex.RunnableOfVersion.GetValueOrDefault((service.Id, service.SpecVersion)) == tally.Runnable;
    }

    /// <summary>The config in force: rollback_config while rolling back, else update_config, each Swarm's default when unset.</summary>
    public static UpdateConfig ConfigOf(Service service) =>
        (service.UpdateStatus?.IsRollback == true ? service.Spec.RollbackConfig : service.Spec.UpdateConfig) ?? Defaults;

    public static TimeSpan MonitorOf(UpdateConfig config) => config.Monitor == Duration.Zero ? DefaultMonitor : config.Monitor.ToTimeSpan();

    /// <summary>When the updater must look again though nothing changed: a delay between slots or a monitor period ends.</summary>
    public static DateTimeOffset? NextDue(ClusterState state, DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var service in state.Services.Values.Where(s => s.UpdateStatus?.IsActive == true))
        {
            var config = ConfigOf(service);
            foreach (var task in Replacements(service, state))
            {
                // The delay runs from when the replacement ran, or ended without running; the monitor from when it ran.
                DateTimeOffset?[] dues =
                [
                    DelayFrom(task) + config.Delay.ToTimeSpan(),
                    task.RunningSince + MonitorOf(config),
                ];
                foreach (var due in dues)
                    if (due > now && (next is null || due < next)) next = due;
            }
        }
        return next;
    }

    private static IEnumerable<DomainEvent> ReconcileService(Service service, ClusterState state, DateTimeOffset now, ReconcileContext context)
    {
        // The service's tasks, read once: the slots, the replacements and the slot count all come from them.
        var serviceTasks = state.TasksOf(service.Id).ToList();
        var slots = Slots(service, state, serviceTasks);
        var events = new List<DomainEvent>();

        // A slot rolled start-first holds its old task until the new one runs; then the old one goes. So it does once
        // its current task is of the spec and parked in Ready: that task (the restart of a start-first replacement
        // that failed, made with the restart delay) starts only once the slot's other tasks have stopped, which
        // nothing else would ask of them (swarmkit's worker removes a slot's other tasks when it finds a clean one).
        foreach (var slot in slots.Values)
            if (slot.Current.Status.State == TaskState.Running
                || (slot.Current.DesiredState == TaskState.Ready && !IsDirty(slot.Current, service, state)))
                foreach (var old in slot.Tasks.Where(t => t.Id != slot.Current.Id))
                    events.Add(new TaskDesiredStateChanged(old.Id, TaskState.Shutdown, now));

        // A paused update waits for a new spec (swarmkit's Run returns at once while paused).
        if (service.UpdateStatus?.IsPaused == true) return events;

        var dirty = slots.Values.Where(s => IsDirty(s.Current, service, state)).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        var status = service.UpdateStatus;
        if (status is null || !status.IsActive)
        {
            // swarmkit's startUpdate: an update begins when tasks of an older spec are found, and its first slots
            // are replaced at once (swarmkit's Run goes on after startUpdate), in the same pass.
            if (dirty.Count == 0) return events;
            var started = new ServiceUpdateStarted(service.Id, now);
            events.Add(started);
            state = ServiceEvent.Evolve(state, started, state.LastSequence);
            service = state.Services[service.Id];
            status = service.UpdateStatus!;
        }

        var config = ConfigOf(service);
        var monitor = MonitorOf(config);
        var replacements = serviceTasks.Where(t => IsReplacement(t, service)).ToList();

        // swarmkit's failureTriggersAction: a replacement that ended on its own (failed, rejected or exited: "failure
        // or early termination") before it had run for the monitor period is a failure; once the slots that failed
        // exceed the ratio of the service's slots, the failure action applies. The task's own end tells it, not its
        // desired state: the orchestrator, which runs first in the pass, has usually shut a failed task down already
        // to restart it. A slot counts once, however often its restarts fail: swarmkit counts the one task it
        // created per slot, never the restart supervisor's.
        var failed = replacements
            .Where(t => EndedOnItsOwn(t)
                && (t.RunningSince is not { } running || t.Status.Timestamp - running <= monitor))
            .OrderBy(t => t.Status.Timestamp).ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();
        var failedSlots = failed.Select(t => SlotKey(t, service)).Distinct(StringComparer.Ordinal).Count();
        // The ratio is of every slot the service holds, a failed one waiting for its restart included (swarmkit
        // divides by the slots the update set out to replace, which is all of them for a new spec).
        var slotCount = serviceTasks.Where(t => t.IsRunnable).Select(t => SlotKey(t, service)).Distinct(StringComparer.Ordinal).Count();
        if (failedSlots > 0 && config.FailureAction != UpdateFailureAction.Continue
            && failedSlots / (double)Math.Max(1, slotCount) > config.MaxFailureRatio)
        {
            var task = failed[^1].Id;
            if (config.FailureAction == UpdateFailureAction.Pause || status.IsRollback)
                events.Add(new ServiceUpdatePaused(service.Id, UpdateStatus.PausedBy(task, status.IsRollback), now));
            else if (service.PreviousSpec is null)
                events.Add(new ServiceUpdatePaused(service.Id, UpdateStatus.NoPreviousSpec, now));
            else
                events.Add(new ServiceRolledBack(service.Id, UpdateStatus.RolledBackBy(task), Automatic: true, now));
            return events;
        }

        // A slot is in flight from its replacement's creation until that task has reached Running, or ended, and the
        // update delay has passed since: swarmkit's worker waits for the new task to reach Running or beyond, then
        // sleeps the delay. The parallelism bounds the slots in flight (0: all at once), as its worker pool does.
        var delay = config.Delay.ToTimeSpan();
        var inFlight = replacements.GroupBy(t => SlotKey(t, service), StringComparer.Ordinal).Count(slot => IsInFlight([.. slot], delay, now));
        var free = config.Parallelism == 0 ? int.MaxValue : (int)Math.Max(0, Math.Min(int.MaxValue, config.Parallelism - inFlight));
        foreach (var slot in dirty.Take(free))
            events.AddRange(Replace(slot, service, config, state, context));

        // swarmkit keeps watching for one monitor period after the last slot before it declares the update complete.
        if (dirty.Count == 0 && inFlight == 0)
        {
            var lastStarted = replacements.Select(t => t.RunningSince).Where(t => t is not null).Max();
            if (lastStarted is null || lastStarted.Value + monitor <= now)
                events.Add(new ServiceUpdateCompleted(service.Id, now));
        }
        return events;
    }

    /// <summary>
    /// One slot's replacement. Start-first creates the new task beside the old one, which goes once the new one runs;
    /// stop-first shuts the slot down and parks the new task until the old one has stopped (<see cref="DelayedStart"/>).
    /// A rotated secret or config alone always starts first: the spec is the same, and a rotation must not take a
    /// replica away. A global task with host-mode ports stops first whatever the order: the port cannot be held twice.
    /// </summary>
    private static IEnumerable<DomainEvent> Replace(Slot slot, Service service, UpdateConfig config, ClusterState state, ReconcileContext context)
    {
        var rotationOnly = slot.Current.SpecVersion == service.SpecVersion;
        var startFirst = rotationOnly || (config.Order == UpdateOrder.StartFirst && service.Spec.HostPorts.IsEmpty);
        var global = service.Spec.Mode.IsGlobal;
        if (!startFirst)
            foreach (var task in slot.Tasks)
                yield return new TaskDesiredStateChanged(task.Id, TaskState.Shutdown, context.Now);
        // Start-first keeps the task that serves: a replacement of an earlier update that has not run yet is dropped
        // rather than kept beside it, so a slot never holds more than its serving task and the newest one. (When the
        // current task runs, the loop above has already shut the others.)
        else if (slot.Current.Status.State != TaskState.Running)
        {
            var serving = slot.Tasks.FirstOrDefault(t => t.Status.State == TaskState.Running);
            foreach (var task in slot.Tasks.Where(t => t.Id != serving?.Id))
                yield return new TaskDesiredStateChanged(task.Id, TaskState.Shutdown, context.Now);
        }
        yield return new TaskCreated(context.NewId(), service.Id, service.Spec.Name, global ? 0 : slot.Current.Slot, global ? slot.Current.NodeId : null,
            service.TemplateForNewTask(state), service.SpecVersion, startFirst ? TaskState.Running : TaskState.Ready, context.Now);
    }

    /// <summary>A slot's tasks still wanted, newest first: the first is the slot's current task.</summary>
    private sealed record Slot(string Key, SwarmTask Current, IReadOnlyList<SwarmTask> Tasks);

    /// <summary>
    /// The service's slots as the updater sees them: a replica's slot number, or for a global service its node. A
    /// slot whose current task needs a restart is the orchestrator's (its replacement is made from the current spec
    /// anyway), as is a global task on a node that no longer qualifies or is paused (nothing new may start there).
    /// </summary>
    private static Dictionary<string, Slot> Slots(Service service, ClusterState state, IEnumerable<SwarmTask> serviceTasks)
    {
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        var global = service.Spec.Mode.IsGlobal;
        var constraints = global ? Domain.Scheduling.Constraint.ParseAll(service.Spec.TaskTemplate.EffectivePlacement.Constraints) : [];
        foreach (var group in serviceTasks.Where(t => t.IsRunnable).GroupBy(t => SlotKey(t, service)))
        {
            // Created at the same instant (a pass's events share its time), a task of the current spec is the later
            // one: a task of an older spec was made before the spec changed. Ordering such ties by ID made the slot's
            // current task an older one again after each replacement, replaced anew at every pass (found by the
            // property test after a rollback).
            var tasks = group.OrderByDescending(t => t.CreatedAt).ThenBy(t => IsDirty(t, service, state) ? 1 : 0)
                .ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
            var current = tasks[0];
            if (RestartSupervisor.NeedsRestart(current, state)) continue;
            if (global && (current.NodeId is null || !state.Nodes.TryGetValue(current.NodeId, out var node)
                || !node.CanTakeNewTasks || !constraints.All(c => c.IsSatisfiedBy(node)))) continue;
            slots[group.Key] = new Slot(group.Key, current, tasks);
        }
        return slots;
    }

    private static string SlotKey(SwarmTask task, Service service) =>
        service.Spec.Mode.IsGlobal ? task.NodeId ?? "" : task.Slot.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs an older spec, or secret or config data that has since been rotated.</summary>
    private static bool IsDirty(SwarmTask task, Service service, ClusterState state) => !service.IsUpToDate(task, state);

    /// <summary>
    /// A slot's replacements (tasks of the current spec since the update began) hold it in flight while one is on
    /// its way to Running, or one reached Running or ended less than the delay ago. Once one ended on its own, the
    /// slot is the failure action's business and its restarts are the orchestrator's: a restart that never runs (a
    /// broken image) must not hold up an update whose failure action is continue, as swarmkit's worker moves on
    /// after a failure.
    /// </summary>
    private static bool IsInFlight(IReadOnlyList<SwarmTask> replacements, TimeSpan delay, DateTimeOffset now) =>
        (!replacements.Any(EndedOnItsOwn) && replacements.Any(t => t.IsRunnable && t.Status.State < TaskState.Running))
        || replacements.Any(t => DelayFrom(t) + delay > now);

    /// <summary>When the update delay after a replacement starts: once it ran, or ended without running.</summary>
    private static DateTimeOffset? DelayFrom(SwarmTask task) => task.RunningSince ?? (task.Status.State.IsTerminal() ? task.Status.Timestamp : null);

    /// <summary>swarmkit's "failure or early termination": failed, rejected, or exited (complete) though wanted running.</summary>
    public static bool EndedOnItsOwn(SwarmTask task) => task.Status.State is TaskState.Failed or TaskState.Rejected or TaskState.Complete;

    /// <summary>Made from the current spec since the update began: a task this update (or a restart during it) created.</summary>
    private static bool IsReplacement(SwarmTask task, Service service) =>
        task.SpecVersion == service.SpecVersion && service.UpdateStatus?.StartedAt is { } started && task.CreatedAt >= started;

    private static IEnumerable<SwarmTask> Replacements(Service service, ClusterState state) =>
        state.TasksOf(service.Id).Where(t => IsReplacement(t, service));
}
