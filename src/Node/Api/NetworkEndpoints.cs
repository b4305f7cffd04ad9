using EventSwarm.Node.Agent;
using EventSwarm.Application.Nodes;
using System.Collections.Immutable;
using Docker.DotNet.Models;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Tasks;
using Mediator;
using DomainNetworkSpec = EventSwarm.Domain.Networking.NetworkSpec;
using Network = EventSwarm.Domain.Networking.Network;
using WireNetworkSpec = Docker.DotNet.Models.NetworkSpec;

namespace EventSwarm.Node.Api;

/// <summary>The engine's /networks, for the swarm-scoped (overlay) networks that the log holds.</summary>
public static class NetworkEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/networks/create", async (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var spec = ToDomain(await Body.ReadAsync<NetworksCreateParameters>(context));
            var id = await mediator.Send(new CreateNetworkCommand(spec, CallerIdentity.Of(context)), ct);
            return Results.Json(new NetworksCreateResponse { ID = id, Warning = "" }, DockerJson.Options, statusCode: 201);
        });

        app.MapGet("/networks", (HttpRequest request, ClusterProjection projection, Membership membership, LocalNode local) =>
        {
            var state = NodeEndpoints.RequireSwarm(projection);
            var filters = Filters.ParseUnclassified(request, "id", "name", "driver", "label", "scope");
            // A worker knows the swarm's networks only where its tasks use them, as in Swarm.
            var here = membership.IsWorker ? NodeNetworkPlan.For(state, local.NodeId).Networks.Select(n => n.Id).ToHashSet() : null;
            var networks = state.Networks.Values
                .Where(n => here is null || here.Contains(n.Id))
                .Where(n => filters.Match("id", v => n.Id.StartsWith(v, StringComparison.Ordinal)))
                // docker matches a name filter anywhere in the name
                .Where(n => filters.Match("name", v => n.Spec.Name.Contains(v, StringComparison.Ordinal)))
                .Where(n => filters.Match("driver", v => v == n.Spec.Driver))
                .Where(n => filters.Match("scope", v => v == "swarm"))
                .Where(n => filters.Match("label", v => ServiceEndpoints.MatchesLabel(n.Spec.Labels, v)))
                .OrderBy(n => n.Spec.Name, StringComparer.Ordinal)
                .Select(n => ToWire(n, state));
            return Results.Json(networks, DockerJson.Options);
        });

        app.MapGet("/networks/{id}", (string id, ClusterProjection projection) =>
        {
            var state = NodeEndpoints.RequireSwarm(projection);
            return state.FindNetwork(id) is { } network
                ? Results.Json(ToWire(network, state), DockerJson.Options)
                : ApiErrors.NotFound($"network {id} not found");
        });

        app.MapDelete("/networks/{id}", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveNetworkCommand(id, CallerIdentity.Of(context)), ct);
            return Results.NoContent();
        });
    }

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
        [.. state.Tasks.Values
            .Where(t => t.NodeId is not null && t.IsAttachedTo(network.Id))
            .Select(t => t.NodeId!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(id => state.Nodes.GetValueOrDefault(id))
            .OfType<Domain.Nodes.Node>()
            .Select(n => new PeerInfo { Name = n.Description.Hostname, IP = NodeNetworkPlan.HostOf(n.Address) })];
}
