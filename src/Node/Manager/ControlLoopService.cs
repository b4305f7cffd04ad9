using EventSwarm.Application;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Nodes;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Manager;

/// <summary>
/// The control loops run on the leader only, for as long as it leads: nothing else writes the cluster's state.
/// A worker never decides anything; a node that is promoted starts taking part when its log is open.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class ControlLoopService(ControlLoopRunner runner, Membership membership, RaftLogHost raft, Heartbeats heartbeats, Metrics.NodeMetrics metrics, ILogger<ControlLoopService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        runner.LoopTimed = metrics.ObserveLoop;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (membership.IsWorker || !raft.IsOpen)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
                    continue;
                }
                // The log may be opened again (joining, promoted, demoted); wait on whichever is current.
                using var current = CancellationTokenSource.CreateLinkedTokenSource(ct, raft.Replaced, membership.RoleChanged);
                var leading = await raft.Log.WaitForLeadershipAsync(current.Token);
                using var term = CancellationTokenSource.CreateLinkedTokenSource(current.Token, leading);
                // Beats heard during an earlier term are stale: every node gets the full grace from now on.
                heartbeats.Clear();
                logger.LogInformation("leading: control loops started");
                await runner.RunAsync(term.Token);
                logger.LogInformation("no longer leading: control loops stopped");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (InvalidOperationException) when (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).Quietly();
            }
            catch (Exception e) when (!ct.IsCancellationRequested && Infrastructure.Log.DiskAlarm.IsNoSpace(e))
            {
                // The log failed a write for want of space and refuses everything until the disk alarm's probe
                // reopens it: the node lives on (reads, heartbeats) and leads again then.
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).Quietly();
            }
        }
    }
}
