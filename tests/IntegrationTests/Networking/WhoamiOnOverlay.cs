using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// The seed's networking step, deployed once on three joined nodes: the overlay network demo, whoami on it (two
/// replicas on n1 and n2, port 8000 published through the routing mesh) and a busybox client on n3, which runs
/// no whoami task. The tests read it; none changes it.
/// </summary>
public sealed class WhoamiOnOverlay : IAsyncLifetime
{
    public NamespaceCluster Cluster { get; private set; } = null!;

    /// <summary>The client's container on n3's engine.</summary>
    public string Client { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Cluster = await NamespaceCluster.StartJoinedAsync(3);
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "demo")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "whoami", "-p", "8000:8000", "--network", "demo", "--replicas", "2",
            "--constraint", "node.hostname!=n3", "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "client", "--network", "demo", "--constraint", "node.hostname==n3",
            "--stop-grace-period", "1s", "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
        Client = await ContainerOfAsync(3, "client");
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The one container of the service on the node's engine, once it runs.</summary>
    public Task<string> ContainerOfAsync(int node, string service) => new OverlayProbe(Cluster).ContainerOfAsync(node, service);
}
