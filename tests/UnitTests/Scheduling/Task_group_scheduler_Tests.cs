using CsCheck;
using EventSwarm.Application.Scheduling;

namespace EventSwarm.UnitTests.Scheduling;

/// <summary>
/// The scheduler places a group of identical tasks from a heap of nodes filtered once (issue 16), and must decide
/// exactly what the per-task scheduler (<see cref="PerTaskScheduler"/>) decided: the same node for every task, the
/// same placement reason, the same unschedulable message, on random swarms — nodes with labels, resources, drained,
/// paused or down; services with constraints and reservations, updated to another spec half-way; global tasks with
/// their node (or a node that left); tasks already placed, finished, unwanted or waiting since an earlier pass.
/// A failure prints the seed that builds the swarm.
/// </summary>
public sealed class Task_group_scheduler_Tests
{
    [Fact]
    public void Places_every_task_where_the_per_task_scheduler_places_it_on_random_swarms()
    {
        var seen = new List<DomainEvent>();
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var state = RandomSwarm(new Random(seed));
            for (var pass = 1; pass <= 3; pass++)
            {
                var expected = state.Reconcile(PerTaskScheduler.Reconcile, At(pass));
                var actual = state.Reconcile(Scheduler.Reconcile, At(pass));
                Assert.Equal(expected, actual);
                lock (seen) seen.AddRange(actual);
                // The next pass sees these placements, and some of the nodes change or finish their tasks.
                state = Perturb(state.And(expected), new Random(seed + pass), pass);
            }
        }, iter: 300, print: seed => $"seed {seed}");

        // The swarms are varied enough to exercise every part of a decision.
        var assigned = seen.OfType<TaskAssigned>().Select(a => a.Placement!).ToList();
        Assert.Contains(assigned, r => r.RunnerUp is not null && r.TieBrokenByNodeId);
        Assert.Contains(assigned, r => r.RunnerUp is not null && !r.TieBrokenByNodeId);
        foreach (var filter in Enum.GetValues<Domain.Scheduling.PlacementFilter>())
            Assert.Contains(assigned, r => r.Removed.Any(f => f.Filter == filter));
        Assert.Contains(seen.OfType<TaskUnschedulable>(), u => u.Message.Contains("insufficient resources"));
    }

    [Fact]
    public void A_group_that_fills_its_nodes_up_is_explained_as_the_per_task_scheduler_explains_it()
    {
        var web = Spec("web", replicas: 9).WithMemory(3 * GiB).WithConstraints("node.labels.zone==a");
        var state = Given(SwarmInit(), Node("n1", memoryBytes: 8 * GiB), Node("n2", memoryBytes: 4 * GiB), Node("n3"), Node("n4"), Node("n5"))
            .Labelled("n1", "zone", "a").Labelled("n2", "zone", "a").Drained("n4")
            .And(Service(web)).And([.. Enumerable.Range(1, 9).Select(i => Created($"w{i}", web, i))]);

        var events = state.Reconcile(Scheduler.Reconcile, At(1));

        Assert.Equal(state.Reconcile(PerTaskScheduler.Reconcile, At(1)), events);
        Assert.Equal(3, events.OfType<TaskAssigned>().Count());
        Assert.Equal("no suitable node (insufficient resources on 2 nodes; scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks)",
            events.OfType<TaskUnschedulable>().First().Message);
    }

    private static readonly string[] NodeIds = ["n1", "n2", "n10", "N3", "node-a", "nodea", "z9", "a_1", "b"];
    private static readonly string[] ConstraintChoices =
        ["node.labels.zone==a", "node.labels.zone!=b", "node.role==worker", "node.role==manager", "node.hostname!=n1", "node.labels.ssd==true"];

    private static ClusterState RandomSwarm(Random random)
    {
        var nodeIds = NodeIds.OrderBy(_ => random.Next()).Take(random.Next(0, NodeIds.Length + 1)).ToArray();
        var state = Given(SwarmInit());
        foreach (var id in nodeIds)
        {
            state = state.And(Node(id, random.Next(4) == 0 ? NodeRole.Manager : NodeRole.Worker,
                memoryBytes: random.Next(1, 5) * GiB, nanoCpus: random.Next(1, 5) * 1_000_000_000L));
            state = Perturb(state, random, id);
        }

        var events = new List<DomainEvent>();
        var ids = 0;
        for (var s = 0; s < random.Next(1, 6); s++)
        {
            var global = random.Next(5) == 0;
            var spec = RandomSpec(random, global ? GlobalSpec($"svc{s}") : Spec($"svc{s}", replicas: random.Next(1, 12)));
            events.Add(Service(spec));
            if (global)
            {
                // A global task per node, and now and then one for a node that has left the swarm.
                foreach (var node in nodeIds.Append("gone").Where(_ => random.Next(3) > 0))
                    events.Add(CreatedOn(node, $"g{++ids}", spec, at: random.Next(3)));
                continue;
            }
            var updated = RandomSpec(random, spec);
            for (var slot = 1; slot <= random.Next(1, 15); slot++)
            {
                // Half-way through an update some slots have the new spec, with its own constraints and reservations.
                var (version, taskSpec) = random.Next(3) == 0 ? (2L, updated) : (1L, spec);
                var id = $"t{++ids}";
                var at = random.Next(3);
                switch (random.Next(8))
                {
                    case 0 when nodeIds.Length > 0:
                        events.AddRange(Running(id, taskSpec, slot, nodeIds[random.Next(nodeIds.Length)], at, version));
                        break;
                    case 1 when nodeIds.Length > 0:
                        events.AddRange(Ended(id, taskSpec, slot, nodeIds[random.Next(nodeIds.Length)], TaskState.Failed, at, at));
                        break;
                    case 2:
                        events.Add(Created(id, taskSpec, slot, at, desired: TaskState.Ready, notBefore: at + 5, specVersion: version));
                        break;
                    case 3:
                        events.Add(Created(id, taskSpec, slot, at, specVersion: version));
                        events.Add(Desired(id, TaskState.Shutdown, at));
                        break;
                    default:
                        events.Add(Created(id, taskSpec, slot, at, specVersion: version));
                        break;
                }
            }
        }
        return state.And(events);
    }

    private static ServiceSpec RandomSpec(Random random, ServiceSpec spec)
    {
        var constraints = Enumerable.Range(0, random.Next(0, 3)).Select(_ => ConstraintChoices[random.Next(ConstraintChoices.Length)]).ToArray();
        var reservations = random.Next(3) == 0
            ? new Reservations(random.Next(3) * 500_000_000L, random.Next(3) * 512L * 1024 * 1024)
            : null;
        return spec with
        {
            TaskTemplate = spec.TaskTemplate with
            {
                Placement = constraints.Length == 0 ? null : new Placement([.. constraints]),
                Reservations = reservations,
            },
        };
    }

    /// <summary>A node's labels, availability and status, at random; between passes, a task or two finishes too.</summary>
    private static ClusterState Perturb(ClusterState state, Random random, string nodeId)
    {
        if (random.Next(2) == 0) state = state.Labelled(nodeId, "zone", random.Next(2) == 0 ? "a" : "b");
        if (random.Next(4) == 0) state = state.Labelled(nodeId, "ssd", "true");
        return random.Next(8) switch
        {
            0 => state.Drained(nodeId),
            1 => state.Paused(nodeId),
            2 => state.And(NodeDown(nodeId)),
            _ => state,
        };
    }

    private static ClusterState Perturb(ClusterState state, Random random, int pass)
    {
        foreach (var node in state.Nodes.Keys.Where(_ => random.Next(4) == 0).ToList())
            state = Perturb(state, random, node);
        var placed = state.Tasks.Values.Where(t => t.NodeId is not null && t.IsActive).ToList();
        foreach (var task in placed.Where(_ => random.Next(5) == 0))
            state = state.And(Reported(task.Id, task.NodeId!, TaskState.Failed, pass));
        return state;
    }
}
