using EventSwarm.Application.Services;
using EventSwarm.Infrastructure.Log;
using static EventSwarm.UnitTests.Secrets.SecretGiven;

namespace EventSwarm.UnitTests.Services;

/// <summary>
/// The updater as the leader runs it: after the orchestrators, in the same pass (they keep the slots filled and
/// restart what ends; the updater decides the replacements). Its semantics are swarmkit's
/// (manager/orchestrator/update/updater.go): parallelism, delay, monitor, failure action, max failure ratio, order.
/// </summary>
public sealed class RollingUpdater_Tests
{
    private static readonly ServiceSpec Web = Spec("web", replicas: 2);

    /// <summary>One pass of the loops that own a service's tasks, in the leader's order.</summary>
    private static IReadOnlyList<DomainEvent> Pass(ClusterState state, double at) =>
        state.Reconcile(At(at), ReplicatedOrchestrator.Reconcile, GlobalOrchestrator.Reconcile, RollingUpdater.Reconcile);

    private static ClusterState Run(ClusterState state, double at) => state.And(Pass(state, at));

    private static DomainEvent[] Runs(string task, string node, double at) => [Assigned(task, node, at), Reported(task, node, TaskState.Running, at)];

    /// <summary>A replicated service whose <paramref name="replicas"/> tasks (a, b, c, …) run the first spec on n1, then <paramref name="next"/> as an update at second 10.</summary>
    private static ClusterState Updated(ServiceSpec first, ServiceSpec next, long replicas)
    {
        var state = Given(Cluster("n1")).And(Service(first));
        for (var slot = 1; slot <= replicas; slot++)
            state = state.And(Running(((char)('a' + slot - 1)).ToString(), first, slot, "n1"));
        return state.And(new ServiceUpdated(first.Name, next, At(10)));
    }

    private static UpdateStatus? StatusOf(ClusterState state, string service = "web") => state.Services[service].UpdateStatus;

    private static IEnumerable<TaskCreated> Replacements(IEnumerable<DomainEvent> events) => events.OfType<TaskCreated>();

    // ---- order ----

    [Fact]
    public void A_new_spec_version_replaces_one_slot_at_a_time_stop_first()
    {
        var v2 = Web.WithImage("nginx:2");
        var state = Given(Cluster("n1", "n2")).And(Service(Web))
            .And(Running("a", Web, 1, "n1")).And(Running("b", Web, 2, "n2"))
            .And(new ServiceUpdated("web", v2, At(10)));

        // The update starts, and in the same pass slot 1's old task is told to stop, its replacement parked in Ready.
        var first = Pass(state, 10);
        Assert.Equal([new ServiceUpdateStarted("web", At(10)), Desired("a", TaskState.Shutdown, 10), Created("t1", v2, 1, 10, TaskState.Ready, specVersion: 2)], first);
        state = state.And(first).And(Assigned("t1", "n1", 10), Reported("t1", "n1", TaskState.Ready, 11));

        // Nothing more while the old task still runs: no start, and slot 2 is left alone.
        Assert.Empty(Pass(state, 11));

        // The old task stopped: the new one is released.
        state = state.And(Reported("a", "n1", TaskState.Shutdown, 12));
        var release = Pass(state, 12);
        Assert.Equal([Desired("t1", TaskState.Running, 12)], release);
        state = state.And(release);

        // Slot 2 waits until slot 1's new task is running.
        Assert.Empty(Pass(state, 13));
        state = state.And(Reported("t1", "n1", TaskState.Running, 14));

        Assert.Equal([Desired("b", TaskState.Shutdown, 14), Created("t2", v2, 2, 14, TaskState.Ready, specVersion: 2)], Pass(state, 14));
    }

