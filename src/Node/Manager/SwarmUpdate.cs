using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Swarm;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Security;
using Mediator;

namespace EventSwarm.Node.Manager;

/// <summary>What `swarm update` rotates besides the spec: the join tokens, and the managers' unlock key.</summary>
public sealed record SwarmRotations(bool WorkerToken = false, bool ManagerToken = false, bool ManagerUnlockKey = false);

/// <summary>
/// `swarm update`: the new spec, and new join secrets when a token is rotated. The secrets are made here, only
/// their hashes go to the log, and they are kept only once the update that records those hashes is committed,
/// so a refused update (a stale version) rotates nothing. With autolock asked for, a fresh unlock key is made and
/// offered sealed under the data key; the decision takes it only when autolock turns on or the key rotates. Once
/// committed, this manager rewraps its own keys at once (the others do when they apply the update), so a restart
/// right after `swarm update --autolock=true` already finds it locked.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class SwarmUpdate(IMediator mediator, ClusterSecrets secrets, ClusterProjection projection, RaftLogHost raft, ManagerKeyWrapping wrapping)
{
    public async Task UpdateAsync(long version, SwarmSpec spec, SwarmRotations rotate, Caller caller, CancellationToken ct)
    {
        var worker = rotate.WorkerToken ? JoinToken.NewSecret() : null;
        var manager = rotate.ManagerToken ? JoinToken.NewSecret() : null;
        string? sealedUnlockKey = null;
        if (spec.AutoLockManagers)
        {
            var dataKey = secrets.DataKey() ?? throw RequestErrors.Unavailable(
                "this manager holds no data key (a swarm made before secrets existed): autolock cannot be turned on");
            sealedUnlockKey = KeyWrap.SealUnlockKey(dataKey, UnlockKey.New());
        }
        await mediator.Send(new UpdateSwarmCommand(version, spec, caller,
            worker is null ? null : JoinToken.HashOf(worker), manager is null ? null : JoinToken.HashOf(manager))
        {
            SealedUnlockKey = sealedUnlockKey,
            RotateUnlockKey = rotate.ManagerUnlockKey,
        }, ct);
        if (worker is not null) secrets.SaveSecret(NodeRole.Worker, worker);
        if (manager is not null) secrets.SaveSecret(NodeRole.Manager, manager);
        await ApplyUnlockKeyAsync(ct);
    }

    /// <summary>On a follower the update was committed by the leader: wait (briefly) until it is applied here too.</summary>
    private async Task ApplyUnlockKeyAsync(CancellationToken ct)
    {
        if (raft.IsOpen && !raft.IsLeader)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            // Not applied in time: the wrapping service does it when the update arrives.
            await raft.Log.WaitForLeaderCommitAsync(bounded.Token).Quietly();
        }
        wrapping.Apply(projection.Current);
    }
}
