using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Manager;

/// <summary>
/// Keeps this manager's keys on disk as the swarm's autolock asks: wrapped under the unlock key the log carries
/// (sealed under the data key), rewrapped when it rotates, back in clear when autolock is turned off. Every manager
/// runs it, so a key rotated while one was down is applied when it catches up (until then it unlocks with the key
/// it had, as in Swarm). A locked manager does nothing: its keys are not readable until `swarm unlock`.
/// </summary>
public sealed class ManagerKeyWrapping(ClusterProjection projection, ClusterSecrets secrets, Membership membership, ILogger<ManagerKeyWrapping> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var state = projection.Current;
            try
            {
                Apply(state);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The type only: a cryptographic failure's message says nothing useful, and nothing secret may leak.
                logger.LogWarning("could not rewrap this manager's keys under the swarm's unlock key ({Error}); retrying", e.GetType().Name);
            }
            await projection.WaitForChangeAsync(state.LastSequence, TimeSpan.FromSeconds(5), ct).Quietly();
        }
    }

    /// <summary>Rewraps the keys if the state asks for another unlock key than the one they are under.</summary>
    /// <returns>Whether the files were rewritten.</returns>
    public bool Apply(ClusterState state)
    {
        // A prefix of the log (catching up) may name a key that was rotated since: wait for the whole of it.
        if (membership.IsWorker || projection.IsCatchingUp || state.Swarm is not { } swarm || secrets.IsLocked || secrets.DataKey() is not { } dataKey)
            return false;
        var unlockKey = swarm.SealedUnlockKey is { } sealedKey ? KeyWrap.OpenUnlockKey(dataKey, sealedKey) : null;
        if (!secrets.ApplyUnlockKey(unlockKey)) return false;
        if (unlockKey is null) logger.LogInformation("autolock off: this manager's keys are kept in clear again");
        else logger.LogInformation("autolock: this manager's keys are wrapped under the swarm's current unlock key");
        return true;
    }
}
