using EventSwarm.Application;
using EventSwarm.Application.Swarm;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Security;
using Mediator;

namespace EventSwarm.Node.Manager;

/// <summary>
/// `swarm update`: the new spec, and new join secrets when a token is rotated. The secrets are made here, only
/// their hashes go to the log, and they are kept only once the update that records those hashes is committed,
/// so a refused update (a stale version) rotates nothing.
/// </summary>
public sealed class SwarmUpdate(IMediator mediator, ClusterSecrets secrets)
{
    public async Task UpdateAsync(long version, SwarmSpec spec, bool rotateWorkerToken, bool rotateManagerToken, Caller caller, CancellationToken ct)
    {
        var worker = rotateWorkerToken ? JoinToken.NewSecret() : null;
        var manager = rotateManagerToken ? JoinToken.NewSecret() : null;
        await mediator.Send(new UpdateSwarmCommand(version, spec, caller,
            worker is null ? null : JoinToken.HashOf(worker), manager is null ? null : JoinToken.HashOf(manager)), ct);
        if (worker is not null) secrets.SaveSecret(NodeRole.Worker, worker);
        if (manager is not null) secrets.SaveSecret(NodeRole.Manager, manager);
    }
}
