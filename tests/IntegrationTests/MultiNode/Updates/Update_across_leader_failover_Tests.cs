using System.Diagnostics;
using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.MultiNode.Updates;

/// <summary>
/// A rolling update interrupted by the leader's death finishes under the new leader: the updater keeps nothing in
/// memory, so the new leader continues from the log without replacing a slot twice or skipping one (issue 13). Told
/// once (<see cref="Update_across_leader_failover_Story"/>) on three managers; each behaviour it shows is one test.
/// </summary>
public sealed class Update_across_leader_failover_Tests(Update_across_leader_failover_Story story, ITestOutputHelper output)
    : IClassFixture<Update_across_leader_failover_Story>
{
    [Fact]
    public void The_update_is_under_way_when_the_leader_is_killed() => Held(nameof(The_update_is_under_way_when_the_leader_is_killed));

    [Fact]
    public void A_surviving_manager_takes_the_lead() => Held(nameof(A_surviving_manager_takes_the_lead));

    [Fact]
    public void The_new_leader_completes_the_update() => Held(nameof(The_new_leader_completes_the_update));

    [Fact]
    public void Every_slot_ends_with_exactly_one_running_task_on_the_new_image() => Held(nameof(Every_slot_ends_with_exactly_one_running_task_on_the_new_image));

    [Fact]
    public void No_slot_is_updated_twice_and_none_is_skipped() => Held(nameof(No_slot_is_updated_twice_and_none_is_skipped));

    [Fact]
    public void The_engines_run_exactly_the_six_new_containers() => Held(nameof(The_engines_run_exactly_the_six_new_containers));

    private void Held(string behaviour)
    {
        foreach (var note in story.Notes) output.WriteLine(note);
        story.Story.AssertHeld(behaviour);
    }
}

/// <summary>
/// Three managers; web has 6 replicas on n2 and n3 (kept off n1, the leader to be killed, so that no task is lost
/// with it and every second task of a slot is the updater's doing), parallelism 1 and a 2 s delay, so the update
/// lasts long enough to be cut. n1's agent is killed once two slots run the new image.
/// </summary>
public sealed class Update_across_leader_failover_Story : IAsyncLifetime
{
    private const string Old = "python-hello-world:1.0";
    private const string New = "python-hello-world:2.0";
    private const int Replicas = 6;
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(120);

    private NamespaceCluster _cluster = null!;

    public Scenario Story { get; } = new();

    public List<string> Notes { get; } = [];

