using System.Diagnostics.CodeAnalysis;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Swarm;

/// <summary>What `swarm unlock` came to; the API gives each Docker's status and words (moby daemon/cluster errors.go).</summary>
public enum UnlockOutcome
{
    Unlocked,
    /// <summary>errNoSwarm (503).</summary>
    NotInSwarm,
    /// <summary>notLockedError (409): asked of a node that is not locked.</summary>
    NotLocked,
    /// <summary>swarmkit's ParseHumanReadableKey (400): not an SWMKEY-1- key.</summary>
    InvalidKeyFormat,
    /// <summary>invalidUnlockKey (401): a well-formed key that does not open this manager's keys.</summary>
    WrongKey,
}

/// <summary>
/// `swarm unlock` on a manager restarted with autolock on: the unlock key opens the wrapped keys in memory (the
/// files stay wrapped), then the node starts what a normal start would have: its Raft log (the worker follows once
/// it is replayed) and its listener for other nodes. Docker's order of checks: locked at all first, then the key.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class SwarmUnlock(ClusterSecrets secrets, RaftLogHost raft, SwarmLifecycle lifecycle, ILogger<SwarmUnlock> logger)
{
    public async Task<UnlockOutcome> UnlockAsync(string? unlockKey, CancellationToken ct)
    {
        using var step = await lifecycle.BeginStepAsync(ct);
        if (!secrets.IsLocked) return lifecycle.InSwarm ? UnlockOutcome.NotLocked : UnlockOutcome.NotInSwarm;
        if (!UnlockKey.TryParse(unlockKey, out var key)) return UnlockOutcome.InvalidKeyFormat;
        if (!secrets.Unlock(key))
        {
            // Never the key itself, not even a part of it.
            logger.LogWarning("swarm unlock refused: the key given does not open this manager's keys");
            return UnlockOutcome.WrongKey;
        }
        await raft.OpenAfterUnlockAsync(ct);
        lifecycle.ListenAgain();
        logger.LogInformation("swarm unlocked: log open, listening for other nodes");
        return UnlockOutcome.Unlocked;
    }
}
