using EventSwarm.Application.Secrets;
using EventSwarm.Application.Services;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using static EventSwarm.UnitTests.Secrets.SecretGiven;

namespace EventSwarm.UnitTests.Secrets;

public sealed class FileReferences_Tests
{
    private static ServiceSpec ByName(string service, params string[] secrets) =>
        Spec(service) with
        {
            TaskTemplate = Spec(service).TaskTemplate with
            {
                Container = Spec(service).TaskTemplate.Container with
                {
                    Secrets = [.. secrets.Select(s => new SecretReference("", s, new FileTarget(s, "0", "0", FileTarget.DefaultMode)))],
                },
            },
        };

    /// <summary>A pass of the loops that own a service's tasks: a rotation is rolled out by the updater, as any update.</summary>
    private static IReadOnlyList<DomainEvent> Pass(ClusterState state, double at) =>
        state.Reconcile(At(at), ReplicatedOrchestrator.Reconcile, GlobalOrchestrator.Reconcile, RollingUpdater.Reconcile);

    [Fact]
    public void A_service_names_its_secret_and_the_log_records_its_ID()
    {
        var state = Given(Cluster("n1")).And(new SecretCreated("id-1", new SecretSpec { Name = "my-pw2" }, "sealed", At(0)));

        var decision = ServiceDecider.Decide(new CreateService("web", ByName("web", "my-pw2"), At(1)), state);

        var created = Assert.IsType<ServiceCreated>(Assert.Single(decision.Events));
        var reference = Assert.Single(created.Spec.TaskTemplate.Container.Secrets);
        Assert.Equal(("id-1", "my-pw2"), (reference.SecretId, reference.SecretName));
    }

    [Fact]
    public void An_unknown_secret_is_refused_and_nothing_is_created()
    {
        var decision = ServiceDecider.Decide(new CreateService("web", ByName("web", "x"), At(1)), Given(Cluster("n1")));

        Assert.Equal(new DomainError(ErrorKind.Invalid, "secret not found: x"), decision.Error);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Several_unknown_secrets_are_named_together()
    {
        var decision = ServiceDecider.Decide(new CreateService("web", ByName("web", "x", "y"), At(1)), Given(Cluster("n1")));

        Assert.Equal("secrets not found: x, y", decision.Error?.Message);
    }

    [Fact]
    public void Two_secrets_on_one_target_are_refused_in_swarmkits_words()
    {
        var spec = ByName("web", "a", "b");
        spec = spec with
        {
            TaskTemplate = spec.TaskTemplate with
            {
                Container = spec.TaskTemplate.Container with
                {
                    Secrets = [.. spec.TaskTemplate.Container.Secrets.Select(r => r with { File = r.File! with { Name = "same" } })],
                },
            },
        };

        var decision = ServiceDecider.Decide(new CreateService("web", spec, At(1)), Given(Cluster("n1")).And(Secret("a"), Secret("b")));

        Assert.Equal("secret references 'a' and 'b' have a conflicting target: 'same'", decision.Error?.Message);
    }

    [Fact]
    public void A_config_without_a_target_goes_to_the_root_under_its_name()
    {
        var spec = Spec("web") with
        {
            TaskTemplate = Spec("web").TaskTemplate with
            {
                Container = Spec("web").TaskTemplate.Container with { Configs = [new ConfigReference("", "app.conf", null)] },
            },
        };

        var decision = ServiceDecider.Decide(new CreateService("web", spec, At(1)), Given(Cluster("n1")).And(Config("app.conf")));

        var created = Assert.IsType<ServiceCreated>(Assert.Single(decision.Events));
        Assert.Equal(new FileTarget("/app.conf", "0", "0", FileTarget.DefaultMode), Assert.Single(created.Spec.TaskTemplate.Container.Configs).File);
    }

    [Fact]
    public void A_new_task_is_pinned_to_the_current_version_of_its_secret()
    {
        var spec = Spec("web").WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Rotated("pw", 2), Service(spec));

        var created = Assert.IsType<TaskCreated>(Assert.Single(state.Reconcile(ReplicatedOrchestrator.Reconcile, At(5))));

        Assert.Equal(2, Assert.Single(created.Spec.Container.Secrets).DataVersion);
    }

    [Fact]
    public void After_a_rotation_a_slot_starts_its_new_task_before_the_old_one_stops()
    {
        var spec = Spec("web", replicas: 2).WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Service(spec))
            .And(Created("a", spec, 1).PinnedTo(1), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(Created("b", spec, 2).PinnedTo(1), Assigned("b", "n1"), Reported("b", "n1", TaskState.Running))
            .And(Rotated("pw", 2, at: 10));

        var events = Pass(state, 11);

        var replacement = Assert.Single(events.OfType<TaskCreated>());
        Assert.Equal((1L, TaskState.Running, 2L), (replacement.Slot, replacement.DesiredState, replacement.Spec.Container.Secrets[0].DataVersion));
    }

