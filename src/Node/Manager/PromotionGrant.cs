using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;

namespace EventSwarm.Node.Manager;

/// <summary>
/// A worker the log says was promoted gets what a joining manager gets: a manager certificate for its key, the
/// CA key and the join secrets. Only a node whose promotion is committed can have them (swarmkit's node
/// certificate renewal picks up the new role the same way: from the store, never from the request).
/// </summary>
public sealed class PromotionGrant(ClusterProjection projection, ClusterSecrets secrets, IClock clock)
{
    /// <param name="body">The <see cref="PromotionRequest"/>, read only once the promotion is known to be committed.</param>
    public async Task<JoinResponse> GrantAsync(string nodeId, Stream body, CancellationToken ct)
    {
        var state = projection.Current;
        if (!state.Nodes.TryGetValue(nodeId, out var self) || self.Role != NodeRole.Manager)
            throw new ForbiddenException($"node {nodeId} has not been promoted");
        var request = await JsonSerializer.DeserializeAsync<PromotionRequest>(body, EventJson.Options, ct);
        var csr = ReadSigningRequest(request?.CertificateSigningRequest);
        var certificate = secrets.IssueNodeCertificate(csr, nodeId, NodeRole.Manager, state.Swarm!.ClusterId, clock.Now);
        var material = secrets.ExportManagerMaterial() ?? throw new InvalidOperationException("this manager holds no CA key");
        return new JoinResponse(nodeId, "manager", certificate, state.Swarm.CaCertificatePem!, material);
    }

    /// <summary>A CSR that is not one is the request's fault (400), named as the reader found it.</summary>
    internal static CertificateRequest ReadSigningRequest(string? pem)
    {
        try
        {
            return ClusterSecrets.ReadSigningRequest(pem ?? "");
        }
        catch (ArgumentException e)
        {
            throw new BadRequestException(e.Message);
        }
    }
}
