using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Scheduling;
using EventSwarm.Application.Services;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Application.ControlLoops;

/// <summary>
/// Runs the control loops on the leader: each pass runs every loop once, each on the state left by the one
/// before, and appends what the whole pass decided as ONE batch, named after the loops that decided something
/// (e.g. "replicated-orchestrator+scheduler+task-reaper"). A restart used to cost one log entry per loop (the
/// replacement, its assignment, the reaping of the old task); as one batch it costs one entry per attempt on the
/// leader's side, which is what bounds a crash loop's log growth (issue 10). It sleeps until a batch is appended
/// (or the projection moves) or a delayed restart falls due.
/// </summary>
public sealed class ControlLoopRunner(ClusterWriter writer, ClusterProjection projection, IClock clock, Heartbeats heartbeats, ILogger<ControlLoopRunner> logger)
{
    /// <summary>Upper bound on a sleep, so that anything time-based that is not tracked still happens soon.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(1);

    /// <summary>Passes shorter than this run back to back; longer ones are followed by an equal rest.</summary>
    private static readonly TimeSpan PassRestThreshold = TimeSpan.FromMilliseconds(10);

    /// <summary>The loops in the order a pass runs them: a node found down first, so its tasks move in the same pass.</summary>
    /// <param name="watchingSince">Monotonic timestamp (Stopwatch) of when this leader started listening: like
    /// the heartbeats, placed on the pass's clock by elapsed time, so a wall clock jump does not shorten the grace.</param>
    public IReadOnlyList<(string Name, ControlLoop Loop)> Loops(long watchingSince) =>
    [
        ("node-monitor", (state, context) => NodeMonitor.Reconcile(state, context, heartbeats.Snapshot(context.Now), heartbeats.Period,
            context.Now - System.Diagnostics.Stopwatch.GetElapsedTime(watchingSince), heartbeats.Disconnects(context.Now))),
        ("replicated-orchestrator", ReplicatedOrchestrator.Reconcile),
        ("global-orchestrator", GlobalOrchestrator.Reconcile),
        ("updater", RollingUpdater.Reconcile),
        ("allocator", Networking.NetworkAllocator.Reconcile),
        ("scheduler", Scheduler.Reconcile),
        ("task-reaper", TaskReaper.Reconcile),
        ("data-version-reaper", Secrets.DataVersionReaper.Reconcile),
    ];

    /// <summary>
    /// One pass, pure: every loop on the state the loops before it left (their events applied), the events of
    /// all of them together, and the names of the loops that decided something. <paramref name="newId"/> replaces
    /// the random task IDs only where a test must replay a run exactly (the property tests shrink by replaying).
    /// </summary>
    public static (Decision Decision, string Loops) Pass(IReadOnlyList<(string Name, ControlLoop Loop)> loops, ClusterState state, DateTimeOffset now,
        Func<string>? newId = null)
    {
        var events = new List<DomainEvent>();
        var names = new List<string>();
        var metadata = Metadata(now, "reconcile");
        foreach (var (name, loop) in loops)
        {
            var decided = loop(state, new ReconcileContext(now, newId ?? Ids.NewId));
            if (decided.Count == 0) continue;
            names.Add(name);
            foreach (var @event in decided)
                state = state.Apply(new RecordedEvent(state.LastSequence + 1, metadata, @event));
            events.AddRange(decided);
        }
        // The state after the pass is the batch's unless a service's or stack's version records its actor: applied
        // here under "reconcile", under the deciding loops' names in the log.
        var after = events.Exists(e => e is Domain.Services.ServiceEvent or Domain.Stacks.StackEvent) ? null : state;
        return (new Decision(events) { After = after }, string.Join("+", names));
    }

    private static EventMetadata Metadata(DateTimeOffset now, string name) => new(now, $"system:{name}", "Reconcile", Ids.NewBatchId(), name);

    /// <summary>
    /// Told each loop's time on every pass (the node's /metrics): a plain delegate, so that this layer takes no
    /// metrics package and each agent's figures stay its own (a process-wide Meter would mix agents that share a
    /// process, as the simulation's do).
    /// </summary>
    public Action<string, TimeSpan>? LoopTimed { get; set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var loops = Timed(Loops(System.Diagnostics.Stopwatch.GetTimestamp()));
        // A change appended by anyone (a user's command, a worker's report) wakes the loops before it commits: they
        // decide on the state it will make, as every decision does (ClusterWriter), and their batch follows it into
        // the same commit. Waiting for the commit cost one commit's time on every reaction (a create's task, a
        // failed task's replacement); swarmkit's orchestrators likewise react to the store's events as they happen.
        var appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAppended() => Interlocked.Exchange(ref appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        writer.Appended += OnAppended;
        try
        {
            await RunPassesAsync(loops, () => Volatile.Read(ref appended).Task, ct);
        }
        finally
        {
            writer.Appended -= OnAppended;
        }
    }

    private IReadOnlyList<(string Name, ControlLoop Loop)> Timed(IReadOnlyList<(string Name, ControlLoop Loop)> loops) =>
        LoopTimed is not { } timed
            ? loops
            : loops.Select(l => (l.Name, (ControlLoop)((state, context) =>
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var decided = l.Loop(state, context);
                timed(l.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return decided;
            }))).ToList();

    private async Task RunPassesAsync(IReadOnlyList<(string Name, ControlLoop Loop)> loops, Func<Task> nextAppend, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var seen = projection.Current.LastSequence;
                var appendedSince = nextAppend();
                var now = clock.Now;
                var names = "";
                var spent = TimeSpan.Zero;
                var decision = await writer.WriteAsync(state =>
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    var (pass, loopNames) = Pass(loops, state, now);
                    names = loopNames;
                    spent = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    return pass;
                }, _ => Metadata(now, names), ct);
                var progressed = decision.Events.Count > 0;
                // A pass over 100,000 tasks takes tens of milliseconds of CPU, and a scale-up changes the state
                // every ~100 ms: back-to-back passes would take a core from the API and the engine. Resting as long
                // as the pass took keeps the loops at most half a core; small clusters (sub-ms passes) never rest.
                // The pass's own time, not its commit's: waiting for the disk costs no CPU.
                if (spent > PassRestThreshold) await Task.Delay(spent, ct);
                if (progressed) continue;
                var nextDue = new[] { DelayedStart.NextDue(projection.Current, clock.Now), RestartBackoff.NextDue(projection.Current, clock.Now),
                    RollingUpdater.NextDue(projection.Current, clock.Now) }.Min();
                var idle = nextDue is { } due && due - clock.Now < MaxIdle
                    ? due - clock.Now + TimeSpan.FromMilliseconds(5)
                    : MaxIdle;
                if (idle < TimeSpan.Zero) idle = TimeSpan.Zero;
                await Task.WhenAny(projection.WaitForChangeAsync(seen, idle, ct), appendedSince);
                ct.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A failed append (lost leadership, disk error) must not kill the loops; the next pass retries.
                logger.LogError(e, "control loop pass failed");
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
    }
}
