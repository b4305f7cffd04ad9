using EventSwarm.Application;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Swarm;
using EventSwarm.Application.Tasks;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Security;
using Mediator;

namespace EventSwarm.Node.Agent;

/// <summary>
/// The control loops run on the leader only, for as long as it leads: nothing else writes the cluster's state.
/// A worker never decides anything; a node that is promoted starts taking part when its log is open.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class ControlLoopService(ControlLoopRunner runner, Membership membership, RaftLogHost raft, Heartbeats heartbeats, ILogger<ControlLoopService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
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
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ContinueWith(_ => { });
            }
            catch (Exception e) when (!ct.IsCancellationRequested && Infrastructure.Log.DiskAlarm.IsNoSpace(e))
            {
                // The log failed a write for want of space and refuses everything until the disk alarm's probe
                // reopens it: the node lives on (reads, heartbeats) and leads again then.
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ContinueWith(_ => { });
            }
        }
    }
}

/// <summary>
/// On a worker, the projection follows a manager's: its state once, then the events after it (long polling).
/// When the manager no longer holds the events it needs, or the line breaks, it starts over from the state of
/// the next manager the log knows. It stops when the node is promoted (its own log takes over).
/// </summary>
public sealed class RemoteFeedService(Membership membership, ClusterSecrets secrets, ClusterProjection projection, ILogger<RemoteFeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var manager = new ManagerClient(membership, secrets);
        while (!ct.IsCancellationRequested)
        {
            if (!membership.IsWorker)
            {
                // Joining as a worker wakes this at once: `swarm join` waits for the state it brings.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct, membership.RoleChanged);
                await Task.Delay(TimeSpan.FromMilliseconds(500), idle.Token).ContinueWith(_ => { });
                continue;
            }
            using var following = CancellationTokenSource.CreateLinkedTokenSource(ct, membership.RoleChanged);
            try
            {
                var state = await manager.StateAsync(following.Token);
                // A leave may have happened while the call was out: what comes back belongs to the swarm left.
                if (following.IsCancellationRequested || !membership.IsWorker) continue;
                projection.Restore(state);
                projection.IsCatchingUp = false;
                while (await manager.EventsAsync(projection.Current.LastSequence, following.Token) is { } events && !following.IsCancellationRequested)
                    projection.ApplyRecorded(events);
            }
            catch (OperationCanceledException) when (following.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                var failed = membership.ManagerAddress;
                manager.FailOver(projection.Current);
                logger.LogWarning("following manager {Manager} failed ({Error}); now following {Next}", failed, e.Message, membership.ManagerAddress);
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ContinueWith(_ => { });
            }
        }
    }
}

/// <summary>
/// The worker: waits until this node is part of a swarm, tells the managers what its engine is, then runs the
/// node's tasks. A manager's reports go through the same command path as a user's commands; a worker's go to
/// the manager it follows. Either can change while it runs (promotion, demotion).
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class WorkerService(
    LocalNode local,
    ClusterProjection projection,
    IContainerRuntime runtime,
    IMediator mediator,
    IClock clock,
    Heartbeats heartbeats,
    Membership membership,
    ClusterSecrets secrets,
    LeaderLink leader,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!projection.Current.Nodes.ContainsKey(local.NodeId))
            await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromSeconds(5), ct);

        using var manager = new ManagerClient(membership, secrets);
        if (!membership.IsWorker) await RegisterAsync(ct);
        var worker = new WorkerAgent(local.NodeId, runtime, projection, (report, token) => ReportAsync(manager, report, token),
            clock, loggers.CreateLogger<WorkerAgent>());
        await Task.WhenAll(worker.RunAsync(ct), BeatAsync(token => projection.Current.Swarm is null ? Task.CompletedTask
            : membership.IsWorker ? WorkerBeatAsync(manager, token) : leader.BeatAsync(local.NodeId, token), ct));
    }

    /// <summary>
    /// Reports go to the swarm the node is in. Those that arrive after it left (the containers of its tasks being
    /// stopped and removed) have nowhere to go and are dropped quietly, as are those a swarm no longer knows the
    /// node for: Docker's agent drops its task updates with its session when the node leaves.
    /// </summary>
    private async Task ReportAsync(ManagerClient manager, ReportTaskStatus report, CancellationToken ct)
    {
        var swarm = projection.Current.Swarm;
        if (swarm is null) return;
        var asWorker = membership.IsWorker;
        try
        {
            await (asWorker
                ? manager.ReportAsync(report, ct)
                : mediator.Send(new ReportTaskStatusCommand(report, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), ct).AsTask());
        }
        catch (Exception e) when (e is not OperationCanceledException && (!ReferenceEquals(projection.Current.Swarm, swarm)
                                      // Leaving, while the projection still shows the swarm: the worker follows no manager, the manager's log is closed.
                                      || asWorker && !membership.IsWorker
                                      || e is CommandRejectedException { Error.Message: Domain.Swarm.SwarmDecider.NotInSwarm }
                                      || e is CommandRejectedException { Error.Kind: Domain.ErrorKind.NotFound }))
        {
            loggers.CreateLogger<WorkerService>().LogDebug("dropped {Count} task reports of a swarm this node is no longer in ({Error})", report.Reports.Count, e.Message);
        }
    }

    /// <summary>A manager that stops taking heartbeats (dead, cut off, demoted) is left for the next one.</summary>
    private async Task WorkerBeatAsync(ManagerClient manager, CancellationToken ct)
    {
        try
        {
            await manager.HeartbeatAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            manager.FailOver(projection.Current);
            throw;
        }
    }

    /// <summary>A manager that has just restarted may not see a leader yet: keep telling until one listens.</summary>
    private async Task RegisterAsync(CancellationToken ct)
    {
        // Left before the agent got here: the next init or join registers the node itself.
        if (!projection.Current.Nodes.TryGetValue(local.NodeId, out var node)) return;
        var description = await local.DescriptionAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await mediator.Send(new RegisterNodeCommand(local.NodeId, node.Role, node.Address, description, new Caller($"node:{local.NodeId}", Ids.NewBatchId())), ct);
                return;
            }
            catch (CommandRejectedException e) when (attempt < 60 && e.Error.Kind == Domain.ErrorKind.Unavailable)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>Two periods, and never less than 2 s: a TLS handshake on a busy two-core node can take a second.</summary>
    private static TimeSpan BeatTimeout(TimeSpan period) => TimeSpan.FromTicks(Math.Max(2 * period.Ticks, TimeSpan.FromSeconds(2).Ticks));

    /// <summary>This node's heartbeat: a memory write when the leader shares the process, a call to the manager otherwise.</summary>
    private async Task BeatAsync(Func<CancellationToken, Task> beat, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // A beat sent on a connection opened before a partition waits for TCP's retransmissions (tens of
            // seconds after a 30 s cut) and holds back every beat after it: the fault suite saw a healed manager
            // stay Down for ~90 s. Giving up after two periods drops that connection; the next beat opens a new one.
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(BeatTimeout(heartbeats.Period));
            try
            {
                await beat(bounded.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A missed beat is what the node monitor is there to notice; keep beating.
            }
            try
            {
                await Task.Delay(heartbeats.Period, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
