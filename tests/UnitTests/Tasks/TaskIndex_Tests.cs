using System.Collections.Immutable;
using System.Text.Json;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Secrets;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.UnitTests.Tasks;

/// <summary>
/// The task indexes the state keeps as it evolves (issue 16) answer exactly what a scan of every task would: after
/// any sequence of task events, and after the state went through JSON (a snapshot, a checkpoint, a worker's copy).
/// </summary>
public sealed class TaskIndex_Tests
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];
    private static readonly string[] Services = ["web", "api", "agent"];
    private static readonly string[] NetworkIds = ["net-a", "net-b"];

    private static readonly TaskState[] Observed =
        [TaskState.Pending, TaskState.Assigned, TaskState.Preparing, TaskState.Running, TaskState.Complete, TaskState.Failed, TaskState.Shutdown];

    private static readonly TaskState[] Desired = [TaskState.Ready, TaskState.Running, TaskState.Shutdown, TaskState.Remove];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void The_index_kept_through_random_task_events_equals_one_rebuilt_from_the_tasks(int seed)
    {
        var random = new Random(seed);
        var state = Given(Cluster(Nodes));
        for (var step = 0; step < 1500; step++)
        {
            state = state.And(RandomEvent(random, state, step));
            if (step % 100 == 0) AssertMatchesScans(state);
        }

        AssertMatchesScans(state);
        AssertSameIndex(TaskIndex.Build(state.Tasks), state.TaskIndex);
    }

    [Fact]
    public void A_state_read_back_from_json_rebuilds_the_same_index()
    {
        var random = new Random(42);
        var state = Given(Cluster(Nodes));
        for (var step = 0; step < 800; step++) state = state.And(RandomEvent(random, state, step));

        var json = JsonSerializer.SerializeToUtf8Bytes(state, EventJson.Options);
        var restored = JsonSerializer.Deserialize<ClusterState>(json, EventJson.Options)!;

        Assert.DoesNotContain("TaskIndex", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        AssertMatchesScans(restored);
        AssertSameIndex(state.TaskIndex, restored.TaskIndex);
        // And it keeps evolving from there as the original does.
        var next = RandomEvent(random, state, 800);
        AssertSameIndex(state.And(next).TaskIndex, restored.And(next).TaskIndex);
    }

    [Fact]
    public void A_state_given_tasks_directly_indexes_those_tasks()
    {
        var state = Given(Cluster("n1")).And(Service(Spec("web"))).And(Running("t1", Spec("web"), 1, "n1"));

        var emptied = state with { Tasks = ImmutableSortedDictionary<string, SwarmTask>.Empty };

        Assert.Single(state.TasksOf("web"));
        Assert.Empty(emptied.TasksOf("web"));
        Assert.Equal(NodeUsage.None, emptied.UsageOf("n1"));
    }

    [Fact]
    public void Two_states_of_the_same_contents_are_equal_whether_or_not_their_index_is_built()
    {
        var state = Given(Cluster("n1")).And(Service(Spec("web"))).And(Running("t1", Spec("web"), 1, "n1"));
        var copy = state with { Tasks = state.Tasks };

        _ = state.TaskIndex;

        Assert.Equal(state, copy);
    }

    private static DomainEvent RandomEvent(Random random, ClusterState state, int step)
    {
        var at = At(step);
        var tasks = state.Tasks.Values.ToList();
        var roll = random.Next(100);
        if (tasks.Count == 0 || roll < 20)
        {
            var service = Services[random.Next(Services.Length)];
            var global = service == "agent";
            var spec = Spec(service);
            var container = spec.TaskTemplate.Container with
            {
                Secrets = random.Next(3) == 0 ? [new SecretReference("s1", "s1", null, random.Next(2))] : [],
                Configs = random.Next(4) == 0 ? [new ConfigReference("c1", "c1", null)] : [],
            };
            var template = spec.TaskTemplate with
            {
                Container = container,
                Reservations = random.Next(2) == 0 ? new Reservations(100, 1000) : null,
            };
            return new TaskCreated($"t{step:D5}", service, service, global ? 0 : random.Next(1, 5),
                global ? Nodes[random.Next(Nodes.Length)] : null, template, random.Next(1, 3), Desired[random.Next(Desired.Length)], at,
                random.Next(3) == 0 ? At(step + random.Next(-5, 20)) : null);
        }

        var task = tasks[random.Next(tasks.Count)];
        return roll switch
        {
            < 35 => new TaskAssigned(task.Id, Nodes[random.Next(Nodes.Length)], at),
            < 60 => new TaskStatusReported(task.Id, random.Next(5) == 0 ? Nodes[random.Next(Nodes.Length)] : task.NodeId ?? "n1",
                new TaskObservation(Observed[random.Next(Observed.Length)], at, "report")),
            < 72 => new TaskDesiredStateChanged(task.Id, Desired[random.Next(Desired.Length)], at),
            < 80 => new TaskAddressesAllocated(task.Id,
                [.. NetworkIds.Where(_ => random.Next(2) == 0).Select(n => new NetworkAttachment(n, $"10.0.{step % 250}.{random.Next(2, 250)}"))], at),
            < 85 => new TaskOrphaned(task.Id, "node down", at),
            < 88 => new TaskUnschedulable(task.Id, "no suitable node", at),
            _ => new TaskRemoved(task.Id, at),
        };
    }

    /// <summary>Every query against the scan of every task it replaced.</summary>
    private static void AssertMatchesScans(ClusterState state)
    {
        var all = state.Tasks.Values.ToList();
        foreach (var service in Services)
        {
            Assert.Equal(Ids(all.Where(t => t.ServiceId == service)), Ids(state.TasksOf(service)));
            for (var slot = 1; slot < 5; slot++)
                Assert.Equal(Ids(all.Where(t => t.ServiceId == service && t.Slot == slot)), Ids(state.TasksInSlot(service, slot)));
            foreach (var node in Nodes)
                Assert.Equal(all.Count(t => t.ServiceId == service && t.NodeId == node && t.IsActive && t.Status.State >= TaskState.Assigned),
                    state.ActiveTasksOf(service, node));
        }
        foreach (var service in Services)
        {
            var runnable = all.Where(t => t.ServiceId == service && t.IsRunnable).ToList();
            Assert.Equal(new TaskIndex.ServiceTally(runnable.Count, runnable.Select(t => t.Slot).Distinct().Count(),
                runnable.Count(t => t.Status.State.IsTerminal() || t.DesiredState != TaskState.Running)), state.TallyOf(service));
            foreach (var version in runnable.Select(t => t.SpecVersion).Distinct())
                Assert.Equal(runnable.Count(t => t.SpecVersion == version), state.TaskIndex.RunnableOfVersion[(service, version)]);
            Assert.Equal(runnable.Count, state.TaskIndex.RunnableOfVersion.Where(p => p.Key.ServiceId == service).Sum(p => p.Value));
        }
        foreach (var node in Nodes)
        {
            Assert.Equal(Ids(all.Where(t => t.NodeId == node)), Ids(state.TasksOn(node)));
            var counted = all.Where(t => t.NodeId == node && t.IsActive && t.Status.State >= TaskState.Assigned).ToList();
            Assert.Equal(new NodeUsage(counted.Count, counted.Sum(t => t.Spec.EffectiveReservations.NanoCpus),
                counted.Sum(t => t.Spec.EffectiveReservations.MemoryBytes)), state.UsageOf(node));
        }
        foreach (var network in NetworkIds)
            Assert.Equal(Ids(all.Where(t => t.Networks.Any(a => a.NetworkId == network)
                    && (!t.Status.State.IsTerminal() || t.Status.State == TaskState.Orphaned))),
                Ids(state.TasksAttachedTo(network)));
        Assert.Equal(Ids(all.Where(t => !t.Networks.IsEmpty && (!t.Status.State.IsTerminal() || t.Status.State == TaskState.Orphaned))),
            Ids(state.TasksWithAddresses));
        foreach (var file in new[] { "s1", "c1" })
            Assert.Equal(Ids(all.Where(t => !t.Status.State.IsTerminal()
                    && (t.Spec.Container.Secrets.Any(r => r.SecretId == file) || t.Spec.Container.Configs.Any(r => r.ConfigId == file)))),
                Ids(state.TasksReading(file)));
        Assert.Equal(Ids(all.Where(t => t.IsRunnable && t.Status.State <= TaskState.Pending)), Ids(state.WaitingTasks));
        Assert.Equal(Ids(all.Where(t => t.IsRunnable && t.Status.State.IsTerminal())), Ids(state.EndedTasks));
        Assert.Equal(Ids(all.Where(t => !t.IsRunnable)), Ids(state.RetiredTasks));
        for (var now = -10; now < 1600; now += 37)
        {
            var after = At(now);
            var due = all.Where(t => t.IsRunnable && t.NotBefore > after).Select(t => t.NotBefore).Min();
            Assert.Equal(due, state.NextNotBeforeAfter(after));
        }
    }

    private static void AssertSameIndex(TaskIndex expected, TaskIndex actual)
    {
        AssertSameSets(expected.ByService, actual.ByService);
        AssertSameSets(expected.ByNode, actual.ByNode);
        AssertSameSets(expected.BySlot, actual.BySlot);
        AssertSameSets(expected.ByNetwork, actual.ByNetwork);
        AssertSameSets(expected.ByFile, actual.ByFile);
        Assert.Equal(expected.Waiting, actual.Waiting);
        Assert.Equal(expected.Ended, actual.Ended);
        Assert.Equal(expected.Retired, actual.Retired);
        Assert.Equal(expected.Parked, actual.Parked);
        Assert.Equal(expected.Tallies, actual.Tallies);
        Assert.Equal(expected.RunnableInSlot, actual.RunnableInSlot);
        Assert.Equal(expected.RunnableOfVersion, actual.RunnableOfVersion);
        Assert.Equal(expected.Load.Keys, actual.Load.Keys);
        foreach (var (node, load) in expected.Load)
        {
            Assert.Equal(load.Usage, actual.Load[node].Usage);
            Assert.Equal(load.Services, actual.Load[node].Services);
        }
    }

    private static void AssertSameSets<TKey>(IImmutableDictionary<TKey, ImmutableSortedSet<string>> expected,
        IImmutableDictionary<TKey, ImmutableSortedSet<string>> actual) where TKey : notnull
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, ids) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var other), $"missing key {key}");
            Assert.Equal(ids, other);
        }
    }

    private static List<string> Ids(IEnumerable<SwarmTask> tasks) => [.. tasks.Select(t => t.Id)];
}
