using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Docker;
using EventSwarm.Node.Api.Engine;
using EventSwarm.Node.Api.History;
using EventSwarm.Node.Local;
using Mediator;
using DomainNetworkSpec = EventSwarm.Domain.Networking.NetworkSpec;
using Network = EventSwarm.Domain.Networking.Network;
using WireNetworkSpec = Docker.DotNet.Models.NetworkSpec;

namespace EventSwarm.Node.Api;

/// <summary>
/// The engine's /networks: the swarm-scoped (overlay) networks the log holds, merged with the node's own engine's
/// local ones (bridge, host, none, macvlan…), as dockerd merges its cluster's networks with libnetwork's
/// (api/server/router/network: the cluster first, then the daemon, for list, inspect and remove).
/// </summary>
public static class NetworkEndpoints
{
    /// <summary>Docker's runconfig.IsPreDefinedNetwork: no network of these names can be created or removed.</summary>
    private static readonly string[] Predefined = ["bridge", "host", "none", "default"];

    public static void Map(WebApplication app)
    {
        app.MapPost("/networks/create", async (HttpContext context, ClusterProjection projection, IMediator mediator, EngineConnection engine,
            EnginePassThrough passThrough, CancellationToken ct) =>
        {
            context.Request.EnableBuffering();
            var wire = await Body.ReadAsync<NetworksCreateParameters>(context);
            var name = wire.Name ?? "";
            var state = projection.Current;
            // dockerd refuses a name its cluster already has, whatever the driver (postNetworkCreate).
            if (state.Swarm is not null && name.Length > 0 && state.FindNetwork(name) is not null)
                return ApiErrors.Conflict($"network with name {name} already exists");
            if (wire.Driver != "overlay")
            {
                // A local network (bridge is the docker CLI's default driver; --internal, IPv6, IPAM ranges, macvlan
                // parents): the engine's own, created by it exactly as asked.
                context.Request.Body.Position = 0;
                await passThrough.ForwardAsync(context);
                return Results.Empty;
            }
            // Outside a swarm the engine tries an overlay network itself and answers Swarm's refusal unclassified (500).
            if (state.Swarm is null) return ApiErrors.Error(500, Domain.Swarm.SwarmDecider.NotInSwarm);
            // The daemon checks its local networks before it hands an overlay network to the cluster (CheckDuplicate),
            // so an overlay "bridge" is a name in use (409); only a predefined name no network holds is forbidden.
            if (name.Length > 0 && (await EngineNetworks(context.Request, engine, ct)).Any(n => n["Name"]?.GetValue<string>() == name))
                return ApiErrors.Conflict($"network with name {name} already exists");
            if (Predefined.Contains(name)) return ApiErrors.Error(403, $"operation is not permitted on predefined {name} network ");
            var id = await mediator.Send(new CreateNetworkCommand(ToDomain(wire), CallerIdentity.Of(context)), ct);
            return Results.Json(new NetworksCreateResponse { ID = id, Warning = "" }, DockerJson.Options, statusCode: 201);
        });

        app.MapGet("/networks", async (HttpRequest request, ClusterView view, Membership membership, LocalNode local, EngineConnection engine, CancellationToken ct) =>
        {
            var filters = Filters.Parse(request, "id", "name", "driver", "label", "scope", "type", "dangling");
            var state = view.State;
            var list = new JsonArray();
            if (state.Swarm is not null)
            {
                // A worker knows the swarm's networks only where its tasks use them, as in Swarm.
                var here = membership.IsWorker ? NodeNetworkPlan.For(state, local.NodeId).Networks.Select(n => n.Id).ToHashSet() : null;
                var swarmNetworks = state.Networks.Values
                    .Where(n => here is null || here.Contains(n.Id))
                    .Where(n => Matches(filters, n.Id, n.Spec.Name, n.Spec.Driver, "swarm", n.Spec.Labels,
                        dangling: !state.TasksAttachedTo(n.Id).Any(t => t.NodeId is not null && t.IsAttachedTo(n.Id))))
                    .OrderBy(n => n.Spec.Name, StringComparer.Ordinal);
                foreach (var network in swarmNetworks) list.Add(ToJson(network, state));
            }
            // The engine's local networks are not in the log: the engine knows them only as they are now, so a past
            // instant lists the swarm's networks alone rather than mixing two instants in one answer.
            if (view.IsPast) return Results.Json(list, DockerJson.Options);
            foreach (var network in await EngineNetworks(request, engine, ct))
            {
                var labels = network["Labels"] is JsonObject l
                    ? l.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "")
                    : new Dictionary<string, string>();
                var dangling = network["Containers"] is not JsonObject { Count: > 0 };
                if (Matches(filters, Text(network, "Id"), Text(network, "Name"), Text(network, "Driver"), Text(network, "Scope"), labels, dangling))
                    list.Add(network.DeepClone());
            }
            return Results.Json(list, DockerJson.Options);
        });

