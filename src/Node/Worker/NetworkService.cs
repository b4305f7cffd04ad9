using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Workers;
using EventSwarm.Infrastructure.Networking;

namespace EventSwarm.Node.Worker;

/// <summary>
/// The node's half of swarm networking: whenever the projection moves, the node's plan is derived from it and,
/// when it differs from what was last applied, made real — the engine's networks, the DNS responders, routes
/// and netfilter rules. Every node, manager or worker, does this for itself; nothing here writes to the log.
/// </summary>
public sealed class NetworkService(
    LocalNode local,
    ClusterProjection projection,
    IContainerRuntime runtime,
    HostNetwork host,
    ServiceDns dns,
    Metrics.NodeMetrics metrics,
    ILogger<NetworkService> logger) : BackgroundService
{
    /// <summary>A plan is applied again after this long even if unchanged, repairing whatever was changed underneath.</summary>
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        NodeNetworkPlan? applied = null;
        var appliedAt = DateTime.MinValue;
        while (!ct.IsCancellationRequested)
        {
            var state = projection.Current;
            try
            {
                if (state.Swarm is not null && !projection.IsCatchingUp && state.Nodes.ContainsKey(local.NodeId))
                {
                    var plan = NodeNetworkPlan.For(state, local.NodeId);
                    if (plan != applied || _removalPending || DateTime.UtcNow - appliedAt > Resync)
                    {
                        var started = System.Diagnostics.Stopwatch.GetTimestamp();
                        await ApplyAsync(plan, verify: applied is null || DateTime.UtcNow - appliedAt > Resync, ct);
                        applied = plan;
                        appliedAt = DateTime.UtcNow;
                        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                        metrics.NetworkPlanApply.Observe(elapsed.TotalSeconds);
                        logger.LogInformation("network plan at {Sequence} applied at {Time:HH:mm:ss.fff} in {Elapsed:0} ms", state.LastSequence, DateTime.UtcNow,
                            elapsed.TotalMilliseconds);
                    }
                }
                else if (state.Swarm is null && (applied is not null || _removalPending))
                {
                    // The node left the swarm: its routes, rules, DNS and networks go too. (A node that has not
                    // read its state yet applies nothing, so an agent restart does not disturb running tasks.)
                    await ApplyAsync(NodeNetworkPlan.Empty, verify: true, ct);
                    applied = null;
                }
                await projection.WaitForChangeAsync(state.LastSequence, TimeSpan.FromSeconds(5), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "applying the network plan failed; retrying");
                applied = null;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).Quietly();
            }
        }
    }

    private HashSet<string> _engineNetworks = [];
    private bool _removalPending;

    private async Task ApplyAsync(NodeNetworkPlan plan, bool verify, CancellationToken ct)
    {
        var wanted = plan.Networks.Select(n => n.Id).ToHashSet();
        var networksChanged = verify || !wanted.SetEquals(_engineNetworks);
        if (networksChanged)
            foreach (var network in plan.Networks) await runtime.EnsureNetworkAsync(network, ct);
        await host.ApplyAsync(plan, verify, ct);
        dns.Serve(plan.Networks);
        if (!networksChanged) return;
        // A network leaves the node with its last task; the engine refuses while a container still holds it (a
        // network removed from the swarm while its tasks' containers still stop: `docker stack rm`), so it is
        // tried again on every pass until they are gone.
        var remaining = new HashSet<string>(wanted);
        var listed = await runtime.ListNetworksAsync(ct);
        // The worker makes the network of a task it was just given while this plan was applied (`docker stack rm`
        // then deploy again): the task is in the state the worker read, so a plan of the state now keeps its network.
        var wantedNow = listed.Any(id => !wanted.Contains(id)) && projection.Current is { Swarm: not null } now
            ? NodeNetworkPlan.For(now, local.NodeId).Networks.Select(n => n.Id).ToHashSet()
            : [];
        remaining.UnionWith(listed.Where(wantedNow.Contains));
        foreach (var id in listed)
            if (!wanted.Contains(id) && !wantedNow.Contains(id) && !await runtime.RemoveNetworkAsync(id, ct))
            {
                remaining.Add(id);
                logger.LogDebug("network {Network} still has containers; removing it later", id);
            }
        _engineNetworks = remaining;
        _removalPending = remaining.Count > wanted.Count;
    }
}
