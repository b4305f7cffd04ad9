namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>
/// One real agent already in a swarm of its own, shared by the tests of a class that each add (and remove) their
/// own uniquely named services: the agent starts once per class instead of once per test.
/// </summary>
public sealed class SwarmOfOne : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;

    public async Task InitializeAsync() => Agent = await LocalAgent.StartSwarmAsync();

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}
