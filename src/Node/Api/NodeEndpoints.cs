using Docker.DotNet.Models;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Node.Api;

public static class NodeEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/nodes", (HttpRequest request, ClusterProjection projection) =>
        {
            var state = RequireSwarm(projection);
            var filters = Filters.Parse(request, "id", "name", "role", "membership", "label", "node.label");
            var nodes = state.Nodes.Values
                .Where(n => filters.Match("id", v => n.Id.StartsWith(v, StringComparison.Ordinal)))
                .Where(n => filters.Match("name", v => n.Description.Hostname.StartsWith(v, StringComparison.Ordinal)))
                .Where(n => filters.Match("role", v => string.Equals(v, n.Role.ToString(), StringComparison.OrdinalIgnoreCase)))
                .Select(n => ToWire(n, state));
            return Results.Json(nodes, DockerJson.Options);
        });

        app.MapGet("/nodes/{id}", (string id, ClusterProjection projection) =>
        {
            var state = RequireSwarm(projection);
            return state.FindNode(id) is { } node
                ? Results.Json(ToWire(node, state), DockerJson.Options)
                : ApiErrors.NotFound($"node {id} not found");
        });
    }

    public static ClusterState RequireSwarm(ClusterProjection projection)
    {
        var state = projection.Current;
        return state.Swarm is null
            ? throw new Application.CommandRejectedException(new DomainError(ErrorKind.Unavailable, SwarmDecider.NotInSwarm))
            : state;
    }

    private static NodeListResponse ToWire(Domain.Nodes.Node node, ClusterState state) => new()
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
        },
        Status = new Docker.DotNet.Models.NodeStatus
        {
            State = node.Status.ToString().ToLowerInvariant(),
            Message = node.StatusMessage,
            Addr = node.Address,
        },
        // One manager leads its one-member Raft cluster; reachability of others arrives with multi-manager clusters.
        ManagerStatus = node.Role == NodeRole.Manager
            ? new ManagerStatus { Leader = true, Reachability = "reachable", Addr = $"{node.Address}:2377" }
            : null,
    };
}
