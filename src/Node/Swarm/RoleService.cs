using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Worker;

namespace EventSwarm.Node.Swarm;

/// <summary>
/// Moves this node between the worker and manager roles: after `swarm join` with a manager token, and when the
/// log says it was promoted or demoted (`node promote` / `node demote` are role changes decided like any other).
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class RoleChange(LocalNode local, ClusterProjection projection, Membership membership, RaftLogHost raft, LeaderLink leader,
    SwarmAddressBook addresses, ILogger<RoleChange> logger)
{
    /// <summary>
    /// Opens an empty log, asks the leader (through the manager given) to add this node to the Raft cluster and
    /// waits until the replayed log has caught up with what this node already knew. Until then the projection
    /// is marked as catching up, so the worker does not take a prefix of the history for the current state.
    /// </summary>
    public async Task BecomeManagerAsync(string throughManager, long knownSequence, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var raftAddress = addresses.Current?.RaftAdvertise ?? throw new InvalidOperationException("this node has no swarm addresses");
        projection.IsCatchingUp = true;
        try
        {
            membership.BecomeManager();
            await raft.StartAsJoiningManagerAsync(ct);
            await leader.AddManagerThroughAsync(throughManager, raftAddress, ct);
            while (!(projection.Current.Nodes.TryGetValue(local.NodeId, out var self) && self.Role == NodeRole.Manager
                     && projection.Current.LastSequence >= knownSequence))
            {
                if (DateTime.UtcNow - started > TimeSpan.FromSeconds(60))
                    throw new TimeoutException("admitted as a manager, but this node's copy of the log did not catch up within 60 s");
                await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromSeconds(1), ct);
            }
        }
        finally
        {
            projection.IsCatchingUp = false;
        }
        logger.LogInformation("now a manager: Raft member at {Raft}, log caught up in {Seconds:0.00} s", raftAddress, (DateTime.UtcNow - started).TotalSeconds);
    }

    /// <summary>Demoted: drop the log and follow a manager; the leader removes this node from the Raft cluster.</summary>
    public async Task BecomeWorkerAsync(string managerApi)
    {
        projection.IsCatchingUp = true;
        membership.BecomeWorker(managerApi);
        await raft.CloseAndDropAsync();
        logger.LogInformation("now a worker following {Manager}", managerApi);
    }
}

/// <summary>
/// Watches the log for what concerns this node's role. On every node: a promotion or demotion of itself. On the
/// leader: Raft members that are no longer managers are removed (a leader that was itself demoted steps down
/// first, and the next leader removes it).
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class RoleService(LocalNode local, ClusterProjection projection, Membership membership, RaftLogHost raft, RoleChange change,
    ClusterSecrets secrets, ILogger<RoleService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var state = projection.Current;
            try
            {
                if (state.Swarm is not null && !projection.IsCatchingUp && state.Nodes.TryGetValue(local.NodeId, out var self))
                {
                    if (membership.IsWorker && self.Role == NodeRole.Manager)
                        await PromoteAsync(state.LastSequence, ct);
                    else if (!membership.IsWorker && self.Role == NodeRole.Worker && raft.IsOpen)
                        await DemoteAsync(state, ct);
                    else if (raft.IsLeader)
                        await RemoveFormerManagersAsync(state, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning("role change failed ({Error}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).Quietly();
            }
            await projection.WaitForChangeAsync(state.LastSequence, TimeSpan.FromSeconds(1), ct).Quietly();
        }
    }

    /// <summary>A manager certificate and the managers' material first (from the manager this worker follows), then Raft.</summary>
    private async Task PromoteAsync(long knownSequence, CancellationToken ct)
    {
        var manager = membership.ManagerAddress!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = new ManagerClient(membership, secrets);
        var granted = await client.PromotionAsync(new System.Security.Cryptography.X509Certificates.CertificateRequest(
            $"CN={local.NodeId}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(), ct);
        secrets.SaveNodeIdentity(granted.Certificate, key.ExportPkcs8PrivateKeyPem(), granted.CaCertificate);
        secrets.ImportManagerMaterial(granted.ManagerMaterial ?? throw new InvalidOperationException("the manager sent no manager material"));
        await change.BecomeManagerAsync(manager, knownSequence, ct);
    }

    private async Task DemoteAsync(Domain.ClusterState state, CancellationToken ct)
    {
        // A demoted leader stops leading by reopening its log as a follower; the others elect a leader, which
        // removes this node from the Raft cluster. Until then it must not leave, or the others would count a
        // member that is gone; it stands by so that it is never elected again.
        if (raft.IsLeader) await raft.ReopenAsync(ct);
        var self = raft.Log.LocalEndpoint.ToString();
        for (var i = 0; i < 40 && !await raft.Log.StandByAsync(ct); i++) await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        // Removed, this node stops hearing from the leader (a removed member is sent nothing more): first a
        // leader must be seen, then its silence (or the member list without this node) means it is out.
        for (var i = 0; i < 40 && raft.Log.LeaderEndpoint is null; i++) await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        for (var i = 0; i < 80 && raft.Log.LeaderEndpoint is not null && raft.Log.Members.Any(m => m.Endpoint.ToString() == self); i++)
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        var other = state.Nodes.Values.Where(n => n.Role == NodeRole.Manager && n.Id != local.NodeId && n.Manager is not null)
            .Select(n => n.Manager!.Api).Order().FirstOrDefault() ?? throw new InvalidOperationException("no other manager to follow");
        await change.BecomeWorkerAsync(other);
        secrets.DropManagerMaterial();
    }

    private async Task RemoveFormerManagersAsync(Domain.ClusterState state, CancellationToken ct)
    {
        var managers = state.Nodes.Values.Where(n => n.Role == NodeRole.Manager && n.Manager is not null).Select(n => n.Manager!.Raft).OfType<string>().ToHashSet();
        if (managers.Count == 0) return;
        foreach (var member in raft.Log.Members.Where(m => !managers.Contains(m.Endpoint.ToString() ?? "") && m.Endpoint.ToString() != raft.Log.LocalEndpoint.ToString()))
        {
            logger.LogInformation("removing {Member} from the Raft cluster: no longer a manager", member.Endpoint);
            await raft.Log.RemoveMemberAsync(member.Endpoint, ct);
        }
    }
}