        app.MapGet("/networks/{id}", async (string id, HttpContext context, ClusterView view, EnginePassThrough passThrough, EngineConnection engine, CancellationToken ct) =>
        {
            var state = view.State;
            var found = state.Swarm is null ? default : state.LookupNetwork(id);
            if (found.Match is { } network) return Results.Json(ToJson(network, state), DockerJson.Options);
            // dockerd's findUniqueNetwork: several swarm networks under one name or ID prefix are refused, not guessed.
            // At a past instant only the swarm's networks are known (the engine's are not in the log).
            if (found.IsAmbiguous || view.IsPast) return ApiErrors.Of(NetworkLookup.Refusal(found, id));
            if (await IsLeftoverBridgeAsync(id, context.Request, engine, ct)) return ApiErrors.Of(NetworkLookup.Refusal(default, id));
            await passThrough.ForwardAsync(context);
            return Results.Empty;
        });

        app.MapDelete("/networks/{id}", async (string id, HttpContext context, ClusterProjection projection, IMediator mediator, EnginePassThrough passThrough,
            EngineConnection engine, CancellationToken ct) =>
        {
            var state = projection.Current;
            if (state.Swarm is not null && state.LookupNetwork(id) is { IsAmbiguous: true } found) return ApiErrors.Of(NetworkLookup.Refusal(found, id));
            if (state.Swarm is null || state.FindNetwork(id) is null)
            {
                if (await IsLeftoverBridgeAsync(id, context.Request, engine, ct)) return ApiErrors.Of(NetworkLookup.Refusal(default, id));
                await passThrough.ForwardAsync(context);
                return Results.Empty;
            }
            await mediator.Send(new RemoveNetworkCommand(id, CallerIdentity.Of(context)), ct);
            return Results.NoContent();
        });
    }

    /// <summary>
    /// The engine's local networks, less the bridges EventSwarm makes on this node for the swarm's networks: those
    /// are the swarm networks' local realisation (labelled with the network's ID) and are listed once, as swarm ones.
    /// </summary>
    private static async Task<List<JsonNode>> EngineNetworks(HttpRequest request, EngineConnection engine, CancellationToken ct)
    {
        var all = await engine.GetJsonAsync(request.PathBase + "/networks", ct) as JsonArray ?? [];
        return [.. all.OfType<JsonNode>().Where(n => n["Labels"] is not JsonObject labels || !labels.ContainsKey(DockerContainerRuntime.NetworkIdLabel))];
    }

    /// <summary>
    /// Whether the name or ID prefix names only a bridge EventSwarm made for a swarm network, and no network of the
    /// engine's own: a swarm network removed while its tasks' containers still stop keeps its bridge on the node
    /// until the last of them is gone, and it is no more the user's to inspect or remove than while it was in use.
    /// </summary>
    private static async Task<bool> IsLeftoverBridgeAsync(string id, HttpRequest request, EngineConnection engine, CancellationToken ct)
    {
        var named = (await engine.GetJsonAsync(request.PathBase + "/networks", ct) as JsonArray ?? [])
            .OfType<JsonNode>().Where(n => Text(n, "Name") == id || Text(n, "Id").StartsWith(id, StringComparison.Ordinal)).ToList();
        return named.Count > 0 && named.All(n => n["Labels"] is JsonObject labels && labels.ContainsKey(DockerContainerRuntime.NetworkIdLabel));
    }

    private static string Text(JsonNode node, string name) => node[name]?.GetValue<string>() ?? "";

    /// <summary>Docker's network filters (api/server/router/network/filter.go), the same for swarm and local networks.</summary>
    private static bool Matches(Filters filters, string id, string name, string driver, string scope, IReadOnlyDictionary<string, string> labels, bool dangling) =>
        filters.Match("id", v => id.StartsWith(v, StringComparison.Ordinal))
        // docker matches a name filter anywhere in the name
        && filters.Match("name", v => name.Contains(v, StringComparison.Ordinal))
        && filters.Match("driver", v => v == driver)
        && filters.Match("scope", v => v == scope)
        && filters.Match("label", v => ServiceEndpoints.MatchesLabel(labels, v))
        && filters.Match("type", v => v switch
        {
            "builtin" => Predefined.Contains(name),
            "custom" => !Predefined.Contains(name),
            _ => throw new BadRequestException($"invalid filter: 'type'='{v}'"),
        })
        && filters.Match("dangling", v => v switch
        {
            "true" or "1" => dangling && !Predefined.Contains(name),
            "false" or "0" => !dangling || Predefined.Contains(name),
            _ => throw new BadRequestException($"invalid filter 'dangling={v}'"),
        });

    /// <summary>What `network create` sends, as far as an overlay network of ours can honour it; the rest is refused by name.</summary>
    public static DomainNetworkSpec ToDomain(NetworksCreateParameters wire)
    {
        if (wire.Scope is { Length: > 0 } scope && scope != "swarm")
            throw new BadRequestException($"invalid scope '{scope}': a swarm's networks are swarm-scoped");
        if (wire.EnableIPv6 == true) throw new BadRequestException("IPv6 networks are not supported");
        if (wire.Internal) throw new BadRequestException("internal networks are not supported");
        if (wire.ConfigOnly || wire.ConfigFrom is not null) throw new BadRequestException("config-only networks are not supported");
        if (wire.Options?.Keys.FirstOrDefault() is { } option)
            throw new BadRequestException($"network option '{option}' is not supported");
        if (wire.IPAM?.Driver is { Length: > 0 } ipamDriver && ipamDriver != "default")
            throw new BadRequestException($"IPAM driver '{ipamDriver}' is not supported: only the default one is");
        if (wire.IPAM?.Config is { Count: > 1 })
            throw new BadRequestException("a network has one subnet here: give at most one IPAM config");
        var ipam = wire.IPAM?.Config?.FirstOrDefault();
        if (!string.IsNullOrEmpty(ipam?.IPRange) || ipam?.AuxAddress is { Count: > 0 })
            throw new BadRequestException("IP ranges and auxiliary addresses are not supported");
        return new DomainNetworkSpec
        {
            Name = wire.Name ?? "",
            Driver = string.IsNullOrEmpty(wire.Driver) ? "overlay" : wire.Driver,
            Subnet = string.IsNullOrEmpty(ipam?.Subnet) ? null : ipam.Subnet,
            Gateway = string.IsNullOrEmpty(ipam?.Gateway) ? null : ipam.Gateway,
            Attachable = wire.Attachable,
            Ingress = wire.Ingress,
            Labels = wire.Labels is null ? ImmutableDictionary<string, string>.Empty : wire.Labels.ToImmutableDictionary(),
        };
    }

    /// <summary>
    /// A swarm network as dockerd writes one it knows from the cluster: its Go types leave out what is empty
    /// (no IPRange, no Containers or Peers on a node without tasks on it, no EnableIPv4 before API 1.47) and
    /// always write ConfigFrom, which Docker.DotNet's model cannot say.
    /// </summary>
    public static JsonObject ToJson(Network network, ClusterState state)
    {
        var json = JsonSerializer.SerializeToNode(ToWire(network, state), DockerJson.Options)!.AsObject();
        json.Remove("EnableIPv4");
        if (json["Containers"] is JsonObject { Count: 0 }) json.Remove("Containers");
        if (json["Peers"] is JsonArray { Count: 0 }) json.Remove("Peers");
        json["ConfigFrom"] = new JsonObject { ["Network"] = "" };
        foreach (var config in json["IPAM"]?["Config"]?.AsArray() ?? [])
            if (config is JsonObject c && c["IPRange"] is JsonValue range && range.GetValue<string>() == "") c.Remove("IPRange");
        return json;
    }

    public static NetworkResponse ToWire(Network network, ClusterState state) => new()
    {
        Name = network.Spec.Name,
        ID = network.Id,
        Created = network.CreatedAt.UtcDateTime,
        Scope = "swarm",
        Driver = network.Spec.Driver,
        EnableIPv4 = true,
        EnableIPv6 = false,
        IPAM = new IPAM { Driver = "default", Config = [IpamConfig(network)] },
        Internal = false,
        Attachable = network.Spec.Attachable,
        Ingress = network.Spec.Ingress,
        Options = new Dictionary<string, string>(),
        Labels = network.Spec.Labels,
        Containers = new Dictionary<string, EndpointResource>(),
        Peers = Peers(network, state),
    };

    /// <summary>The network as a task's attachment names it (Swarm's Network object, not the engine's).</summary>
    public static SwarmNetwork ToSwarmNetwork(Network network) => new()
    {
        ID = network.Id,
        Version = new Docker.DotNet.Models.Version { Index = (ulong)network.Version },
        CreatedAt = network.CreatedAt.UtcDateTime,
        UpdatedAt = network.UpdatedAt.UtcDateTime,
        Spec = new WireNetworkSpec
        {
            Name = network.Spec.Name,
            Labels = network.Spec.Labels,
            DriverConfiguration = new SwarmDriver { Name = network.Spec.Driver },
            Attachable = network.Spec.Attachable ? true : null,
            Ingress = network.Spec.Ingress ? true : null,
            IPAMOptions = Ipam(network),
            Scope = "swarm",
        },
        DriverState = new SwarmDriver { Name = network.Spec.Driver },
        IPAMOptions = Ipam(network),
    };

    /// <summary>An address as docker shows it on a network: with the network's prefix length, 10.0.1.5/24.</summary>
    public static string WithPrefix(string address, string networkId, ClusterState state) =>
        state.Networks.TryGetValue(networkId, out var network) ? $"{address}/{network.Subnet.PrefixLength}" : address;

    private static IPAMOptions Ipam(Network network) => new()
    {
        Driver = new SwarmDriver { Name = "default" },
        Configs = [new SwarmIPAMConfig { Subnet = network.Subnet.ToString(), Gateway = Ipv4Subnet.Format(network.Gateway) }],
    };

    private static IPAMConfig IpamConfig(Network network) => new()
    {
        Subnet = network.Subnet.ToString(),
        Gateway = Ipv4Subnet.Format(network.Gateway),
    };

    /// <summary>The nodes the network reaches: those with a task on it that has not finished.</summary>
    private static List<PeerInfo> Peers(Network network, ClusterState state) =>
        [.. state.TasksAttachedTo(network.Id)
            .Where(t => t.NodeId is not null && t.IsAttachedTo(network.Id))
            .Select(t => t.NodeId!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(id => state.Nodes.GetValueOrDefault(id))
            .OfType<Domain.Nodes.Node>()
            .Select(n => new PeerInfo { Name = n.Description.Hostname, IP = NodeNetworkPlan.HostOf(n.Address) })];
}
