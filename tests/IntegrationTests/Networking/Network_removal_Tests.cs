using Docker.DotNet.Models;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// A network goes as in Docker Swarm: refused only while a task is still meant to run on it (swarmkit's
/// removeNetwork), so `docker stack rm` can remove a stack's network right after its services, while their
/// containers are still stopping. The node removes the network's bridge once the last of them is gone.
/// </summary>
public sealed class Network_removal_Tests(SwarmOfOne swarm) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => swarm.Agent;

    [Fact]
    public async Task A_network_removed_right_after_its_service_goes_and_its_bridge_leaves_the_engine_after_the_last_container()
    {
        (await Agent.Docker("network", "create", "-d", "overlay", "leaving")).ShouldSucceed();
        var networkId = (await Agent.Docker("network", "inspect", "-f", "{{.Id}}", "leaving")).ShouldSucceed().Output.Trim();
        // Deaf to SIGTERM: its containers stay on the bridge for the whole grace period after the service is removed.
        (await Agent.Docker("service", "create", "-d", "--name", "leaving-svc", "--replicas", "2", "--network", "leaving", "--stop-grace-period", "4s",
            "busybox", "sh", "-c", "trap '' TERM; while true; do sleep 0.2; done")).ShouldSucceed();
        await Eventually.True(async () => (await Engine.ContainersOfServiceAsync(Agent.NodeId, "leaving-svc")).Count == 2,
            TimeSpan.FromSeconds(60), "both containers run");

        (await Agent.Docker("service", "rm", "leaving-svc")).ShouldSucceed();
        var removed = await Agent.Docker("network", "rm", "leaving");

        Assert.True(removed.ExitCode == 0, $"network rm right after service rm: {removed.Output}{removed.Error}");
        Assert.Equal("leaving", removed.Output.Trim());
        Assert.NotEmpty(await Engine.ContainersOfServiceAsync(Agent.NodeId, "leaving-svc", all: true)); // still stopping
        (await Agent.Docker("network", "inspect", "leaving")).ShouldFailWith("not found");

        await Eventually.True(async () => (await Engine.ContainersOfServiceAsync(Agent.NodeId, "leaving-svc", all: true)).Count == 0,
            TimeSpan.FromSeconds(40), "the containers are stopped and removed");
        await Eventually.True(async () => (await BridgesOfAsync(networkId)).Count == 0 && !await LinkExistsAsync(networkId),
            TimeSpan.FromSeconds(30), "the network's bridge is gone from the engine and the kernel");
    }

    private static async Task<IList<NetworkResponse>> BridgesOfAsync(string networkId)
    {
        using var docker = Engine.Client();
        return await docker.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"eventswarm.network.id={networkId}"] = true } },
        });
    }

    private static async Task<bool> LinkExistsAsync(string networkId) =>
        (await CommandResult.RunAsync("ip", ["link", "show", Infrastructure.Networking.IptablesRules.BridgeName(networkId)], new Dictionary<string, string>())).ExitCode == 0;
}
