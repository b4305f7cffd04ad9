using EventSwarm.Application.History;

namespace EventSwarm.UnitTests.History;

public sealed class Audit_Tests
{
    private static IReadOnlyList<AuditEntry> AuditOf(InMemoryHistory h, AuditQuery? query = null) =>
        Audit.Of(h.Entries, h.State, query ?? new AuditQuery());

    [Fact]
    public void Each_command_is_one_entry_with_its_caller_command_correlation_id_and_indexes()
    {
        var h = Walkthrough.Build();

        var entries = AuditOf(h).Where(e => e.Caused).ToList();

        Assert.Equal(["InitSwarm", "JoinSwarm", "CreateService", "ScaleService", "UpdateService"], entries.Select(e => e.Command));
        Assert.Equal([Walkthrough.Root, "node:n2", Walkthrough.Root, Walkthrough.Root, Walkthrough.Alice], entries.Select(e => e.Who));
        var create = entries[2];
        Assert.Equal((4L, 4L), (create.FirstIndex, create.LastIndex));
        Assert.Equal(h.Entries[3].Recorded.Metadata.CorrelationId, create.CorrelationId);
        Assert.Equal(At(10), create.At);
        Assert.Equal((1L, 2L), (entries[0].FirstIndex, entries[0].LastIndex));
    }

    [Fact]
    public void Create_scale_and_update_read_as_what_they_changed()
    {
        var entries = AuditOf(Walkthrough.Build()).Where(e => e.Caused).ToList();

        Assert.Equal(["initialized the swarm", "node n1 joined as manager"], entries[0].Changes);
        Assert.Equal(["node n2 joined as worker"], entries[1].Changes);
        Assert.Equal(["created service web (nginx:alpine, 1 replica)"], entries[2].Changes);
        Assert.Equal(["scaled service web 1 → 5"], entries[3].Changes);
        Assert.Equal(["updated service web: image nginx:alpine → nginx:1.27"], entries[4].Changes);
    }

    [Fact]
    public void The_loops_reactions_are_grouped_under_the_command_that_caused_them()
    {
        var entries = AuditOf(Walkthrough.Build()).Where(e => e.Caused).ToList();

        var create = Assert.Single(entries[2].Reactions);
        Assert.Equal("web: 1 task created, 1 assigned (n1×1), 1 running", create.Summary);
        Assert.Equal("replicated-orchestrator+scheduler+node:n1", create.By);
        var scale = Assert.Single(entries[3].Reactions);
        Assert.Equal("web: 4 tasks created, 4 assigned (n1×2, n2×2), 3 running, 1 failed", scale.Summary);
        Assert.Equal((9L, 20L), (scale.FirstIndex, scale.LastIndex));
        Assert.Empty(entries[4].Reactions);
    }

    [Fact]
    public void A_node_failure_is_an_entry_of_its_own_with_the_loop_as_its_actor_and_the_rescheduling_under_it()
    {
        var failure = Assert.Single(AuditOf(Walkthrough.Build()), e => !e.Caused);

        Assert.Equal("system:node-monitor+replicated-orchestrator+scheduler", failure.Who);
        Assert.Equal(["node n2 down (heartbeat failure)"], failure.Changes);
        var moved = Assert.Single(failure.Reactions);
        Assert.Equal("web: 2 tasks created, 2 assigned (n1×2), 2 running, 2 orphaned", moved.Summary);
    }

    [Fact]
    public void Filters_select_by_caller_node_service_command_and_index_range()
    {
        var h = Walkthrough.Build(removeAtEnd: true);

        Assert.Equal(["UpdateService"], AuditOf(h, new AuditQuery(Who: "alice")).Select(e => e.Command));
        Assert.Equal(["JoinSwarm"], AuditOf(h, new AuditQuery(Who: "n2")).Select(e => e.Command));
        Assert.Equal(["ScaleService"], AuditOf(h, new AuditQuery(Command: "service scale")).Select(e => e.Command));
        Assert.Equal(["CreateService", "ScaleService", "UpdateService", "Reconcile", "RemoveService"],
            AuditOf(h, new AuditQuery(Service: "web")).Select(e => e.Command));
        Assert.Equal(["CreateService", "ScaleService"], AuditOf(h, new AuditQuery(FromIndex: 4, ToIndex: 10)).Select(e => e.Command));
    }

    [Fact]
    public void A_removed_service_is_found_by_the_name_it_had()
    {
        var h = Walkthrough.Build(removeAtEnd: true);
        Assert.Empty(h.State.Services);

        var removal = AuditOf(h, new AuditQuery(Service: "web")).Last();

        Assert.Equal(["removed service web"], removal.Changes);
        Assert.Equal(Walkthrough.Root, removal.Who);
    }

    [Fact]
    public void An_environment_change_names_the_variable_never_its_value()
    {
        var h = Walkthrough.Build();
        var spec = h.State.Services["web"].Spec;
        h.Batch(Walkthrough.Root, "UpdateService", 60, new ServiceUpdated("web",
            spec with { TaskTemplate = spec.TaskTemplate with { Container = spec.TaskTemplate.Container with { Env = ["DB_PASSWORD=hunter2"] } } }, At(60)));

        var update = AuditOf(h).Last();

        Assert.Equal(["updated service web: env +DB_PASSWORD"], update.Changes);
        Assert.DoesNotContain("hunter2", string.Join(" ", update.Changes));
    }

    [Fact]
    public void A_reaction_whose_cause_precedes_the_events_read_stands_alone()
    {
        var h = Walkthrough.Build();

        var entries = Audit.Of(h.Entries.Where(e => e.Sequence >= 19), h.State, new AuditQuery());

        var report = Assert.Single(entries, e => e.Command == "ReportTaskStatus");
        Assert.False(report.Caused);
        Assert.Equal("web: 1 running, 1 failed", Assert.Single(report.Reactions).Summary);
    }
}
