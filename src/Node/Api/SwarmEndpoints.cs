using EventSwarm.Application.Nodes;
using System.Text.Json;
using Docker.DotNet.Models;
using EventSwarm.Application.Log;
using EventSwarm.Application.Swarm;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Agent;
using Mediator;

namespace EventSwarm.Node.Api;

public static class SwarmEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/swarm/init", async (HttpContext context, IMediator mediator, ClusterProjection projection, ClusterSecrets secrets, IClock clock, AgentOptions options,
            Membership membership, RaftLogHost raft, LocalNode local, SwarmLifecycle lifecycle, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync<SwarmInitBody>(context);
            using var step = await lifecycle.BeginStepAsync(ct);
            if (request.ForceNewCluster == true && lifecycle.InSwarm)
            {
                // Swarm's recovery from a lost quorum: this manager becomes the only one, with the state it holds.
                if (membership.IsWorker || !raft.IsOpen) throw RaftLogHost.NotAManager();
                await raft.ForceNewClusterAsync(ct);
                await mediator.Send(new ForceNewClusterCommand(CallerIdentity.Of(context)), ct);
                return Results.Json(local.NodeId);
            }
            if (lifecycle.InSwarm) throw SwarmLifecycle.AlreadyInSwarm();
            var spec = SwarmWire.ForInit(request.Spec, request.AutoLockManagers ?? false);
            var addresses = SwarmAddresses.ForInit(request.ListenAddr, request.AdvertiseAddr, request.DataPathAddr, options);
            // The listener and the log open now, and close again if the swarm's creation is not committed: a
            // failed init leaves the node as it was (Docker clears its state when the first start fails).
            lifecycle.Listen(addresses);
            try
            {
                await raft.StartNewClusterAsync(ct);
                // The CA and the join secrets are kept only once the swarm's creation is committed.
                var cluster = ClusterSecrets.Create(clock.Now);
                var nodeId = await mediator.Send(new InitSwarmCommand(addresses.AdvertiseIp, CallerIdentity.Of(context), cluster.Credentials, addresses.Manager)
                {
                    Spec = spec,
                    DefaultAddrPool = request.DefaultAddrPool ?? [],
                    SubnetSize = checked((int)(request.SubnetSize ?? 0)),
                    DataPathPort = checked((int)(request.DataPathPort ?? 0)),
                }, ct);
                secrets.Save(cluster);
                secrets.IssueOwnCertificate(nodeId, NodeRole.Manager, projection.Current.Swarm!.ClusterId, clock.Now);
                return Results.Json(nodeId);
            }
            catch
            {
                await lifecycle.ForgetSwarmAsync();
                throw;
            }
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

        app.MapPost("/swarm/update", async (HttpContext context, IMediator mediator, ClusterSecrets secrets, CancellationToken ct) =>
        {
            // Docker's own check and wording: the version read by the client is required.
            var rawVersion = context.Request.Query["version"].ToString();
            if (!ulong.TryParse(rawVersion, out var version))
                throw new BadRequestException($"invalid swarm version '{rawVersion}': strconv.ParseUint: parsing \"{rawVersion}\": invalid syntax");
            var spec = SwarmWire.ForUpdate(await Body.ReadAsync<SwarmSpecBody>(context));
            // New join secrets are made here and kept only once the update that records their hashes is committed.
            var worker = context.Request.Flag("rotateWorkerToken") ? JoinToken.NewSecret() : null;
            var manager = context.Request.Flag("rotateManagerToken") ? JoinToken.NewSecret() : null;
            await mediator.Send(new UpdateSwarmCommand(checked((long)version), spec, CallerIdentity.Of(context),
                worker is null ? null : JoinToken.HashOf(worker), manager is null ? null : JoinToken.HashOf(manager)), ct);
            if (worker is not null) secrets.SaveSecret(NodeRole.Worker, worker);
            if (manager is not null) secrets.SaveSecret(NodeRole.Manager, manager);
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
