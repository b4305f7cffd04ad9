namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>
/// Three real nodes already in one swarm — n1 the manager, n2 and n3 workers, all Ready — shared by the tests
/// of a class that only add their own services and networks to it.
/// </summary>
public sealed class JoinedCluster : IAsyncLifetime
{
    public NamespaceCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await NamespaceCluster.StartJoinedAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
