using EventSwarm.Application.History;
using EventSwarm.Domain.Scheduling;

namespace EventSwarm.UnitTests.History;

public sealed class Explain_Tests
{
    private static TaskExplanation Task(InMemoryHistory h, string id) => ExplainTask.Of(h.Entries, h.State, id)!;

    [Fact]
    public void A_task_rescheduled_after_its_node_died_names_the_failure_its_predecessor_and_why_its_new_node()
    {
        var h = Walkthrough.Build();

        var t6 = Task(h, "t6");

        Assert.Equal(("web.2", "n1"), (t6.Name, t6.Node));
        // Created by the loops' pass that found n2 down: the failure is the cause behind it.
        Assert.Equal("node-monitor+replicated-orchestrator+scheduler", t6.Created.Loop);
        Assert.Equal(["node n2 down (heartbeat failure)"], t6.CreatedFor!.Changes);
        var predecessor = t6.Predecessor!;
        Assert.Equal(("t2", "n2"), (predecessor.TaskId, predecessor.Node));
        Assert.StartsWith("its node failed: node-monitor+replicated-orchestrator+scheduler by system:", predecessor.Ended);
        Assert.Equal(["node n2 down (heartbeat failure)"], predecessor.NodeFailure!.Changes);
        var placement = t6.Placement!;
        Assert.Equal(new FilteredNodes(PlacementFilter.Availability, 1, ["n2"]), Assert.Single(placement.Reason!.Removed));
        Assert.Equal("2 candidate nodes; 1 removed: not available (n2); won with 2 task(s) of the service and 2 in all, the only node left", placement.Why);
        Assert.Equal(1, t6.EarlierTasksInSlot);
    }

    [Fact]
    public void A_task_the_loops_created_names_the_command_behind_it_and_its_states_with_their_times()
    {
        var h = Walkthrough.Build();

        var t2 = Task(h, "t2");

        Assert.Equal("ScaleService", t2.CreatedFor!.Command);
        Assert.Equal(Walkthrough.Root, t2.CreatedFor.Who);
        Assert.Equal(["scaled service web 1 → 5"], t2.CreatedFor.Changes);
        Assert.Equal(["created (desired running, spec version 1)", "assigned to n2", "running", "orphaned: node n2 is down"], t2.Timeline.Select(s => s.What));
        Assert.Equal([At(20.1), At(20.1), At(21), At(40)], t2.Timeline.Select(s => s.At));
        Assert.Equal("t6", t2.Successor!.TaskId);
        Assert.Contains("won with 0 task(s) of the service and 0 in all against n1 (1 of the service, 1 in all)", t2.Placement!.Why);
    }

    [Fact]
    public void A_failed_task_shows_its_error_and_exit_code_and_why_it_ended()
    {
        var t5 = Task(Walkthrough.Build(), "t5");

        Assert.Equal("failed: task: non-zero exit (1) (exit code 1)", t5.Timeline[^1].What);
        Assert.Equal("failed: task: non-zero exit (1) (exit code 1) (reported by n1)", t5.Ended);
    }

    [Fact]
    public void A_task_stopped_by_a_command_names_the_command()
    {
        var t1 = Task(Walkthrough.Build(removeAtEnd: true), "t1");

        Assert.StartsWith($"told to stop by RemoveService by {Walkthrough.Root}", t1.Ended);
        Assert.EndsWith("removed service web", t1.Ended);
    }

    [Fact]
    public void A_task_is_found_by_a_unique_prefix_and_an_unknown_one_is_not()
    {
        var h = Walkthrough.Build();

        Assert.Equal("t6", ExplainTask.Of(h.Entries, h.State, "t6")!.TaskId);
        Assert.Null(ExplainTask.Of(h.Entries, h.State, "nope"));
    }

    [Fact]
    public void A_service_explains_its_versions_with_who_and_what_its_tasks_and_its_recent_failures()
    {
        var h = Walkthrough.Build();

        var web = ExplainService.Of(h.Entries, h.State, "web")!;

        Assert.Equal(["created service web (nginx:alpine, 1 replica)", "scaled service web 1 → 5", "updated service web: image nginx:alpine → nginx:1.27"],
            web.Versions.Select(v => v.Change));
        Assert.Equal([Walkthrough.Root, Walkthrough.Root, Walkthrough.Alice], web.Versions.Select(v => v.Who));
        Assert.Equal(new Dictionary<string, int> { ["failed"] = 1, ["orphaned"] = 2, ["running"] = 4 }, web.Tasks);
        var failure = Assert.Single(web.RecentFailures);
        Assert.Equal(("t5", "web.5", "n1", "task: non-zero exit (1)"), (failure.TaskId, failure.Task, failure.Node, failure.Error));
        Assert.False(web.Removed);
    }

    [Fact]
    public void A_removed_service_is_explained_from_its_past_events_and_a_rollback_is_listed()
    {
        var h = Walkthrough.Build();
        h.Batch(Walkthrough.Root, "RollbackService", 45, new ServiceRolledBack("web", "manually requested rollback", false, At(45)))
            .Batch(Walkthrough.Root, "RemoveService", 50, new ServiceRemoved("web", At(50)));

        var web = ExplainService.Of(h.Entries, h.State, "web")!;

        Assert.True(web.Removed);
        Assert.Equal("rolled back service web: image nginx:1.27 → nginx:alpine", Assert.Single(web.Rollbacks).Change);
        Assert.Equal("removed service web", web.Versions[^1].Change);
        Assert.Null(ExplainService.Of(h.Entries, h.State, "db"));
    }
}
