using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Services;

/// <summary>Docker accepts any uint64 replica count; the orchestrator fills (and empties) slots in bounded steps.</summary>
public sealed class Replica_batches_Tests
{
    private static IReadOnlyList<DomainEvent> Orchestrate(ClusterState state, double at) =>
        state.Reconcile(ReplicatedOrchestrator.Reconcile, At(at));

    [Theory]
    [InlineData(2147483648L)]
    [InlineData(1_000_000_000_000L)]
    [InlineData(long.MaxValue)]
    public void An_absurd_replica_count_creates_a_bounded_batch_of_tasks_per_pass(long replicas)
    {
        var state = Given(Cluster("n1")).And(Service(Spec("huge", replicas)));

        var first = Orchestrate(state, 1);
        state = state.And(first);
        var second = Orchestrate(state, 2);

        Assert.Equal(ReplicatedOrchestrator.MaxTasksPerPass, first.OfType<TaskCreated>().Count());
        Assert.Equal(ReplicatedOrchestrator.MaxTasksPerPass, second.OfType<TaskCreated>().Count());
        // The second batch continues where the first stopped: slots stay 1..2N, none taken twice.
        Assert.Equal(Enumerable.Range(1, 2 * ReplicatedOrchestrator.MaxTasksPerPass).Select(i => (long)i),
            first.Concat(second).OfType<TaskCreated>().Select(t => t.Slot).Order());
    }

    [Fact]
    public void A_service_filling_in_batches_reaches_its_count_exactly_and_then_stops()
    {
        var replicas = ReplicatedOrchestrator.MaxTasksPerPass * 2 + 5;
        var state = Given(Cluster("n1")).And(Service(Spec("web", replicas)));

        var passes = 0;
        for (IReadOnlyList<DomainEvent> events; (events = Orchestrate(state, 1)).Count > 0; passes++) state = state.And(events);

        Assert.Equal(3, passes);
        Assert.Equal(replicas, state.Tasks.Count);
    }

    [Fact]
    public void Scale_0_of_many_tasks_removes_them_in_bounded_batches()
    {
        var count = ReplicatedOrchestrator.MaxTasksPerPass + 10;
        var web = Spec("web", count);
        var state = Given(Cluster("n1")).And(Service(web));
        while (Orchestrate(state, 1) is { Count: > 0 } events) state = state.And(events);
        state = state.And(new ServiceScaled("web", 0, At(2)));

        var first = Orchestrate(state, 2);
        state = state.And(first);
        var second = Orchestrate(state, 3);
        state = state.And(second);

        Assert.Equal(ReplicatedOrchestrator.MaxTasksPerPass, first.Count);
        Assert.Equal(10, second.Count);
        Assert.All(state.Tasks.Values, t => Assert.Equal(TaskState.Remove, t.DesiredState));
        Assert.Empty(Orchestrate(state, 4));
    }

    [Fact]
    public void Many_services_created_at_once_fill_in_passes_of_a_bounded_size_each_service_whole()
    {
        var perService = ReplicatedOrchestrator.MaxTasksPerPass;
        var services = ReplicatedOrchestrator.MaxEventsPerPass / perService + 1;
        var state = Given(Cluster("n1")).And(Enumerable.Range(1, services).Select(i => (DomainEvent)Service(Spec($"s{i:D2}", perService))));

        var first = Orchestrate(state, 1);
        var rest = Orchestrate(state.And(first), 2);

        Assert.Equal(ReplicatedOrchestrator.MaxEventsPerPass, first.Count);
        Assert.Equal(perService, rest.Count);
        Assert.Empty(first.OfType<TaskCreated>().Select(t => t.ServiceName).Intersect(rest.OfType<TaskCreated>().Select(t => t.ServiceName)));
    }
}