    [Fact]
    public void The_old_task_of_a_slot_stops_once_its_replacement_runs_and_the_next_slot_follows()
    {
        var spec = Spec("web", replicas: 2).WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Service(spec))
            .And(Created("a", spec, 1).PinnedTo(1), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(Created("b", spec, 2).PinnedTo(1), Assigned("b", "n1"), Reported("b", "n1", TaskState.Running))
            .And(Rotated("pw", 2, at: 10));
        state = state.And(Pass(state, 10));
        var replacement = state.Tasks.Values.Single(t => t.Slot == 1 && t.Id != "a").Id;

        var whileStarting = Pass(state.And(Assigned(replacement, "n1", 11)), 12);
        var running = state.And(Assigned(replacement, "n1", 12), Reported(replacement, "n1", TaskState.Running, 13));
        var once = Pass(running, 14);

        Assert.Empty(whileStarting);
        Assert.Contains(new TaskDesiredStateChanged("a", TaskState.Shutdown, At(14)), once);
        Assert.Contains(once, e => e is TaskCreated { Slot: 2 });
    }

    [Fact]
    public void An_older_version_is_pruned_once_no_unfinished_task_reads_it()
    {
        var spec = Spec("web").WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Service(spec))
            .And(Created("a", spec, 1).PinnedTo(1), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(Rotated("pw", 2, at: 10));

        var whileRead = state.Reconcile(DataVersionReaper.Reconcile, At(11));
        var afterwards = state.And(Reported("a", "n1", TaskState.Shutdown, 12)).Reconcile(DataVersionReaper.Reconcile, At(13));

        Assert.Empty(whileRead);
        Assert.Equal([new SecretDataPruned("pw", 1, At(13))], afterwards);
    }

    [Fact]
    public void A_worker_view_holds_no_data_of_secrets_or_configs()
    {
        var state = Given(Cluster("n1")).And(Secret("pw"), Config("app.conf"));

        var view = WorkerView.Of(state);
        var recorded = WorkerView.Of(new RecordedEvent(1, new EventMetadata(T0, "t", "t", "t"), Secret("pw")));

        Assert.All(view.Secrets.Values.SelectMany(s => s.Data), d => Assert.Equal("", d.Payload));
        Assert.All(view.Configs.Values.SelectMany(c => c.Data), d => Assert.Equal("", d.Payload));
        Assert.Equal("", Assert.IsType<SecretCreated>(recorded.Event).SealedData);
    }

    [Fact]
    public void A_global_service_rolls_a_rotation_node_by_node_start_first()
    {
        var spec = GlobalSpec("agent").WithSecrets("pw");
        var state = Given(Cluster("n1", "n2")).And(Secret("pw"), Service(spec))
            .And(CreatedOn("n1", "a", spec).PinnedTo(1), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(CreatedOn("n2", "b", spec).PinnedTo(1), Assigned("b", "n2"), Reported("b", "n2", TaskState.Running))
            .And(Rotated("pw", 2, at: 10));

        var events = Pass(state, 11);

        // As for a replica: the node's old task serves until the new one runs, and the next node waits for that.
        Assert.DoesNotContain(events, e => e is TaskDesiredStateChanged);
        var replacement = Assert.Single(events.OfType<TaskCreated>());
        Assert.Equal(("n1", 2L, TaskState.Running), (replacement.NodeId, replacement.Spec.Container.Secrets[0].DataVersion, replacement.DesiredState));
        state = state.And(events).And(Assigned(replacement.TaskId, "n1", 12), Reported(replacement.TaskId, "n1", TaskState.Running, 12));
        var next = Pass(state, 12);
        Assert.Contains(new TaskDesiredStateChanged("a", TaskState.Shutdown, At(12)), next);
        Assert.Equal("n2", Assert.Single(next.OfType<TaskCreated>()).NodeId);
    }

    [Fact]
    public void Tasks_on_the_current_version_are_left_alone()
    {
        var spec = Spec("web", replicas: 2).WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Rotated("pw", 2), Service(spec))
            .And(Created("a", spec, 1).PinnedTo(2), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(Created("b", spec, 2).PinnedTo(2), Assigned("b", "n1"), Reported("b", "n1", TaskState.Running));

        Assert.Empty(state.Reconcile(ReplicatedOrchestrator.Reconcile, At(11)));
    }

    [Fact]
    public void A_spec_update_overtaking_a_rotation_stops_the_slots_old_task_too()
    {
        var spec = Spec("web").WithSecrets("pw");
        var state = Given(Cluster("n1")).And(Secret("pw"), Service(spec))
            .And(Created("a", spec, 1).PinnedTo(1), Assigned("a", "n1"), Reported("a", "n1", TaskState.Running))
            .And(Rotated("pw", 2, at: 10))
            .And(Created("a2", spec, 1, at: 11).PinnedTo(2))
            .And(new ServiceUpdated("web", spec.WithImage("nginx:2"), At(12)));

        var events = Pass(state, 13);

        Assert.Contains(new TaskDesiredStateChanged("a", TaskState.Shutdown, At(13)), events);
        Assert.Contains(new TaskDesiredStateChanged("a2", TaskState.Shutdown, At(13)), events);
    }
}
