using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Security;

namespace EventSwarm.Node.Manager;

// What a manager and the nodes it admits say to each other over the swarm's listener, shared by both ends: the
// manager (NodeAdmission, PromotionGrant, served by Api/JoinEndpoints and Api/WorkerEndpoints), the joiner
// (Swarm/SwarmJoin) and a promoted worker (Worker/ManagerClient). Not the Engine API: no Docker client sends them.

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

/// <summary>A worker the log says was promoted asks for a manager certificate for this key.</summary>
public sealed record PromotionRequest(string CertificateSigningRequest);
