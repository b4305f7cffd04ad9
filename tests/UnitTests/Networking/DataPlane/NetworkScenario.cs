using EventSwarm.Domain.Networking;

namespace EventSwarm.UnitTests.Networking.DataPlane;

/// <summary>A swarm of three nodes with the ingress network and one overlay network, "demo" (10.0.1.0/24).</summary>
internal static class NetworkScenario
{
    public static NetworkCreated Demo => new("demo-id", new NetworkSpec { Name = "demo" }, "10.0.1.0/24", "10.0.1.1", T0);
    public static NetworkCreated Other => new("other-id", new NetworkSpec { Name = "other" }, "10.0.2.0/24", "10.0.2.1", T0);

    public static ClusterState ThreeNodeSwarm() => Given([
        .. Cluster("n1", "n2", "n3"),
        NetworkDecider.Ingress("ingress-id", T0),
        Demo,
        Other,
    ]);

    public static ServiceSpec OnNetwork(this ServiceSpec spec, string networkId, params string[] aliases) =>
        spec with { TaskTemplate = spec.TaskTemplate with { Networks = [.. spec.TaskTemplate.Networks, new ServiceNetwork(networkId, [.. aliases])] } };

    public static ServiceSpec Publishing(this ServiceSpec spec, int published, int target, PublishMode mode = PublishMode.Ingress) =>
        spec with { Endpoint = spec.Endpoint with { Ports = [.. spec.Endpoint.Ports, new PortConfig(PortProtocol.Tcp, target, published, mode)] } };

    /// <summary>A task running on a node with its addresses, as after allocation, scheduling and start.</summary>
    public static DomainEvent[] RunningWith(string id, ServiceSpec spec, long slot, string node, params (string Network, string Address)[] addresses) =>
    [
        Created(id, spec, slot),
        new TaskAddressesAllocated(id, [.. addresses.Select(a => new NetworkAttachment(a.Network, a.Address))], T0),
        Assigned(id, node),
        Reported(id, node, TaskState.Running),
    ];

    public static ServiceEndpointAllocated Vip(string service, string network, string address, params PortConfig[] ports) =>
        new(service, [new VirtualIp(network, address)], [.. ports], T0);
}
