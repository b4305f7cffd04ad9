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
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using Mediator;

namespace EventSwarm.Node.Worker;

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
    TaskFileIssuer issuer,
    ITaskFileStore fileStore,
    Metrics.NodeMetrics metrics,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!projection.Current.Nodes.ContainsKey(local.NodeId))
            await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromSeconds(5), ct);

        using var manager = new ManagerClient(membership, secrets);
        if (!membership.IsWorker) await RegisterAsync(ct);
        var worker = new WorkerAgent(local.NodeId, runtime, projection, (report, token) => ReportAsync(manager, report, token),
            new TaskFileSource(local.NodeId, membership, issuer, manager), fileStore, clock, loggers.CreateLogger<WorkerAgent>());
        worker.StatusObserved += new Metrics.TaskMetrics(metrics).Observe;
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