    public async Task InitializeAsync()
    {
        _cluster = await NamespaceCluster.StartAsync(3);
        var cluster = _cluster;
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var managerToken = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        foreach (var node in new[] { 2, 3 })
            (await cluster.EventSwarm(node, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(30), "three managers are Ready");
        foreach (var node in new[] { 2, 3 })
            await cluster.LoadImagesAsync(node, Old, New);

        (await cluster.Docker(1, "service", "create", "-d", "--name", "web", "--replicas", Replicas.ToString(), "--constraint", "node.hostname!=n1",
            "--update-parallelism", "1", "--update-delay", "2s", "--stop-grace-period", "1s", Old)).ShouldSucceed();
        await Eventually.True(async () => (await ServiceTask.ListAsync(1, "web"))?.Count(t => t.IsRunning && t.Image == Old) == Replicas,
            Converges, $"web runs {Replicas} tasks of {Old}");

        await Story.StepAsync(nameof(Update_across_leader_failover_Tests.The_update_is_under_way_when_the_leader_is_killed), async () =>
        {
            (await cluster.Docker(2, "service", "update", "-d", "--image", New, "web")).ShouldSucceed();
            IReadOnlyList<ServiceTask>? tasks = null;
            await Eventually.True(async () => (tasks = await ServiceTask.ListAsync(2, "web"))?.Count(t => t.IsRunning && t.Image == New) >= 2,
                Converges, "two slots run the new image");
            await cluster.KillAgentAsync(1);
            Notes.Add($"n1 (leader) killed with: {ServiceTask.Describe(tasks!)}");
            var replaced = tasks!.Count(t => t.IsRunning && t.Image == New);
            Assert.True(replaced < Replicas, $"the update was over before the leader was killed: {ServiceTask.Describe(tasks!)}");
        });
        var killed = Stopwatch.StartNew();
        await Story.StepAsync(nameof(Update_across_leader_failover_Tests.A_surviving_manager_takes_the_lead), async () =>
        {
            var rows = new List<string>();
            await Eventually.True(async () =>
            {
                rows = [.. (await cluster.EventSwarm(2, "node", "ls")).Rows];
                return rows.Any(r => (r.Contains(" n2 ") || r.Contains(" n3 ")) && r.Contains("Leader"));
            }, TimeSpan.FromSeconds(30), "n2 or n3 leads");
            Notes.Add($"new leader after {killed.Elapsed.TotalSeconds:0.0} s: {rows.Single(r => r.Contains("Leader")).Trim()}");
        });
        await Story.StepAsync(nameof(Update_across_leader_failover_Tests.The_new_leader_completes_the_update), async () =>
        {
            var state = "";
            await Eventually.True(async () => (state = await ServiceTask.UpdateStateAsync(cluster, 2, "web")) == "completed", Converges,
                $"web's UpdateStatus is completed on n2 (last seen: {state})");
            Notes.Add($"update completed {killed.Elapsed.TotalSeconds:0.0} s after the leader was killed");
            // n3 follows the leader's log: it applies the completion once it hears of its commit, a beat later at most.
            var message = "";
            await Eventually.True(async () => (message = (await cluster.Docker(3, "service", "inspect", "--format", "{{.UpdateStatus.State}}: {{.UpdateStatus.Message}}", "web"))
                .ShouldSucceed().Output.Trim()) == "completed: update completed", TimeSpan.FromSeconds(10), "n3 reads web's UpdateStatus as completed");
        });

        IReadOnlyList<ServiceTask> final = [];
        await Story.StepAsync(nameof(Update_across_leader_failover_Tests.Every_slot_ends_with_exactly_one_running_task_on_the_new_image), async () =>
        {
            final = await ServiceTask.ListAsync(2, "web") ?? throw new InvalidOperationException("n2 does not list web's tasks");
            Notes.Add($"web's tasks at the end: {ServiceTask.Describe(final)}");
            var wanted = final.Where(t => t.DesiredState == "running").ToList();
            Assert.Equal(Enumerable.Range(1, Replicas), wanted.Select(t => t.Slot).Order());
            Assert.All(wanted, t => Assert.True(t.IsRunning && t.Image == New, $"slot {t.Slot}: {t.State} {t.Image}"));
            Assert.Equal(Replicas, final.Count(t => t.IsRunning));
        });
        await Story.StepAsync(nameof(Update_across_leader_failover_Tests.No_slot_is_updated_twice_and_none_is_skipped), () =>
        {
            foreach (var slot in Enumerable.Range(1, Replicas))
            {
                var ofSlot = final.Where(t => t.Slot == slot).ToList();
                Assert.True(ofSlot.Count(t => t.Image == New) == 1, $"slot {slot} got {ofSlot.Count(t => t.Image == New)} tasks of the new spec: {ServiceTask.Describe(ofSlot)}");
                Assert.True(ofSlot.Count(t => t.Image == Old) == 1 && ofSlot.Single(t => t.Image == Old).DesiredState == "shutdown",
                    $"slot {slot}'s old task is not the one shut down: {ServiceTask.Describe(ofSlot)}");
            }
            Assert.Equal(Replicas * 2, final.Count);
            return Task.CompletedTask;
        });
        await Story.StepAsync(nameof(Update_across_leader_failover_Tests.The_engines_run_exactly_the_six_new_containers), async () =>
        {
            await Eventually.True(async () => await cluster.RunningContainersAsync(2, "web") + await cluster.RunningContainersAsync(3, "web") == Replicas,
                TimeSpan.FromSeconds(30), $"n2 and n3 run {Replicas} containers of web");
            foreach (var node in new[] { 2, 3 })
                Assert.DoesNotContain(Old, (await cluster.Engine(node, "ps", "--format", "{{.Image}}", "--filter", "label=eventswarm.service.name=web")).ShouldSucceed().Output);
        });
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
