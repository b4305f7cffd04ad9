using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain.Nodes;
using EventSwarm.Node.Api.Engine;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Api;

/// <summary>
/// The handshake endpoints every Docker client calls first: ping for the API version, version, info. Version and
/// info are the node's own engine's answers (its containers, images, storage driver, kernel…) with EventSwarm's
/// platform and component, its API version and its swarm section, as `docker info` on a swarm node shows them.
/// </summary>
public static class SystemEndpoints
{
    public const string ApiVersion = "1.41";
    public static readonly string ServerVersion = typeof(SystemEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    /// <summary>
    /// dockerd's version and experimental middlewares put these on every answer (Go writes them Api-Version,
    /// Ostype); the forwarded ones carry the engine's own, EventSwarm's own answers get them here.
    /// </summary>
    public static IApplicationBuilder UseDockerHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            if (!headers.ContainsKey("Api-Version")) headers["Api-Version"] = ApiVersion;
            if (!headers.ContainsKey("Docker-Experimental")) headers["Docker-Experimental"] = "false";
            if (!headers.ContainsKey("Ostype")) headers["Ostype"] = "linux";
            return Task.CompletedTask;
        });
        return next(context);
    });

    public static void Map(WebApplication app)
    {
        // As dockerd 20.10 (api/server/router/system: pingHandler) with the Swarm header of later engines, which the
        // docker CLI reads to know whether swarm commands apply.
        app.MapMethods("/_ping", ["GET", "HEAD"], async (HttpContext context, ClusterProjection projection, Membership membership, EngineConnection engine) =>
        {
            var headers = context.Response.Headers;
            headers.CacheControl = "no-cache, no-store, must-revalidate";
            headers.Pragma = "no-cache";
            headers["Swarm"] = projection.Current.Swarm is null ? "inactive" : membership.IsWorker ? "active" : "active/manager";
            if (await EngineBuilderVersion(engine) is { } builder) headers["Builder-Version"] = builder;
            headers.ContentType = "text/plain; charset=utf-8";
            if (HttpMethods.IsHead(context.Request.Method))
            {
                headers.ContentLength = 0;
                return;
            }
            headers.ContentLength = 2;
            await context.Response.WriteAsync("OK");
        });

        app.MapGet("/version", async (HttpRequest request, EngineConnection engine, CancellationToken ct) =>
        {
            var ours = new JsonObject
            {
                ["Name"] = "EventSwarm",
                ["Version"] = ServerVersion,
                ["Details"] = new JsonObject
                {
                    ["ApiVersion"] = ApiVersion,
                    ["Arch"] = MachineArchitecture.Go,
                    ["Os"] = "linux",
                    ["GoVersion"] = $"dotnet{Environment.Version}",
                },
            };
            JsonObject version;
            try
            {
                version = (await engine.GetJsonAsync(request.PathBase + "/version", ct))!.AsObject();
            }
            catch (Exception e) when (e is EngineUnreachableException or EngineAnswerException or JsonException)
            {
                // Without the engine the swarm still answers: a version of EventSwarm's own.
                version = new JsonObject
                {
                    ["Version"] = ServerVersion,
                    ["MinAPIVersion"] = "1.24",
                    ["Os"] = "linux",
                    ["Arch"] = MachineArchitecture.Go,
                    ["KernelVersion"] = Environment.OSVersion.Version.ToString(),
                    ["GoVersion"] = $"dotnet{Environment.Version}",
                };
            }
            version["Platform"] = new JsonObject { ["Name"] = "EventSwarm" };
            var components = version["Components"] as JsonArray ?? [];
            version.Remove("Components");
            components.Insert(0, ours);
            version["Components"] = components;
            // The API EventSwarm speaks, which the engine also speaks: what a client negotiates to, and then sends
            // with every call, forwarded ones included.
            version["ApiVersion"] = Lower(ApiVersion, version["ApiVersion"]?.GetValue<string>());
            return Results.Json(version, DockerJson.Options);
        });

        app.MapGet("/info", async (HttpRequest request, ClusterProjection projection, LocalNode local, Membership membership, EngineConnection engine, Infrastructure.Log.DiskAlarm disk,
            Infrastructure.Security.ClusterSecrets secrets, CancellationToken ct) =>
        {
            JsonObject info;
            try
            {
                info = (await engine.GetJsonAsync(request.PathBase + "/info", ct))!.AsObject();
            }
            catch (Exception e) when (e is EngineUnreachableException or EngineAnswerException or JsonException)
            {
                info = await InfoOfOurOwn(projection, local, ct);
            }
            info["Swarm"] = JsonSerializer.SerializeToNode(SwarmSection(projection.Current, local, membership, secrets.IsLocked), DockerJson.Options);
            // dockerd lists what the operator should know in Warnings, each starting "WARNING: ", and `docker info`
            // prints them as they are.
            if (disk.Message is { } alarm)
            {
                if (info["Warnings"] is not JsonArray warnings) info["Warnings"] = warnings = new JsonArray();
                warnings.Add("WARNING: disk alarm: " + alarm);
            }
            return Results.Json(info, DockerJson.Options);
        });
    }

    /// <summary>
    /// `docker info`'s Swarm section (Docker's swarm.Info). The Cluster part is the swarm's own
    /// (ClusterInfo: ID, Version, times, Spec…), as swarm inspect shows it; a worker does not see it.
    /// </summary>
    /// <param name="locked">A manager restarted with autolock and not unlocked yet: Docker's LocalNodeState "locked".</param>
    public static object SwarmSection(Domain.ClusterState state, LocalNode local, Membership membership, bool locked = false)
    {
        var inSwarm = state.Swarm is not null;
        var managers = state.Nodes.Values.Where(n => n.Role == NodeRole.Manager).ToList();
        var controlAvailable = inSwarm && !membership.IsWorker && state.Nodes.TryGetValue(local.NodeId, out var self) && self.Role == NodeRole.Manager;
        return new
        {
            NodeID = inSwarm ? local.NodeId : "",
            NodeAddr = state.Swarm?.AdvertiseAddress ?? "",
            LocalNodeState = locked ? "locked" : inSwarm ? "active" : "inactive",
            ControlAvailable = controlAvailable,
            Error = "",
            RemoteManagers = inSwarm ? managers.Select(m => new { NodeID = m.Id, Addr = m.Manager?.Api ?? $"{m.Address}:2377" }) : null,
            // Docker counts nodes and managers only where it can see the cluster (a manager); 0 would be a lie.
            Nodes = controlAvailable ? state.Nodes.Count : (int?)null,
            Managers = controlAvailable ? managers.Count : (int?)null,
            Cluster = state.Swarm is { } swarm && controlAvailable ? SwarmWire.ToWire(swarm) : null,
        };
    }

    private static async Task<JsonObject> InfoOfOurOwn(ClusterProjection projection, LocalNode local, CancellationToken ct)
    {
        var state = projection.Current;
        var info = new JsonObject
        {
            ["ID"] = local.NodeId,
            ["ServerVersion"] = ServerVersion,
            ["OSType"] = "linux",
            ["Architecture"] = MachineArchitecture.Machine,
            ["Containers"] = state.TasksOn(local.NodeId).Count(t => t.NodeId == local.NodeId && t.Status.ContainerId is not null),
        };
        try
        {
            var description = await local.DescriptionAsync(ct);
            info["Name"] = description.Hostname;
            info["OperatingSystem"] = "EventSwarm on " + description.Os;
            info["NCPU"] = description.NanoCpus / 1_000_000_000;
            info["MemTotal"] = description.MemoryBytes;
        }
        catch (Exception)
        {
            info["Name"] = Environment.MachineName;
        }
        return info;
    }

    private static string Lower(string ours, string? engines) =>
        engines is not null && System.Version.TryParse(engines, out var e) && System.Version.TryParse(ours, out var o) && e < o ? engines : ours;

    private static string? _builderVersion;
    private static bool _builderVersionKnown;

    /// <summary>The engine's Builder-Version (BuildKit or not), asked once: builds go to the engine.</summary>
    private static async Task<string?> EngineBuilderVersion(EngineConnection engine)
    {
        if (_builderVersionKnown) return _builderVersion;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var response = await engine.Http.GetAsync("/_ping", timeout.Token);
            _builderVersion = response.Headers.TryGetValues("Builder-Version", out var values) ? values.FirstOrDefault() : null;
            _builderVersionKnown = true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
        return _builderVersion;
    }
}
