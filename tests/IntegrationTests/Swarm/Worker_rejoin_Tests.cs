using EventSwarm.IntegrationTests.Cluster;
using static EventSwarm.IntegrationTests.Swarm.Swarm_lifecycle_Tests;

namespace EventSwarm.IntegrationTests.Swarm;

/// <summary>
/// A worker joins a swarm, leaves it, inits and leaves a swarm of its own, and joins the first again, where it runs
/// tasks until it leaves once more: after each step its answers agree on whether it is in a swarm. A story told
/// once on two fresh agents (<see cref="Worker_rejoin_Story"/>), each behaviour it shows one test.
/// </summary>
public sealed class Worker_rejoin_Tests(Worker_rejoin_Story story) : IClassFixture<Worker_rejoin_Story>
{
    [Fact]
    public void A_worker_joining_without_an_address_is_known_by_the_one_it_reaches_the_manager_from() => story.Story.AssertHeld(nameof(A_worker_joining_without_an_address_is_known_by_the_one_it_reaches_the_manager_from));

    [Fact]
    public void A_worker_that_leaves_is_out_of_any_swarm() => story.Story.AssertHeld(nameof(A_worker_that_leaves_is_out_of_any_swarm));

    [Fact]
    public void A_node_that_left_as_a_worker_can_init_and_leave_a_swarm_of_its_own() => story.Story.AssertHeld(nameof(A_node_that_left_as_a_worker_can_init_and_leave_a_swarm_of_its_own));

    [Fact]
    public void Joining_again_is_refused_while_the_node_s_old_entry_is_in_the_swarm() => story.Story.AssertHeld(nameof(Joining_again_is_refused_while_the_node_s_old_entry_is_in_the_swarm));

    [Fact]
    public void Once_its_old_entry_is_removed_the_node_joins_again_with_a_new_certificate_and_runs_its_tasks() => story.Story.AssertHeld(nameof(Once_its_old_entry_is_removed_the_node_joins_again_with_a_new_certificate_and_runs_its_tasks));

    [Fact]
    public void A_leaving_worker_s_containers_go_with_the_swarm_it_left() => story.Story.AssertHeld(nameof(A_leaving_worker_s_containers_go_with_the_swarm_it_left));
}

/// <summary>The worker's round trip between swarms, told once for <see cref="Worker_rejoin_Tests"/>.</summary>
public sealed class Worker_rejoin_Story : IAsyncLifetime
{
    private LocalAgent? _manager, _worker;

    public Scenario Story { get; } = new();

    public async Task InitializeAsync()
    {
        var manager = _manager = await LocalAgent.StartSwarmAsync();
        var worker = _worker = await LocalAgent.StartAsync();
        using var http = worker.Http();
        var token = (await manager.EventSwarm("swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();

        await Story.StepAsync(nameof(Worker_rejoin_Tests.A_worker_joining_without_an_address_is_known_by_the_one_it_reaches_the_manager_from), async () =>
        {
            // No --advertise-addr: the worker is known by the address it reaches the manager from.
            Assert.Contains("as a worker", (await worker.EventSwarm("swarm", "join", "--token", token, manager.ListenAddress)).ShouldSucceed().Output);
            await AssertInSwarmAsync(http, worker, true, "after the first join");
            Assert.Equal("127.0.0.1", (await manager.Docker("node", "inspect", worker.NodeId, "--format", "{{.Status.Addr}}")).ShouldSucceed().Output.Trim());
        });
        await Story.StepAsync(nameof(Worker_rejoin_Tests.A_worker_that_leaves_is_out_of_any_swarm), async () =>
        {
            (await worker.Docker("swarm", "leave")).ShouldSucceed();
            await AssertInSwarmAsync(http, worker, false, "after leaving as a worker");
        });
        await Story.StepAsync(nameof(Worker_rejoin_Tests.A_node_that_left_as_a_worker_can_init_and_leave_a_swarm_of_its_own), async () =>
        {
            (await worker.Docker("swarm", "init", "--advertise-addr", "127.0.0.1")).ShouldSucceed();
            await AssertInSwarmAsync(http, worker, true, "after its own init");
            (await worker.Docker("swarm", "leave", "--force")).ShouldSucceed();
        });
        // Joining the first swarm again, with a new certificate: the connections made with the old one are not
        // reused. The node keeps its ID across swarms (Docker gives it a new one), so its old entry goes first.
        await Story.StepAsync(nameof(Worker_rejoin_Tests.Joining_again_is_refused_while_the_node_s_old_entry_is_in_the_swarm), async () =>
        {
            (await worker.Docker("swarm", "join", "--token", token, manager.ListenAddress)).ShouldFailWith($"node {worker.NodeId} is already part of this swarm");
            await AssertInSwarmAsync(http, worker, false, "after a refused join");
        });
        await Story.StepAsync(nameof(Worker_rejoin_Tests.Once_its_old_entry_is_removed_the_node_joins_again_with_a_new_certificate_and_runs_its_tasks), async () =>
        {
            (await manager.EventSwarm("node", "rm", "--force", worker.NodeId)).ShouldSucceed();
            (await worker.Docker("swarm", "join", "--token", token, manager.ListenAddress)).ShouldSucceed();
            await AssertInSwarmAsync(http, worker, true, "after joining again");
            (await manager.EventSwarm("service", "create", "--name", "back", "--replicas", "2", "--constraint", $"node.id=={worker.NodeId}",
                "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
            await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(worker.NodeId)).Count == 2, TimeSpan.FromSeconds(60),
                "the worker that joined again runs its two tasks");
        });
        await Story.StepAsync(nameof(Worker_rejoin_Tests.A_leaving_worker_s_containers_go_with_the_swarm_it_left), async () =>
        {
            (await worker.Docker("swarm", "leave")).ShouldSucceed();
            await Eventually.True(async () => (await Engine.ContainersOfNodeAsync(worker.NodeId, all: true)).Count == 0, TimeSpan.FromSeconds(60),
                "the worker's containers go with the swarm it left");
            Assert.DoesNotContain("task states failed", worker.AgentLog);
        });
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null) await _worker.DisposeAsync();
        if (_manager is not null) await _manager.DisposeAsync();
    }
}