    [Fact]
    public void Start_first_creates_the_new_task_beside_the_old_one_and_shuts_the_old_one_once_the_new_one_runs()
    {
        var web = Spec("web", replicas: 1).WithUpdate(order: UpdateOrder.StartFirst);
        var v2 = web.WithImage("nginx:2");
        var state = Updated(web, v2, replicas: 1);

        var start = Pass(state, 10);
        Assert.Equal([new ServiceUpdateStarted("web", At(10)), Created("t1", v2, 1, 10, TaskState.Running, specVersion: 2)], start);
        state = state.And(start).And(Assigned("t1", "n1", 10), Reported("t1", "n1", TaskState.Starting, 11));

        Assert.Empty(Pass(state, 11));

        state = state.And(Reported("t1", "n1", TaskState.Running, 12));
        Assert.Equal([Desired("a", TaskState.Shutdown, 12)], Pass(state, 12));
    }

    [Fact]
    public void Start_first_over_a_replacement_that_never_ran_drops_it_and_keeps_the_serving_task()
    {
        var web = Spec("web", replicas: 1).WithUpdate(order: UpdateOrder.StartFirst);
        var state = Updated(web, web.WithImage("nginx:2"), replicas: 1);
        state = Run(state, 10).And(Assigned("t1", "n1", 10));

        var v3 = web.WithImage("nginx:3");
        state = state.And(new ServiceUpdated("web", v3, At(11)));
        var events = Pass(state, 11);

        // swarmkit would keep three tasks in the slot; the one that never ran serves nobody.
        Assert.Equal([new ServiceUpdateStarted("web", At(11)), Desired("t1", TaskState.Shutdown, 11), Created("t2", v3, 1, 11, TaskState.Running, specVersion: 3)], events);
    }

    [Fact]
    public void The_restart_of_a_failed_start_first_replacement_shuts_the_old_task_down_for_it_waits_for_it()
    {
        // Found by the property test: the restart, parked in Ready for the restart delay, waited for the old task to
        // stop, and the old task for the restart to run.
        var web = Spec("web", replicas: 1).WithUpdate(order: UpdateOrder.StartFirst, failureAction: UpdateFailureAction.Continue);
        var state = Run(Updated(web, web.WithImage("nginx:bad"), replicas: 1), 10).And(Runs("t1", "n1", 12)).And(Reported("t1", "n1", TaskState.Failed, 13));

        var events = Pass(state, 13);

        Assert.Equal([Desired("t1", TaskState.Shutdown, 13), Created("t2", web.WithImage("nginx:bad"), 1, 13, TaskState.Ready, notBefore: 18, specVersion: 2),
            Desired("a", TaskState.Shutdown, 13)], events);
    }

    [Fact]
    public void Of_two_tasks_of_a_slot_created_at_the_same_instant_the_one_of_the_current_spec_is_the_newer()
    {
        // Found by the property test: by ID, the older task was the slot's current one again after each replacement,
        // and the slot was replaced at every pass.
        var web = Spec("web", replicas: 1).WithUpdate(order: UpdateOrder.StartFirst);
        var v2 = web.WithImage("nginx:2");
        var state = Given(Cluster("n1")).And(Service(web)).And(new ServiceUpdated("web", v2, At(10)))
            .And(Running("a", web, 1, "n1", at: 10)).And(Running("b", v2, 1, "n1", at: 10, specVersion: 2));

        Assert.Equal([Desired("a", TaskState.Shutdown, 11)], Pass(state, 11));
    }

    // ---- parallelism and delay ----

    [Theory]
    [InlineData(2, new long[] { 1, 2 })]
    [InlineData(0, new long[] { 1, 2, 3 })]
    public void Parallelism_replaces_that_many_slots_at_once_and_0_all_of_them(long parallelism, long[] slots)
    {
        var web = Spec("web", replicas: 3).WithUpdate(parallelism);
        var state = Updated(web, web.WithImage("nginx:2"), replicas: 3);

        var events = Pass(state, 10);

        Assert.Equal(slots, Replacements(events).Select(t => t.Slot));
        Assert.Equal(slots.Length, events.OfType<TaskDesiredStateChanged>().Count(e => e.DesiredState == TaskState.Shutdown));
    }

