using EventSwarm.Infrastructure.Security;

namespace EventSwarm.Node.Api;

/// <summary>
/// A locked manager (autolock, restarted, not unlocked yet) answers what Docker's does: every swarm route is refused
/// with errSwarmLocked (503, moby daemon/cluster errors.go), and what does not need the swarm still works — the
/// ping and version a client starts with, /info (LocalNodeState "locked", which `swarm unlock` reads before it asks
/// for the key), `swarm unlock` itself, `swarm leave --force` (Docker lets a locked node leave when forced), and
/// everything passed through to the node's own engine (containers, images: a locked swarm does not stop dockerd).
/// Runs after routing, so the pass-through is known by its endpoint, not by the spelling of a path.
/// </summary>
public static class SwarmLockGate
{
    /// <summary>Docker's words, naming our CLI as the project's other messages do.</summary>
    public const string Locked = "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"eventswarm swarm unlock\" to unlock it.";

    private static readonly string[] Open = ["/_ping", "/version", "/info", "/swarm/unlock"];

    public static IApplicationBuilder UseSwarmLockGate(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.RequestServices.GetRequiredService<ClusterSecrets>().IsLocked || IsOpen(context)) return next(context);
        return ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Locked);
    });

    private static bool IsOpen(HttpContext context)
    {
        var path = context.Request.Path;
        if (Open.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase))) return true;
        if (path.Equals("/swarm/leave", StringComparison.OrdinalIgnoreCase) && context.Request.Flag("force")) return true;
        // The engine pass-through is the fallback route: the one whose order comes after every mapped route.
        return context.GetEndpoint() is RouteEndpoint { Order: int.MaxValue };
    }
}
