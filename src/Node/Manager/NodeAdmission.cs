using System.Net;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Swarm;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Security;
using Mediator;

namespace EventSwarm.Node.Manager;

/// <summary>
/// The manager's half of `swarm join` (swarmkit's ca server IssueNodeCertificate plus the dispatcher's
/// registration): the joiner has already checked this manager's root CA against the digest in its token; here
/// its token is checked by the decider (JoinSwarmCommand, committed before anything is signed) and its CSR signed
/// for the role the token grants. A manager gets the CA key and join secrets too, to admit nodes in turn.
/// </summary>
public sealed class NodeAdmission(IMediator mediator, ClusterProjection projection, ClusterSecrets secrets, IClock clock)
{
    /// <param name="seenFrom">The address the joiner called from, its address when it names none.</param>
    public async Task<JoinResponse> AdmitAsync(JoinRequest request, IPAddress? seenFrom, Caller caller, CancellationToken ct)
    {
        var requested = request.Role?.ToLowerInvariant() switch
        {
            "worker" => NodeRole.Worker,
            "manager" => NodeRole.Manager,
            var other => throw new BadRequestException($"invalid role '{other}': must be worker or manager"),
        };
        if (request.Description is null) throw new BadRequestException("the joining node must describe itself (Description)");
        var csr = PromotionGrant.ReadSigningRequest(request.CertificateSigningRequest);
        var nodeId = string.IsNullOrEmpty(request.NodeId) ? Ids.NewId() : request.NodeId;
        // A joiner that names no address is known by the one it called from, as swarmkit records a node's
        // observed address when it did not advertise one.
        var address = string.IsNullOrEmpty(request.Address) && seenFrom is { } seen
            ? (seen.IsIPv4MappedToIPv6 ? seen.MapToIPv4() : seen).ToString()
            : request.Address ?? "";
        var role = await mediator.Send(new JoinSwarmCommand(nodeId, request.Token ?? "", requested, address, request.Description, caller, request.Manager), ct);
        var swarm = projection.Current.Swarm!;
        var certificate = secrets.IssueNodeCertificate(csr, nodeId, role, swarm.ClusterId, clock.Now);
        var material = role == NodeRole.Manager
            ? secrets.ExportManagerMaterial() ?? throw new InvalidOperationException("this manager holds no CA key")
            : null;
        return new JoinResponse(nodeId, role.ToString().ToLowerInvariant(), certificate, swarm.CaCertificatePem!, material);
    }
}