    [Fact]
    public void With_parallelism_2_a_third_slot_goes_once_one_of_the_first_two_runs()
    {
        var web = Spec("web", replicas: 3).WithUpdate(parallelism: 2, order: UpdateOrder.StartFirst);
        var state = Run(Updated(web, web.WithImage("nginx:2"), replicas: 3), 10);

        Assert.Empty(Replacements(Pass(state, 11)));

        state = state.And(Runs("t1", "n1", 12));
        Assert.Equal([3L], Replacements(Pass(state, 12)).Select(t => t.Slot));
    }

    [Fact]
    public void The_delay_waits_after_a_slots_new_task_runs_before_the_next_slot()
    {
        var web = Spec("web", replicas: 2).WithUpdate(delaySeconds: 10, monitorSeconds: 30, order: UpdateOrder.StartFirst);
        var state = Run(Updated(web, web.WithImage("nginx:2"), replicas: 2), 10).And(Runs("t1", "n1", 12));

        state = Run(state, 12);                               // slot 1's old task goes
        Assert.Equal(At(22), RollingUpdater.NextDue(state, At(12)));
        Assert.Empty(Pass(state, 21.9));

        Assert.Equal([2L], Replacements(Pass(state, 22)).Select(t => t.Slot));
    }

    // ---- update status ----

    [Fact]
    public void The_update_is_updating_from_its_start_and_completed_only_a_monitor_period_after_the_last_replacement_ran()
    {
        var web = Spec("web", replicas: 1);
        var state = Run(Updated(web, web.WithImage("nginx:2"), replicas: 1), 10);
        Assert.Equal(new UpdateStatus(UpdateState.Updating, At(10), null, "update in progress"), StatusOf(state));

        state = Run(state.And(Reported("a", "n1", TaskState.Shutdown, 11)), 11).And(Runs("t1", "n1", 12));
        Assert.Empty(Pass(state, 12));
        Assert.Equal(At(17), RollingUpdater.NextDue(state, At(12)));
        Assert.Empty(Pass(state, 16.9));

        var done = Pass(state, 17);
        Assert.Equal([new ServiceUpdateCompleted("web", At(17))], done);
        state = state.And(done);
        Assert.Equal(new UpdateStatus(UpdateState.Completed, At(10), At(17), "update completed"), StatusOf(state));
        Assert.Empty(Pass(state, 100));
    }

    [Fact]
    public void A_replica_count_change_does_not_replace_running_tasks_nor_start_an_update()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(Running("a", Web, 1, "n1")).And(Running("b", Web, 2, "n1"))
            .And(new ServiceUpdated("web", Web with { Mode = ServiceMode.Replicated(3) }, At(1)));

