using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Scheduling;
using EventSwarm.Application.Services;
using EventSwarm.Application.Tasks;

namespace EventSwarm.UnitTests.ControlLoops;

/// <summary>A pass of the control loops is one decision: one log entry per pass, not one per loop.</summary>
public sealed class ControlLoopPass_Tests
{
    private static readonly (string, ControlLoop)[] Loops =
    [
        ("replicated-orchestrator", ReplicatedOrchestrator.Reconcile),
        ("scheduler", Scheduler.Reconcile),
        ("task-reaper", TaskReaper.Reconcile),
    ];

    [Fact]
    public void A_restart_its_assignment_and_the_reaping_of_old_tasks_are_decided_in_one_pass()
    {
        var storm = Spec("storm", replicas: 1).WithRestart(delaySeconds: 0, maxAttempts: 0);
        var state = Given(Cluster("n1")).And(Service(storm)).And(Ended("t0", storm, 1, "n1", TaskState.Failed, at: 0, endedAt: 20));

        var (decision, names) = ControlLoopRunner.Pass(Loops, state, At(20));

        var created = Assert.Single(decision.Events.OfType<TaskCreated>());
        Assert.Contains(decision.Events, e => e is TaskDesiredStateChanged { TaskId: "t0", DesiredState: TaskState.Shutdown });
        Assert.Contains(decision.Events, e => e is TaskAssigned a && a.TaskId == created.TaskId && a.NodeId == "n1");
        Assert.Equal("replicated-orchestrator+scheduler", names);
    }

    [Fact]
    public void A_pass_over_a_converged_state_decides_nothing_and_names_no_loop()
    {
        var web = Spec("web", replicas: 1);
        var state = Given(Cluster("n1")).And(Service(web)).And(Running("t0", web, 1, "n1"));

        var (decision, names) = ControlLoopRunner.Pass(Loops, state, At(1));

        Assert.Empty(decision.Events);
        Assert.Equal("", names);
    }
}
