using System.Net;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Swarm;

/// <summary>
/// One real agent shared by tests that each first bring it into or out of a swarm, as they need it: no test depends
/// on the state another left.
/// </summary>
public sealed class LoneAgent : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Agent = await LocalAgent.StartAsync();
        Http = Agent.Http();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Agent is not null) await Agent.DisposeAsync();
    }

    public async Task InSwarmAsync()
    {
        if (await Swarm_lifecycle_Tests.LocalNodeStateAsync(Http) == "active") return;
        var init = await Swarm_lifecycle_Tests.InitAsync(Http);
        Assert.True(init.StatusCode == HttpStatusCode.OK, $"init answered {(int)init.StatusCode} {await init.Content.ReadAsStringAsync()}");
    }

    public async Task OutOfSwarmAsync()
    {
        if (await Swarm_lifecycle_Tests.LocalNodeStateAsync(Http) == "inactive") return;
        var leave = await Http.PostAsync("/v1.41/swarm/leave?force=1", null);
        Assert.True(leave.StatusCode == HttpStatusCode.OK, $"leave answered {(int)leave.StatusCode} {await leave.Content.ReadAsStringAsync()}");
    }
}