        Assert.Equal([Created("t1", Web, 3, 2)], Pass(state, 2));
    }

    // ---- failures ----

    /// <summary>The first replacement (t1, slot 1) runs at 12 and fails at <paramref name="failsAt"/>.</summary>
    private static ClusterState FirstReplacementFails(ServiceSpec web, ServiceSpec next, long replicas, double failsAt)
    {
        var state = Run(Updated(web, next, replicas), 10);
        state = Run(state.And(Reported("a", "n1", TaskState.Shutdown, 11)), 11);
        return state.And(Runs("t1", "n1", 12)).And(Reported("t1", "n1", TaskState.Failed, failsAt));
    }

    [Fact]
    public void A_replacement_failing_within_the_monitor_period_pauses_the_update_in_swarmkits_words()
    {
        var state = FirstReplacementFails(Web, Web.WithImage("nginx:bad"), replicas: 2, failsAt: 14);

        var events = Pass(state, 14);

        // The orchestrator restarts the slot as it would any failed task; the update stops there.
        Assert.Contains(new ServiceUpdatePaused("web", "update paused due to failure or early termination of task t1", At(14)), events);
        state = state.And(events);
        Assert.Equal(UpdateState.Paused, StatusOf(state)!.State);
        Assert.DoesNotContain(Pass(state, 100).Concat(Pass(state, 1000)), e => e is TaskDesiredStateChanged { TaskId: "b" } || e is TaskCreated { Slot: 2 });
    }

    [Fact]
    public void A_failure_after_the_monitor_period_does_not_count()
    {
        var state = FirstReplacementFails(Web, Web.WithImage("nginx:2"), replicas: 2, failsAt: 17.5);

        var events = Pass(state, 17.5);

        Assert.DoesNotContain(events, e => e is ServiceUpdatePaused);
        Assert.Equal([2L], Replacements(events).Where(t => t.SpecVersion == 2 && t.DesiredState == TaskState.Ready && t.NotBefore is null).Select(t => t.Slot));
    }

    [Fact]
    public void A_paused_update_leaves_the_service_alone_until_a_new_spec_resets_it()
    {
        var state = FirstReplacementFails(Web, Web.WithImage("nginx:bad"), replicas: 2, failsAt: 14);
        state = Run(state, 14);
        Assert.DoesNotContain(Pass(state, 500), e => e is ServiceEvent);

        var v3 = Web.WithImage("nginx:3");
        state = state.And(new ServiceUpdated("web", v3, At(600)));
        Assert.Null(StatusOf(state));
        var events = Pass(state, 600);

        Assert.Equal(new ServiceUpdateStarted("web", At(600)), events.OfType<ServiceEvent>().Single());
        Assert.Equal(3, Assert.Single(Replacements(events)).SpecVersion);
    }

    [Fact]
    public void Failure_action_continue_ignores_failures_and_goes_on_to_the_next_slot()
    {
        var web = Web.WithUpdate(failureAction: UpdateFailureAction.Continue);
        var state = FirstReplacementFails(web, web.WithImage("nginx:bad"), replicas: 2, failsAt: 13);

        var events = Pass(state, 13);

        Assert.DoesNotContain(events, e => e is ServiceUpdatePaused or ServiceRolledBack);
        Assert.Contains(Desired("b", TaskState.Shutdown, 13), events);
    }

    [Fact]
    public void Max_failure_ratio_one_half_tolerates_one_failed_slot_of_four_and_pauses_at_the_third()
    {
        var web = Spec("web", replicas: 4).WithUpdate(parallelism: 0, maxFailureRatio: 0.5f, order: UpdateOrder.StartFirst).WithRestart(RestartCondition.None);
        var state = Run(Updated(web, web.WithImage("nginx:2"), replicas: 4), 10);
        foreach (var t in new[] { "t1", "t2", "t3", "t4" }) state = state.And(Runs(t, "n1", 11));

        state = state.And(Reported("t1", "n1", TaskState.Failed, 12));
        Assert.DoesNotContain(Pass(state, 12), e => e is ServiceUpdatePaused);
        state = state.And(Reported("t2", "n1", TaskState.Failed, 12));
        Assert.DoesNotContain(Pass(state, 12), e => e is ServiceUpdatePaused);   // 2 of 4 is not more than half

        state = state.And(Reported("t3", "n1", TaskState.Failed, 13));
        Assert.Contains(new ServiceUpdatePaused("web", "update paused due to failure or early termination of task t3", At(13)), Pass(state, 13));
    }

    [Fact]
    public void Failure_action_rollback_restores_the_previous_spec_and_its_task_generation_then_completes_the_rollback()
    {
        var web = Spec("web", replicas: 3).WithUpdate(failureAction: UpdateFailureAction.Rollback);
        var state = FirstReplacementFails(web, web.WithImage("nginx:bad"), replicas: 3, failsAt: 13);

        var failed = Pass(state, 13);
        Assert.Contains(new ServiceRolledBack("web", "update rolled back due to failure or early termination of task t1", Automatic: true, At(13)), failed);
        state = state.And(failed);
        var service = state.Services["web"];
        Assert.Equal((web, 1L, UpdateState.RollbackStarted), (service.Spec, service.SpecVersion, service.UpdateStatus!.State));
        Assert.Null(service.PreviousSpec);

        // Only the slot the update reached is replaced: b and c still run the restored generation.
        var rollback = Pass(state, 14);
        Assert.Equal([1L], Replacements(rollback).Select(t => t.Slot));
        Assert.Equal(1, Assert.Single(Replacements(rollback)).SpecVersion);
        Assert.DoesNotContain(rollback, e => e is TaskDesiredStateChanged { TaskId: "b" or "c" });
        state = state.And(rollback);
        var back = Assert.Single(Replacements(rollback)).TaskId;

        state = Run(state, 15).And(Runs(back, "n1", 16));
        Assert.Empty(Pass(state, 20));
        var done = Pass(state, 21);
        Assert.Equal([new ServiceUpdateCompleted("web", At(21))], done);
        Assert.Equal((UpdateState.RollbackCompleted, "rollback completed"), (state.And(done).Services["web"].UpdateStatus!.State, state.And(done).Services["web"].UpdateStatus!.Message));
    }

    [Fact]
    public void A_failure_during_a_rollback_pauses_it()
    {
        var web = Spec("web", replicas: 2).WithUpdate(failureAction: UpdateFailureAction.Rollback);
        var state = FirstReplacementFails(web, web.WithImage("nginx:bad"), replicas: 2, failsAt: 13);
        state = Run(Run(state, 13), 14);
        var back = state.Tasks.Values.Single(t => t.SpecVersion == 1 && t.CreatedAt == At(14)).Id;
        state = Run(state, 15).And(Runs(back, "n1", 16)).And(Reported(back, "n1", TaskState.Failed, 17));

        var events = Pass(state, 17);

        Assert.Contains(new ServiceUpdatePaused("web", $"rollback paused due to failure or early termination of task {back}", At(17)), events);
        Assert.Equal(UpdateState.RollbackPaused, StatusOf(state.And(events))!.State);
    }

    [Fact]
    public void Failure_action_rollback_without_a_previous_spec_pauses_the_update()
    {
        // A rotated secret rolls the tasks (start-first) with no new spec: there is nothing to go back to.
        var web = Spec("web", replicas: 1).WithUpdate(failureAction: UpdateFailureAction.Rollback).WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Service(web))
            .And(Created("a", web, 1).PinnedTo(1), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(Rotated("pw", 2, at: 10));
        state = Run(state, 10).And(Runs("t1", "n1", 12)).And(Reported("t1", "n1", TaskState.Failed, 13));

        Assert.Contains(new ServiceUpdatePaused("web", "cannot roll back service because no previous spec is available", At(13)), Pass(state, 13));
    }

    // ---- global services ----

    private static readonly ServiceSpec Agent = GlobalSpec("agent");

    [Fact]
    public void A_global_service_is_updated_node_by_node_stop_first()
    {
        var v2 = Agent.WithImage("agent:2");
        var state = Given(Cluster("n1", "n2")).And(Service(Agent)).And(RunningOn("n1", "a", Agent)).And(RunningOn("n2", "b", Agent))
            .And(new ServiceUpdated("agent", v2, At(10)));

        var update = Pass(state, 10);
        Assert.Equal([new ServiceUpdateStarted("agent", At(10)), Desired("a", TaskState.Shutdown, 10), CreatedOn("n1", "t1", v2, 10, TaskState.Ready, specVersion: 2)], update);
        state = state.And(update);

        Assert.Empty(Pass(state, 11));
        state = state.And(Reported("a", "n1", TaskState.Shutdown, 12));
        Assert.Equal([Desired("t1", TaskState.Running, 12)], Pass(state, 12));
        state = Run(state, 12).And(Reported("t1", "n1", TaskState.Running, 13));

        Assert.Equal([Desired("b", TaskState.Shutdown, 13), CreatedOn("n2", "t2", v2, 13, TaskState.Ready, specVersion: 2)], Pass(state, 13));
    }

    [Fact]
    public void A_global_update_replaces_a_task_that_never_started()
    {
        // The first spec reserves more memory than the node has; the update fixes that.
        var tooBig = Agent.WithMemory(64 * GiB);
        var fixedSpec = Agent.WithMemory(GiB);
        var state = Given(Cluster("n1")).And(Service(tooBig)).And(CreatedOn("n1", "a", tooBig, 0))
            .And(new TaskUnschedulable("a", "no suitable node (insufficient resources on 1 node)", At(1)))
            .And(new ServiceUpdated("agent", fixedSpec, At(10)));

        Assert.Equal([new ServiceUpdateStarted("agent", At(11)), Desired("a", TaskState.Shutdown, 11), CreatedOn("n1", "t1", fixedSpec, 11, TaskState.Ready, specVersion: 2)],
            Pass(state, 11));
    }

    [Fact]
    public void A_global_update_leaves_the_task_on_a_paused_node_running()
    {
        var v2 = Agent.WithImage("agent:2");
        var state = Given(Cluster("n1")).And(Service(Agent)).And(RunningOn("n1", "a", Agent)).Paused("n1")
            .And(new ServiceUpdated("agent", v2, At(10)));

        Assert.Empty(Pass(state, 10));
    }

    // ---- manual rollback and the spec history ----

    [Fact]
    public void A_manual_rollback_without_a_previous_spec_is_refused_in_dockers_words()
    {
        var state = Given(Cluster("n1")).And(Service(Web));

        var decision = ServiceDecider.Decide(new RollbackService("web", state.Services["web"].Version, At(1)), state);

        Assert.Equal(new DomainError(ErrorKind.Invalid, "service web does not have a previous spec"), decision.Error);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_manual_rollback_for_an_older_version_is_out_of_sequence()
    {
        var state = Given(Cluster("n1")).And(Service(Web)).And(new ServiceUpdated("web", Web.WithImage("nginx:2"), At(1)));

        var decision = ServiceDecider.Decide(new RollbackService("web", state.Services["web"].Version - 1, At(2)), state);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.StartsWith("update out of sequence", decision.Error!.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_manual_rollback_brings_the_previous_spec_back_and_a_second_one_undoes_it()
    {
        var v2 = Web.WithImage("nginx:2");
        var state = Given(Cluster("n1")).And(Service(Web)).And(new ServiceUpdated("web", v2, At(1)));

        var decision = ServiceDecider.Decide(new RollbackService("web", state.Services["web"].Version, At(2)), state);

        Assert.Equal([new ServiceRolledBack("web", "manually requested rollback", Automatic: false, At(2))], decision.Events);
        state = state.And(decision.Events);
        var service = state.Services["web"];
        Assert.Equal((Web, 1L, v2, UpdateState.RollbackStarted), (service.Spec, service.SpecVersion, service.PreviousSpec, service.UpdateStatus!.State));

        state = state.And(ServiceDecider.Decide(new RollbackService("web", service.Version, At(3)), state).Events);
        Assert.Equal((v2, 2L), (state.Services["web"].Spec, state.Services["web"].SpecVersion));
    }

    [Fact]
    public void Rolling_back_to_a_recorded_version_applies_it_as_an_update_with_a_new_task_generation()
    {
        var state = Given(Cluster("n1")).And(Service(Web))
            .And(new ServiceUpdated("web", Web.WithImage("nginx:2"), At(1))).And(new ServiceUpdated("web", Web.WithImage("nginx:3"), At(2)));

        var decision = ServiceDecider.Decide(new RollbackServiceToVersion("web", null, 1, At(3)), state);

        Assert.Equal([new ServiceUpdated("web", Web, At(3))], decision.Events);
        state = state.And(decision.Events);
        Assert.Equal((Web, 4L, 4), (state.Services["web"].Spec, state.Services["web"].SpecVersion, state.Services["web"].Versions.Count));
        Assert.Equal(ErrorKind.NotFound, ServiceDecider.Decide(new RollbackServiceToVersion("web", null, 9, At(4)), state).Error?.Kind);
    }

    [Fact]
    public void Every_version_of_the_spec_records_its_number_who_and_the_command()
    {
        var v2 = Web.WithImage("nginx:2");
        var state = ClusterState.Initial;
        foreach (var (@event, actor, command) in new (DomainEvent, string, string)[]
                 {
                     (SwarmInit(), "user", "InitSwarm"), (Service(Web), "alice", "CreateService"),
                     (new ServiceUpdated("web", v2, At(1)), "bob", "UpdateService"), (new ServiceScaled("web", 5, At(2)), "carol", "ScaleService"),
                 })
            state = state.Apply(new RecordedEvent(state.LastSequence + 1, new EventMetadata(T0, actor, command, "c"), @event));

        var versions = state.Services["web"].Versions;

        Assert.Equal([(1, 1L, "alice", "CreateService"), (2, 2L, "bob", "UpdateService"), (3, 2L, "carol", "ScaleService")],
            versions.Select(v => (v.Number, v.SpecVersion, v.Who, v.Command)));
        Assert.Equal(v2 with { Mode = ServiceMode.Replicated(5) }, versions[^1].Spec);
    }

    // ---- a new leader ----

    /// <summary>
    /// A whole update (parallelism 2, start-first, a delay) driven pass by pass with a worker that runs whatever is
    /// asked. Before every pass, the log so far is read back from its bytes, as a new leader would read it, and its
    /// first pass must be the one the old leader makes: the updater keeps nothing in memory. In the end every slot
    /// was replaced exactly once.
    /// </summary>
    [Fact]
    public void A_new_leader_continues_an_update_where_the_old_one_stopped_without_replacing_a_slot_twice_or_skipping_one()
    {
        var web = Spec("web", replicas: 5).WithUpdate(parallelism: 2, delaySeconds: 1, monitorSeconds: 2, order: UpdateOrder.StartFirst);
        // The log as a new leader reads it: each batch read back from the bytes written.
        var log = new List<EventBatch>();
        var state = ClusterState.Initial;
        void Append(string actor, params DomainEvent[] events)
        {
            if (events.Length == 0) return;
            var batch = new EventBatch($"b{log.Count}", new EventMetadata(T0, actor, "Test", $"c{log.Count}"), events);
            log.Add(EventJson.DeserializeBatch(EventJson.Serialize(batch)));
            foreach (var @event in events) state = state.Apply(new RecordedEvent(state.LastSequence + 1, batch.Metadata, @event));
        }
        ClusterState Replayed() => log.Aggregate(ClusterState.Initial,
            (s, b) => b.Events.Aggregate(s, (s2, e) => s2.Apply(new RecordedEvent(s2.LastSequence + 1, b.Metadata, e))));

        Append("user", Cluster("n1"));
        Append("user", Service(web));
        var created = new List<TaskCreated>();
        var updated = false;
        for (var tick = 0; tick < 200; tick++)
        {
            var at = tick * 0.5;
            if (tick == 4) { Append("user", new ServiceUpdated("web", web.WithImage("nginx:2"), At(at))); updated = true; }
            var pass = Pass(state, at);
            Assert.Equal(pass, Pass(Replayed(), at));
            Append("system:reconcile", [.. pass]);
            if (updated) created.AddRange(pass.OfType<TaskCreated>());
            // The worker: every task wanted is started, every task told to stop stops.
            var reports = state.Tasks.Values.SelectMany(t => t.DesiredState switch
            {
                <= TaskState.Running when t.Status.State < TaskState.Running =>
                    t.DesiredState == TaskState.Running ? Runs(t.Id, "n1", at) : [Assigned(t.Id, "n1", at), Reported(t.Id, "n1", TaskState.Ready, at)],
                > TaskState.Running when t.Status.State is >= TaskState.Assigned and <= TaskState.Running => [Reported(t.Id, "n1", TaskState.Shutdown, at)],
                _ => [],
            }).Where(e => e is not TaskAssigned a || state.Tasks[a.TaskId].NodeId is null).ToArray();
            Append("node:n1", reports);
            if (updated && StatusOf(state)?.State == UpdateState.Completed) break;
        }

        Assert.Equal(UpdateState.Completed, StatusOf(state)?.State);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], created.Select(t => t.Slot).Order());
        Assert.All(created, t => Assert.Equal(2, t.SpecVersion));
    }
}
