using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Swarm;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using Mediator;

namespace EventSwarm.Node.Swarm;

/// <summary>What `swarm init` asks for, as read from the request (moby's InitRequest, less its wire types).</summary>
/// <param name="Spec">
/// The swarm's spec laid over <see cref="SwarmInit.Defaults"/>. A function, because Docker reads the spec only once
/// the node is known to be out of a swarm: an init in a swarm is refused as such, whatever its spec says.
/// </param>
public sealed record SwarmInitRequest(string? ListenAddr, string? AdvertiseAddr, string? DataPathAddr, bool ForceNewCluster,
    Func<SwarmSpec, SwarmSpec> Spec, IReadOnlyList<string> DefaultAddrPool, uint SubnetSize, uint DataPathPort);

/// <summary>
/// `swarm init`: this node becomes the first manager of a new swarm — its addresses chosen and listened on, a
/// one-member Raft log started, the swarm's creation committed, and only then the CA and join secrets kept and
/// its own certificate issued. A failed init leaves the node as it was (Docker clears its state when the first
/// start fails). With --force-new-cluster on a manager already in a swarm: Swarm's recovery from a lost quorum.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class SwarmInit(IMediator mediator, ClusterProjection projection, ClusterSecrets secrets, IClock clock, AgentOptions options,
    Membership membership, RaftLogHost raft, LocalNode local, SwarmLifecycle lifecycle)
{
    /// <summary>
    /// What a spec left unset takes: swarmkit's defaults, except Dispatcher.HeartbeatPeriod, which is the agent's
    /// --heartbeat-period (5 s unless given). In Docker the period is the swarm spec's alone (`swarm init|update
    /// --dispatcher-heartbeat`, shown by `docker info` / GET /swarm and sent by the dispatcher to every agent);
    /// dockerd has no flag for it. Here the spec is that one source too (<see cref="Heartbeats"/> reads it back):
    /// the agent flag only chooses the default a new swarm records, so what /swarm reports is what the nodes beat.
    /// </summary>
    public SwarmSpec Defaults => SwarmSpec.Default with { HeartbeatPeriod = options.HeartbeatPeriod.Ticks * (SwarmSpec.NanosecondsPerSecond / TimeSpan.TicksPerSecond) };

    /// <returns>This node's ID.</returns>
    public async Task<string> InitAsync(SwarmInitRequest request, Caller caller, CancellationToken ct)
    {
        using var step = await lifecycle.BeginStepAsync(ct);
        if (request.ForceNewCluster && lifecycle.InSwarm)
        {
            // Swarm's recovery from a lost quorum: this manager becomes the only one, with the state it holds.
            if (membership.IsWorker || !raft.IsOpen) throw RaftLogHost.NotAManager();
            await raft.ForceNewClusterAsync(ct);
            await mediator.Send(new ForceNewClusterCommand(caller), ct);
            return local.NodeId;
        }
        if (lifecycle.InSwarm) throw SwarmLifecycle.AlreadyInSwarm();
        var spec = request.Spec(Defaults);
        var addresses = SwarmAddresses.ForInit(request.ListenAddr, request.AdvertiseAddr, request.DataPathAddr, options);
        // The listener and the log open now, and close again if the swarm's creation is not committed.
        lifecycle.Listen(addresses);
        try
        {
            await raft.StartNewClusterAsync(ct);
            // The CA and the join secrets are kept only once the swarm's creation is committed.
            var cluster = ClusterSecrets.Create(clock.Now);
            // --autolock: the unlock key goes to the log sealed under the new data key; the keys are wrapped under
            // it as soon as they are written, so the first restart already finds this manager locked.
            var unlockKey = spec.AutoLockManagers ? UnlockKey.New() : null;
            var nodeId = await mediator.Send(new InitSwarmCommand(addresses.AdvertiseIp, caller, cluster.Credentials, addresses.Manager)
            {
                Spec = spec,
                DefaultAddrPool = request.DefaultAddrPool,
                SubnetSize = checked((int)request.SubnetSize),
                DataPathPort = checked((int)request.DataPathPort),
                SealedUnlockKey = unlockKey is null ? null : KeyWrap.SealUnlockKey(Convert.FromBase64String(cluster.DataKey), unlockKey),
            }, ct);
            secrets.Save(cluster);
            secrets.IssueOwnCertificate(nodeId, NodeRole.Manager, projection.Current.Swarm!.ClusterId, clock.Now);
            if (unlockKey is not null) secrets.ApplyUnlockKey(unlockKey);
            return nodeId;
        }
        catch
        {
            await lifecycle.ForgetSwarmAsync();
            throw;
        }
    }
}
