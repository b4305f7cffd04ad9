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
/// before, and appends what it decided as one batch named after the loop. It sleeps until the projection moves
/// or a delayed restart falls due.
/// </summary>
public sealed class ControlLoopRunner(ClusterWriter writer, ClusterProjection projection, IClock clock, Heartbeats heartbeats, ILogger<ControlLoopRunner> logger)
{
    /// <summary>Upper bound on a sleep, so that anything time-based that is not tracked still happens soon.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(1);

    /// <summary>The loops in the order a pass runs them: a node found down first, so its tasks move in the same pass.</summary>
    /// <param name="watchingSince">Monotonic timestamp (Stopwatch) of when this leader started listening: like
    /// the heartbeats, placed on the pass's clock by elapsed time, so a wall clock jump does not shorten the grace.</param>
    public IReadOnlyList<(string Name, ControlLoop Loop)> Loops(long watchingSince) =>
    [
        ("node-monitor", (state, context) => NodeMonitor.Reconcile(state, context, heartbeats.Snapshot(context.Now), heartbeats.Period,
            context.Now - System.Diagnostics.Stopwatch.GetElapsedTime(watchingSince), heartbeats.Disconnects(context.Now))),
        ("replicated-orchestrator", ReplicatedOrchestrator.Reconcile),
        ("global-orchestrator", GlobalOrchestrator.Reconcile),
        ("allocator", Networking.NetworkAllocator.Reconcile),
        ("scheduler", Scheduler.Reconcile),
        ("task-reaper", TaskReaper.Reconcile),
    ];

    public async Task RunAsync(CancellationToken ct)
    {
        var loops = Loops(System.Diagnostics.Stopwatch.GetTimestamp());
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var seen = projection.Current.LastSequence;
                var progressed = false;
                foreach (var (name, loop) in loops)
                {
                    var metadata = new EventMetadata(clock.Now, $"system:{name}", "Reconcile", Ids.NewBatchId(), name);
                    var decision = await writer.WriteAsync(state => new Decision(loop(state, new ReconcileContext(clock.Now, Ids.NewId))), metadata, ct);
                    progressed |= decision.Events.Count > 0;
                }
                if (progressed) continue;
                var idle = DelayedStart.NextDue(projection.Current, clock.Now) is { } due && due - clock.Now < MaxIdle
                    ? due - clock.Now + TimeSpan.FromMilliseconds(5)
                    : MaxIdle;
                await projection.WaitForChangeAsync(seen, idle < TimeSpan.Zero ? TimeSpan.Zero : idle, ct);
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
