using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain.Nodes;

namespace EventSwarm.Node.Api;

/// <summary>The handshake endpoints every Docker client calls first: ping for the API version, version, info.</summary>
public static class SystemEndpoints
{
    public const string ApiVersion = "1.41";
    public static readonly string ServerVersion = typeof(SystemEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    public static void Map(WebApplication app)
    {
        app.MapMethods("/_ping", ["GET", "HEAD"], (HttpContext context, ClusterProjection projection) =>
        {
            context.Response.Headers["Api-Version"] = ApiVersion;
            context.Response.Headers["OSType"] = "linux";
            context.Response.Headers["Docker-Experimental"] = "false";
            context.Response.Headers["Swarm"] = projection.Current.Swarm is null ? "inactive" : "active/manager";
            context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            return Results.Text("OK", "text/plain");
        });

        app.MapGet("/version", () => Results.Json(new
        {
            Platform = new { Name = "EventSwarm" },
            Version = ServerVersion,
            ApiVersion,
            MinAPIVersion = "1.24",
            Os = "linux",
            Arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant() == "x64" ? "amd64" : "arm64",
            KernelVersion = Environment.OSVersion.Version.ToString(),
            GoVersion = $"dotnet{Environment.Version}",
            Components = new[] { new { Name = "EventSwarm", Version = ServerVersion } },
        }));

        app.MapGet("/info", async (ClusterProjection projection, LocalNode local, CancellationToken ct) =>
        {
            var state = projection.Current;
            var description = await local.DescriptionAsync(ct);
            var inSwarm = state.Swarm is not null;
            var managers = state.Nodes.Values.Where(n => n.Role == NodeRole.Manager).ToList();
            return Results.Json(new
            {
                ID = local.NodeId,
                Name = description.Hostname,
                ServerVersion,
                OperatingSystem = "EventSwarm on " + description.Os,
                OSType = description.Os,
                Architecture = description.Architecture,
                NCPU = description.NanoCpus / 1_000_000_000,
                MemTotal = description.MemoryBytes,
                Containers = state.Tasks.Values.Count(t => t.NodeId == local.NodeId && t.Status.ContainerId is not null),
                Swarm = new
                {
                    NodeID = inSwarm ? local.NodeId : "",
                    NodeAddr = state.Swarm?.AdvertiseAddress ?? "",
                    LocalNodeState = inSwarm ? "active" : "inactive",
                    ControlAvailable = inSwarm && state.Nodes.TryGetValue(local.NodeId, out var self) && self.Role == NodeRole.Manager,
                    Error = "",
                    RemoteManagers = managers.Select(m => new { NodeID = m.Id, Addr = m.Manager?.Api ?? $"{m.Address}:2377" }),
                    Nodes = state.Nodes.Count,
                    Managers = managers.Count,
                    Cluster = state.Swarm is { } swarm ? SwarmWire.ToWire(swarm) : null,
                },
            }, DockerJson.Options);
        });
    }
}
