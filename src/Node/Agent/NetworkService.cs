using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Workers;
using EventSwarm.Infrastructure.Networking;

namespace EventSwarm.Node.Agent;

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
                    if (plan != applied || DateTime.UtcNow - appliedAt > Resync)
                    {
                        var started = System.Diagnostics.Stopwatch.GetTimestamp();
                        await ApplyAsync(plan, ct);
                        applied = plan;
                        appliedAt = DateTime.UtcNow;
                        logger.LogDebug("network plan at {Sequence} applied in {Elapsed} ms", state.LastSequence,
                            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
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
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ContinueWith(_ => { });
            }
        }
    }

    private async Task ApplyAsync(NodeNetworkPlan plan, CancellationToken ct)
    {
        foreach (var network in plan.Networks) await runtime.EnsureNetworkAsync(network, ct);
        await host.ApplyAsync(plan, ct);
        dns.Serve(plan.Networks);
        // A network leaves the node with its last task; the engine refuses while a container still holds it.
        foreach (var id in await runtime.ListNetworksAsync(ct))
            if (plan.Networks.All(n => n.Id != id) && !await runtime.RemoveNetworkAsync(id, ct))
                logger.LogDebug("network {Network} still has containers; removing it later", id);
    }
}
