using System.Text.Json;
using Docker.DotNet.Models;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Swarm;

namespace EventSwarm.Node.Api;

public static class SwarmEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/swarm/init", async (HttpContext context, SwarmInit init, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync<SwarmInitBody>(context);
            return Results.Json(await init.InitAsync(new SwarmInitRequest(request.ListenAddr, request.AdvertiseAddr, request.DataPathAddr,
                request.ForceNewCluster == true, defaults => SwarmWire.ForInit(request.Spec, request.AutoLockManagers ?? false, defaults),
                request.DefaultAddrPool ?? [], request.SubnetSize ?? 0, request.DataPathPort ?? 0), CallerIdentity.Of(context), ct));
        });

        // The docker CLI and Docker.DotNet send force=1, which a bool parameter would refuse with 400.
        app.MapPost("/swarm/leave", async (HttpContext context, SwarmLeave leave, CancellationToken ct) =>
        {
            await leave.LeaveAsync(context.Request.Flag("force"), ct);
            return Results.Ok();
        });

        app.MapPost("/swarm/join", async (HttpContext context, SwarmJoin join, CancellationToken ct) =>
        {
            await join.JoinAsync(await Body.ReadAsync<SwarmJoinParameters>(context), ct);
            return Results.Ok();
        });

        app.MapPost("/swarm/update", async (HttpContext context, SwarmUpdate update, CancellationToken ct) =>
        {
            // Docker's own check and wording: the version read by the client is required.
            var rawVersion = context.Request.Query["version"].ToString();
            if (!ulong.TryParse(rawVersion, out var version))
                throw new BadRequestException($"invalid swarm version '{rawVersion}': strconv.ParseUint: parsing \"{rawVersion}\": invalid syntax");
            await update.UpdateAsync(checked((long)version), SwarmWire.ForUpdate(await Body.ReadAsync<SwarmSpecBody>(context)),
                new SwarmRotations(context.Request.Flag("rotateWorkerToken"), context.Request.Flag("rotateManagerToken"), context.Request.Flag("rotateManagerUnlockKey")),
                CallerIdentity.Of(context), ct);
            return Results.Ok();
        });

        app.MapGet("/swarm", (ClusterProjection projection, ClusterSecrets secrets) =>
            projection.Current.Swarm is not { } swarm
                ? ApiErrors.Error(503, SwarmDecider.NotInSwarm)
                : Results.Json(SwarmWire.ToWire(swarm, new JoinTokensBody(secrets.Token(NodeRole.Worker, swarm) ?? "", secrets.Token(NodeRole.Manager, swarm) ?? "")),
                    DockerJson.Options));
    }
}

/// <summary>Reads a request body, naming the problem when it is not the JSON expected.</summary>
public static class Body
{
    /// <summary>A boolean query parameter read like the engine's Go (strconv.ParseBool): docker sends "true", Docker.DotNet "1".</summary>
    public static bool Flag(this HttpRequest request, string name) =>
        request.Query[name].ToString() is "1" or "t" or "T" or "true" or "True" or "TRUE";

    public static async Task<T> ReadAsync<T>(HttpContext context) where T : new()
    {
        CheckForJson(context.Request);
        if (context.Request.ContentLength == 0) return new T();
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, DockerJson.Options, context.RequestAborted) ?? new T();
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"malformed JSON in request body: {e.Message}");
        }
    }

    /// <summary>
    /// dockerd's httputils.CheckForJSON: a body must be declared application/json (parameters allowed); no
    /// Content-Type is fine only without a body. Docker 20.10 checks it on its network, container and volume
    /// routes, and from Docker 23 (httputils.ReadJSON) on every JSON route, the swarm's too: EventSwarm on all of
    /// them, with 20.10's words.
    /// </summary>
    public static void CheckForJson(HttpRequest request)
    {
        var contentType = request.ContentType;
        var hasBody = request.ContentLength is > 0 || request.ContentLength is null && request.Headers.TransferEncoding.Count > 0;
        if (string.IsNullOrEmpty(contentType) && !hasBody) return;
        if (System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
            && string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)) return;
        throw new BadRequestException($"Content-Type specified ({contentType}) must be 'application/json'");
    }
}
