using EventSwarm.Application.Log;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Api;

/// <summary>
/// The manager's half of `swarm join`: the joiner first fetches the root CA and checks it against the digest in
/// its token, then sends its token and CSR; the manager checks the token and signs a node certificate
/// (<see cref="NodeAdmission"/>).
/// </summary>
public static class JoinEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/eventswarm/v1/swarm/ca", (ClusterProjection projection) =>
            NodeEndpoints.RequireSwarm(projection).Swarm!.CaCertificatePem is { } pem
                ? Results.Text(pem, "application/x-pem-file")
                : ApiErrors.NotFound("this swarm has no root CA"));

        app.MapPost("/eventswarm/v1/swarm/join", async (HttpContext context, NodeAdmission admission, CancellationToken ct) =>
            Results.Json(await admission.AdmitAsync(await Body.ReadAsync<JoinRequest>(context), context.Connection.RemoteIpAddress,
                CallerIdentity.Of(context), ct)));
    }
}
