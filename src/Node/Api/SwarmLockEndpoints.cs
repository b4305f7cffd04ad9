using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Swarm;

namespace EventSwarm.Node.Api;

/// <summary>POST /swarm/unlock (moby types.UnlockRequest).</summary>
public sealed record SwarmUnlockBody
{
    public string? UnlockKey { get; init; }
}

/// <summary>
/// Swarm's autolock endpoints: the unlock key of a swarm with autolock on (empty otherwise, as dockerd answers),
/// and `swarm unlock` of a manager restarted locked. The key is shown only here, on the local socket, to a
/// caller allowed to run the swarm (as Docker shows it to whoever may use docker.sock).
/// </summary>
[Experimental("DOTNEXT001")]
public static class SwarmLockEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/swarm/unlockkey", (ClusterProjection projection, Membership membership, ClusterSecrets secrets) =>
        {
            var swarm = NodeEndpoints.RequireSwarm(projection).Swarm!;
            if (membership.IsWorker) throw RaftLogHost.NotAManager();
            return Results.Json(new { UnlockKey = CurrentKey(swarm, secrets) });
        });

        app.MapPost("/swarm/unlock", async (HttpContext context, SwarmUnlock unlock, CancellationToken ct) =>
        {
            var body = await Body.ReadAsync<SwarmUnlockBody>(context);
            return await unlock.UnlockAsync(body.UnlockKey, ct) switch
            {
                UnlockOutcome.Unlocked => Results.Ok(),
                UnlockOutcome.NotInSwarm => ApiErrors.Error(503, "This node is not part of a swarm"),
                UnlockOutcome.NotLocked => ApiErrors.Error(409, "swarm is not locked"),
                UnlockOutcome.InvalidKeyFormat => ApiErrors.Error(400, UnlockKey.InvalidFormat),
                _ => ApiErrors.Error(401, "swarm could not be unlocked: invalid key provided"),
            };
        });
    }

    /// <summary>The key in Swarm's form, opened from the log with the data key; "" while autolock is off.</summary>
    private static string CurrentKey(Domain.Swarm.SwarmInfo swarm, ClusterSecrets secrets) =>
        swarm.SealedUnlockKey is { } sealedKey && secrets.DataKey() is { } dataKey
            ? UnlockKey.Format(KeyWrap.OpenUnlockKey(dataKey, sealedKey))
            : "";
}
