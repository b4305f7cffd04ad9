using System.Collections.Immutable;
using Docker.DotNet.Models;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Node.Api.History;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using Mediator;

namespace EventSwarm.Node.Api;

public static class NodeEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/nodes", (HttpRequest request, ClusterView view, LocalNode local, RaftLogHost raft, Membership membership, DiskAlarm disk) =>
        {
            var state = view.RequireSwarm();
            var filters = Filters.Parse(request, "id", "name", "role", "membership", "label", "node.label");
            var tls = TlsOf(state.Swarm);
            var nodes = state.Nodes.Values
                .Where(n => filters.Match("id", v => n.Id.StartsWith(v, StringComparison.Ordinal)))
                .Where(n => filters.Match("name", v => n.Description.Hostname.StartsWith(v, StringComparison.Ordinal)))
                .Where(n => filters.Match("role", v => string.Equals(v, n.Role.ToString(), StringComparison.OrdinalIgnoreCase)))
                .Select(n => ToWire(n, ManagerStatusOf(state, local, raft, membership), tls, view.IsPast ? null : AlarmOf(n, local, disk)));
            return Results.Json(nodes, DockerJson.Options);
        });

        app.MapPost("/nodes/{id}/update", UpdateAsync);

        app.MapDelete("/nodes/{id}", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveNodeCommand(id, context.Request.Flag("force"), CallerIdentity.Of(context)), ct);
            return Results.Ok();
        });

        app.MapGet("/nodes/{id}", (string id, ClusterView view, LocalNode local, RaftLogHost raft, Membership membership, DiskAlarm disk) =>
        {
            var state = view.RequireSwarm();
            var found = state.LookupNode(id);
            return found.Match is { } node
                ? Results.Json(ToWire(node, ManagerStatusOf(state, local, raft, membership), TlsOf(state.Swarm), view.IsPast ? null : AlarmOf(node, local, disk)), DockerJson.Options)
                : ApiErrors.Of(found.Refusal("node", id)!);
        });
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, IMediator mediator, CancellationToken ct)
    {
        var raw = context.Request.Query["version"].ToString();
        if (!long.TryParse(raw, out var version))
            throw new BadRequestException($"invalid node version '{raw}': strconv.ParseUint: parsing \"{raw}\": invalid syntax");
        var spec = await Body.ReadAsync<NodeUpdateParameters>(context);
        var role = spec.Role?.ToLowerInvariant() switch
        {
            "manager" => NodeRole.Manager,
            "worker" => NodeRole.Worker,
            _ => throw new BadRequestException($"invalid Role: \"{spec.Role}\""),
        };
        var availability = spec.Availability?.ToLowerInvariant() switch
        {
            "active" => NodeAvailability.Active,
            "pause" => NodeAvailability.Pause,
            "drain" => NodeAvailability.Drain,
            _ => throw new BadRequestException($"invalid Availability: \"{spec.Availability}\""),
        };
        var labels = (spec.Labels ?? new Dictionary<string, string>()).ToImmutableDictionary();
        await mediator.Send(new UpdateNodeCommand(id, version, role, availability, labels, CallerIdentity.Of(context)), ct);
        return Results.Ok();
    }

    /// <summary>
    /// Swarm's MANAGER STATUS, from Raft as this manager sees it: the leader, and whether each other manager
    /// answers. A worker knows no Raft; it shows the manager it follows as the leader.
    /// </summary>
    private static Func<Domain.Nodes.Node, ManagerStatus?> ManagerStatusOf(ClusterState state, LocalNode local, RaftLogHost raft, Membership membership)
    {
        var leaderRaft = membership.IsWorker ? null : raft.Log.LeaderEndpoint?.ToString();
        var members = membership.IsWorker ? [] : raft.Log.Members;
        return node => node.Role != NodeRole.Manager ? null : new ManagerStatus
        {
            Leader = membership.IsWorker
                ? node.Manager?.Api == membership.ManagerAddress
                : node.Manager is { } m ? m.Raft == leaderRaft : node.Id == local.NodeId && raft.IsLeader,
            Reachability = node.Id == local.NodeId || node.Manager is null && node.Status == Domain.Nodes.NodeStatus.Ready
                || members.Any(r => r.Endpoint.ToString() == node.Manager?.Raft && r.IsReachable)
                    ? "reachable"
                    : "unreachable",
            Addr = node.Manager?.Api ?? $"{node.Address}:2377",
        };
    }

    public static ClusterState RequireSwarm(ClusterProjection projection)
    {
        var state = projection.Current;
        return state.Swarm is null
            ? throw new Application.CommandRejectedException(new DomainError(ErrorKind.Unavailable, SwarmDecider.NotInSwarm))
            : state;
    }

    /// <summary>
    /// Every node's certificate is signed by the swarm's one root CA (there is no root rotation here), so a node's
    /// TLSInfo is the swarm's: the docker CLI shows TLS STATUS "Ready" when the two agree. Read once per request.
    /// </summary>
    private static TLSInfo? TlsOf(Domain.Swarm.SwarmInfo? swarm) =>
        SwarmWire.TlsInfo(swarm?.CaCertificatePem) is { TrustRoot: not null } tls
            ? new TLSInfo { TrustRoot = tls.TrustRoot, CertIssuerSubject = tls.CertIssuerSubject, CertIssuerPublicKey = tls.CertIssuerPublicKey }
            : null;

    /// <summary>
    /// This node's disk alarm, shown as its Status.Message: what `docker node inspect --pretty` prints under
    /// Status ("Message:"), as Swarm puts a node's trouble there. The State stays Ready: the node still runs its
    /// tasks and beats; only its writes are refused. It is this node's own alarm, known where it is raised.
    /// </summary>
    private static string? AlarmOf(Domain.Nodes.Node node, LocalNode local, DiskAlarm disk) =>
        node.Id == local.NodeId && disk.Message is { } alarm ? alarm : null;

    private static NodeListResponse ToWire(Domain.Nodes.Node node, Func<Domain.Nodes.Node, ManagerStatus?> managerStatus, TLSInfo? tls, string? alarm) => new()
    {
        ID = node.Id,
        Version = new Docker.DotNet.Models.Version { Index = (ulong)node.Version },
        CreatedAt = node.CreatedAt.UtcDateTime,
        UpdatedAt = node.UpdatedAt.UtcDateTime,
        Spec = new NodeUpdateParameters
        {
            Role = node.Role.ToString().ToLowerInvariant(),
            Availability = node.Availability.ToString().ToLowerInvariant(),
            Labels = node.Labels,
        },
        Description = new Docker.DotNet.Models.NodeDescription
        {
            Hostname = node.Description.Hostname,
            Platform = new SwarmPlatform { OS = node.Description.Os, Architecture = node.Description.Architecture },
            Resources = new SwarmResources { NanoCPUs = node.Description.NanoCpus, MemoryBytes = node.Description.MemoryBytes },
            Engine = new EngineDescription { EngineVersion = node.Description.EngineVersion },
            TLSInfo = tls,
        },
        Status = new Docker.DotNet.Models.NodeStatus
        {
            State = node.Status.ToString().ToLowerInvariant(),
            Message = alarm ?? (string.IsNullOrEmpty(node.StatusMessage) ? null : node.StatusMessage),
            Addr = node.Address,
        },
        ManagerStatus = managerStatus(node),
    };
}
