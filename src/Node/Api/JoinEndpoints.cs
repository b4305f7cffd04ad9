using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Swarm;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Security;
using Mediator;

namespace EventSwarm.Node.Api;

/// <summary>A joining node's request: its token, the role it asks for, its key (as a CSR) and what it is.</summary>
public sealed record JoinRequest
{
    public string? Token { get; init; }
    /// <summary>The joiner's own ID, so that its containers' labels stay valid; a new one is made when absent.</summary>
    public string? NodeId { get; init; }
    public string? Role { get; init; }
    public string? CertificateSigningRequest { get; init; }
    public string? Address { get; init; }
    public NodeDescription? Description { get; init; }
    /// <summary>Where the joiner would serve as a manager; without it a manager token cannot be used.</summary>
    public Domain.Nodes.ManagerEndpoints? Manager { get; init; }
}

/// <param name="ManagerMaterial">For a manager only: the CA key and join secrets every manager needs to admit nodes.</param>
public sealed record JoinResponse(string NodeId, string Role, string Certificate, string CaCertificate, ManagerMaterial? ManagerMaterial = null);

/// <summary>
/// The manager's half of `swarm join`: the joiner first fetches the root CA and checks it against the digest in
/// its token, then sends its token and CSR; the manager checks the token and signs a node certificate.
/// </summary>
public static class JoinEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/eventswarm/v1/swarm/ca", (ClusterProjection projection) =>
            NodeEndpoints.RequireSwarm(projection).Swarm!.CaCertificatePem is { } pem
                ? Results.Text(pem, "application/x-pem-file")
                : ApiErrors.NotFound("this swarm has no root CA"));

        app.MapPost("/eventswarm/v1/swarm/join", async (HttpContext context, IMediator mediator, ClusterProjection projection,
            ClusterSecrets secrets, IClock clock, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync<JoinRequest>(context);
            var requested = request.Role?.ToLowerInvariant() switch
            {
                "worker" => NodeRole.Worker,
                "manager" => NodeRole.Manager,
                var other => throw new BadRequestException($"invalid role '{other}': must be worker or manager"),
            };
            if (request.Description is null) throw new BadRequestException("the joining node must describe itself (Description)");
            System.Security.Cryptography.X509Certificates.CertificateRequest csr;
            try
            {
                csr = ClusterSecrets.ReadSigningRequest(request.CertificateSigningRequest ?? "");
            }
            catch (ArgumentException e)
            {
                throw new BadRequestException(e.Message);
            }
            var nodeId = string.IsNullOrEmpty(request.NodeId) ? Ids.NewId() : request.NodeId;
            // A joiner that names no address is known by the one it called from, as swarmkit records a node's
            // observed address when it did not advertise one.
            var address = string.IsNullOrEmpty(request.Address) && context.Connection.RemoteIpAddress is { } seen
                ? (seen.IsIPv4MappedToIPv6 ? seen.MapToIPv4() : seen).ToString()
                : request.Address ?? "";
            var role = await mediator.Send(new JoinSwarmCommand(nodeId, request.Token ?? "", requested, address, request.Description, CallerIdentity.Of(context), request.Manager), ct);
            var swarm = projection.Current.Swarm!;
            var certificate = secrets.IssueNodeCertificate(csr, nodeId, role, swarm.ClusterId, clock.Now);
            var material = role == NodeRole.Manager
                ? secrets.ExportManagerMaterial() ?? throw new InvalidOperationException("this manager holds no CA key")
                : null;
            return Results.Json(new JoinResponse(nodeId, role.ToString().ToLowerInvariant(), certificate, swarm.CaCertificatePem!, material));
        });
    }
}
