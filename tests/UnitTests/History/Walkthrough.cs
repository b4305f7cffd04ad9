using EventSwarm.Application.Scheduling;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.History;

/// <summary>
/// The seed walkthrough as the log records it: root creates web, scales it to 5 (one replica fails), alice updates
/// its image, node n2 dies and its tasks move to n1, root removes web. Placements come from the real scheduler, so
/// the recorded reasons are the ones it gives.
/// </summary>
public static class Walkthrough
{
    public const string Root = "unix:root(uid=0,pid=100)";
    public const string Alice = "unix:alice(uid=1000,pid=200)";

    public static readonly ServiceSpec Web = Spec("web", image: "nginx:alpine");

    public static InMemoryHistory Build(bool removeAtEnd = false)
    {
        var h = new InMemoryHistory()
            .Batch(Root, "InitSwarm", 1, new SwarmInitialized("cluster", "n1", "10.0.0.1:2377", At(1)), Node("n1", NodeRole.Manager))
            .Batch("node:n2", "JoinSwarm", 2, Node("n2"))
            .Batch(Root, "CreateService", 10, Service(Web, 10));
        h.Loops("replicated-orchestrator+scheduler", 10.1, [Created("t1", Web, 1, 10.1), .. Schedule(h, Created("t1", Web, 1, 10.1), 10.1)]);
        h.Reports("n1", 11, Reported("t1", "n1", TaskState.Running, 11))
            .Batch(Root, "ScaleService", 20, new ServiceScaled("web", 5, At(20)));
        DomainEvent[] created = [Created("t2", Web, 2, 20.1), Created("t3", Web, 3, 20.1), Created("t4", Web, 4, 20.1), Created("t5", Web, 5, 20.1)];
        h.Loops("replicated-orchestrator+scheduler", 20.1, [.. created, .. Schedule(h, created, 20.1)]);
        // t2 and t4 land on n2, t3 and t5 on n1 (spread by tasks of the service, ties to the lower ID).
        h.Reports("n2", 21, Reported("t2", "n2", TaskState.Running, 21), Reported("t4", "n2", TaskState.Running, 21))
            .Reports("n1", 21.5, Reported("t3", "n1", TaskState.Running, 21.5),
                new TaskStatusReported("t5", "n1", new TaskObservation(TaskState.Failed, At(21.5), "started", "task: non-zero exit (1)", "c5", 1)))
            .Batch(Alice, "UpdateService", 30, new ServiceUpdated("web", Web.WithImage("nginx:1.27") with { Mode = ServiceMode.Replicated(5) }, At(30)));
        // n2 stops answering: the node monitor marks it down, its tasks are orphaned and replaced on n1, in one pass.
        DomainEvent[] moved = [NodeDown("n2", 40), new TaskOrphaned("t2", "node n2 is down", At(40)), new TaskOrphaned("t4", "node n2 is down", At(40)),
            Created("t6", Web, 2, 40), Created("t7", Web, 4, 40)];
        h.Loops("node-monitor+replicated-orchestrator+scheduler", 40, [.. moved, .. Schedule(h, moved, 40)]);
        h.Reports("n1", 41, Reported("t6", "n1", TaskState.Running, 41), Reported("t7", "n1", TaskState.Running, 41));
        if (removeAtEnd)
            h.Batch(Root, "RemoveService", 50, new ServiceRemoved("web", At(50)), Desired("t1", TaskState.Remove, 50), Desired("t3", TaskState.Remove, 50),
                Desired("t6", TaskState.Remove, 50), Desired("t7", TaskState.Remove, 50));
        return h;
    }

    /// <summary>The scheduler's assignments for the state the history has reached plus <paramref name="pending"/>.</summary>
    private static IReadOnlyList<DomainEvent> Schedule(InMemoryHistory h, IEnumerable<DomainEvent> pending, double at) =>
        h.State.And(pending).Reconcile(Scheduler.Reconcile, At(at));

    private static IReadOnlyList<DomainEvent> Schedule(InMemoryHistory h, DomainEvent pending, double at) => Schedule(h, [pending], at);
}
