using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Updates;

/// <summary>
/// The tutorial's update, counted request by request: `web` (python-hello-world) goes 1.0 → 2.0 → (`docker service
/// rollback`) 1.0 while a client task on its network asks its VIP and this machine asks the routing mesh, each in a
/// bounded loop. Start-first at any replica count, and stop-first with two replicas or more, drop no request: a
/// stopping task leaves the rotations before its container is told to stop. One agent serves the class; each test
/// has its own network, services and published port.
/// </summary>
public sealed class Zero_downtime_Tests(SwarmOfOne fixture, ITestOutputHelper output) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => fixture.Agent;

    [Fact]
    public Task Start_first_with_one_replica_drops_no_request_through_the_VIP_or_the_mesh() => UpdateAndRollBackAsync("zd-sf1", 18481, 1, "start-first");

    [Fact]
    public Task Start_first_with_two_replicas_drops_no_request_through_the_VIP_or_the_mesh() => UpdateAndRollBackAsync("zd-sf2", 18482, 2, "start-first");

    [Fact]
    public Task Stop_first_with_two_replicas_drops_no_request_through_the_VIP_or_the_mesh() => UpdateAndRollBackAsync("zd-st2", 18483, 2, "stop-first");

    private async Task UpdateAndRollBackAsync(string name, int port, int replicas, string order)
    {
        var probe = new UpdateProbe(Agent);
        var client = $"{name}-client";
        (await Agent.Docker("network", "create", "-d", "overlay", name)).ShouldSucceed();
        // httpd is PID 1 and ignores SIGTERM: a short grace period keeps each stop short (what is counted is whether
        // a request reaches a stopping task, not how long it takes to stop).
        (await Agent.Docker("service", "create", "-d", "--no-resolve-image", "--name", name, "--network", name, "--publish", $"{port}:5000",
            "--replicas", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), "--stop-grace-period", "2s",
            "--update-order", order, "--rollback-order", order, "--update-monitor", "2s", "--rollback-monitor", "2s", UpdateProbe.V1)).ShouldSucceed();
        (await Agent.Docker("service", "create", "-d", "--name", client, "--network", name, "--stop-grace-period", "1s",
            "busybox", "sh", "-c", "while true; do sleep 3600; done")).ShouldSucceed();
        await probe.WaitForRunningAsync(name, replicas, UpdateProbe.V1);

        await using var loops = await RequestLoops.StartAsync(await probe.ContainerOfAsync(client), name, port, UpdateProbe.Answer1);
        await loops.WaitForAnswersAsync(UpdateProbe.Answer1);

        (await Agent.Docker("service", "update", "-d", "--no-resolve-image", "--image", UpdateProbe.V2, name)).ShouldSucceed();
        await probe.WaitForUpdateStateAsync(name, "completed");
        await probe.WaitForRunningAsync(name, replicas, UpdateProbe.V2);
        await loops.WaitForAnswersAsync(UpdateProbe.Answer2);

        (await Agent.Docker("service", "rollback", "-d", name)).ShouldSucceed();
        await probe.WaitForUpdateStateAsync(name, "rollback_completed");
        await probe.WaitForRunningAsync(name, replicas, UpdateProbe.V1);
        await loops.WaitForAnswersAsync(UpdateProbe.Answer1);

        var (vip, mesh) = await loops.StopAsync();
        output.WriteLine($"{order}, {replicas} replica(s): VIP {vip.Count} requests, {vip.Count(a => a.StartsWith("FAILED", StringComparison.Ordinal))} failed: {RequestLoops.Summary(vip)}");
        output.WriteLine($"{order}, {replicas} replica(s): mesh {mesh.Count} requests, {mesh.Count(a => a.StartsWith("FAILED", StringComparison.Ordinal))} failed: {RequestLoops.Summary(mesh)}");
        RequestLoops.AssertNoneFailedAndSwitched(vip, "the VIP", UpdateProbe.Answer1, UpdateProbe.Answer2, UpdateProbe.Answer1);
        RequestLoops.AssertNoneFailedAndSwitched(mesh, "the routing mesh", UpdateProbe.Answer1, UpdateProbe.Answer2, UpdateProbe.Answer1);

        (await Agent.Docker("service", "rm", name, client)).ShouldSucceed();
    }
}
