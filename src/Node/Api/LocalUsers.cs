using EventSwarm.Node.Local;


namespace EventSwarm.Node.Api;

/// <summary>
/// Who may use the unix socket: root (and the agent's own user), plus the members of the group named by
/// <c>eventswarm agent --group NAME</c>, as Docker's `docker` group uses docker.sock. The socket's file mode
/// already keeps everyone else from connecting; this checks each connection's kernel credentials again, so a mode
/// loosened by hand (or a socket reached through a descriptor passed on) still serves no one else.
/// </summary>
public sealed record SocketAccess(int? GroupId, string? GroupName)
{
    public bool Allows(PeerCredentials peer) =>
        peer.Uid == 0 || peer.Uid == LocalAccess.EffectiveUid
        || GroupId is { } gid && (peer.Gid == gid || peer.Groups.Contains(gid));

    public string Refusal(PeerCredentials peer) =>
        $"permission denied: user {CallerIdentity.UserName(peer.Uid)} (uid={peer.Uid}) may not use this socket: " +
        (GroupName is null
            ? "only root may (start the agent with --group NAME to let a group use it)"
            : $"only root and members of group {GroupName} may");
}

public static class LocalUsers
{
    public static IApplicationBuilder UseLocalUserAccess(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!CallerIdentity.IsLocalSocket(context))
        {
            await next(context);
            return;
        }
        var access = context.RequestServices.GetRequiredService<SocketAccess>();
        var peer = CallerIdentity.PeerOf(context);
        if (peer is null || !access.Allows(peer))
        {
            var message = peer is null ? "permission denied: the caller's credentials are unknown" : access.Refusal(peer);
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("EventSwarm.Node.Api.LocalUsers")
                .LogWarning("refused {Method} {Path}: {Message}", context.Request.Method, context.Request.Path, message);
            await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, message);
            return;
        }
        await next(context);
    });
}
