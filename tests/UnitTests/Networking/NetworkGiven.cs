using EventSwarm.Domain.Networking;

namespace EventSwarm.UnitTests.Networking;

/// <summary>
/// Builders for the networking tests: a swarm with its ingress network (10.0.0.0/24) and overlay networks whose
/// ID is their name unless told, as services' IDs are theirs.
/// </summary>
internal static class NetworkGiven
{
    public const string Ingress = "ingress";

    /// <summary>An initialised swarm of <paramref name="nodeIds"/> with the ingress network `swarm init` creates.</summary>
    public static DomainEvent[] SwarmWithIngress(params string[] nodeIds) =>
        [.. Cluster(nodeIds.Length == 0 ? ["n1"] : nodeIds), NetworkDecider.Ingress(Ingress, T0)];

    public static NetworkCreated Overlay(string name, string subnet = "10.0.1.0/24", string? id = null) =>
        new(id ?? name, new NetworkSpec { Name = name }, subnet, Ipv4Subnet.Format(Ipv4Subnet.Parse(subnet).FirstHost), T0);

    public static ServiceSpec JoiningNetworks(this ServiceSpec spec, params string[] networks) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Networks = [.. spec.TaskTemplate.Networks, .. networks.Select(n => new ServiceNetwork(n, []))] } };

    public static ServiceSpec PublishingPort(this ServiceSpec spec, int published, int target, PublishMode mode = PublishMode.Ingress,
        PortProtocol protocol = PortProtocol.Tcp) =>
        spec with { Endpoint = spec.Endpoint with { Ports = [.. spec.Endpoint.Ports, new PortConfig(protocol, target, published, mode)] } };

    public static ServiceSpec InDnsrrMode(this ServiceSpec spec) => spec with { Endpoint = spec.Endpoint with { Mode = EndpointMode.Dnsrr } };

    public static TaskAddressesAllocated AddressesOf(string taskId, params (string Network, string Address)[] addresses) =>
        new(taskId, [.. addresses.Select(a => new NetworkAttachment(a.Network, a.Address))], T0);
}
