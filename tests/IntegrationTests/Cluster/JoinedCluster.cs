namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>
/// Three real nodes already in one swarm — n1 the manager, n2 and n3 workers, all Ready — shared by the tests
/// of a class that only add their own services and networks to it.
/// </summary>
public sealed class JoinedCluster : IAsyncLifetime
{
    public NamespaceCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await NamespaceCluster.StartAsync(3);
        (await Cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var token = (await Cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        foreach (var node in new[] { 2, 3 })
            (await Cluster.EventSwarm(node, "swarm", "join", "--token", token, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await Cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(30), "three nodes are Ready");
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
