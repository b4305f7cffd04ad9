using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Swarm;

/// <summary>
/// `swarm leave`: the node forgets the swarm (its certificate, the CA, its copy of the state), stops listening for
/// other nodes and becomes a node on its own again. Its task containers go with the state, removed by the worker
/// once no task wants them. The managers see the node go Down, as in Swarm, until `node rm` removes it.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class SwarmLeave(ClusterProjection projection, Membership membership, SwarmLifecycle lifecycle, ILogger<SwarmLeave> logger)
{
    public async Task LeaveAsync(bool force, CancellationToken ct)
    {
        using var step = await lifecycle.BeginStepAsync(ct);
        if (!lifecycle.InSwarm) throw SwarmLifecycle.NotPartOfSwarm();
        if (!membership.IsWorker)
        {
            var state = projection.Current;
            var managers = state.Nodes.Values.Count(n => n.Role == NodeRole.Manager);
            if (!force)
                throw Refused(ErrorKind.Unavailable, managers <= 1
                    ? "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message."
                    : "You are attempting to leave the swarm on a node that is participating as a manager. Removing this node leaves "
                      + $"{managers - 1} managers out of {managers}. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.");
            if (managers > 1)
                throw Refused(ErrorKind.Unavailable, "A manager of a swarm with other managers leaves in two steps here: `eventswarm node demote` it, then `eventswarm swarm leave` on it.");
        }
        await lifecycle.ForgetSwarmAsync();
        logger.LogInformation("left the swarm");
    }

    private static CommandRejectedException Refused(ErrorKind kind, string message) => new(new DomainError(kind, message));
}
