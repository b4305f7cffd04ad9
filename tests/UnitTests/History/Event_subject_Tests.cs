using EventSwarm.Domain.History;
using EventSwarm.Infrastructure.Log;
using EventSwarm.UnitTests.Log;

namespace EventSwarm.UnitTests.History;

/// <summary>Every event belongs to an object (its stream), and a task's events name its service and node.</summary>
public sealed class Event_subject_Tests
{
    [Fact]
    public void Every_registered_event_type_has_a_subject()
    {
        var state = Given(Cluster("n1"));
        var samples = Event_registry_Tests.Samples().ToList();
        Assert.Equal(EventJson.Registered.Keys.OrderBy(t => t.FullName), samples.Select(e => e.GetType()).Distinct().OrderBy(t => t.FullName));

        foreach (var sample in samples)
        {
            var after = state.And(sample);
            var subject = EventSubject.Of(sample, state, after);
            Assert.False(string.IsNullOrEmpty(subject.Id), $"{sample.GetType().Name} has no subject id");
            state = after;
        }
    }

    public static TheoryData<string> Kinds() => [.. Event_registry_Tests.Samples().Select(e => e.GetType().Name)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_event_belongs_to_the_kind_of_object_it_is_about(string type)
    {
        var sample = Event_registry_Tests.Samples().Single(e => e.GetType().Name == type);
        var before = Given(Cluster("n1"));

        var subject = EventSubject.Of(sample, before, before.And(sample));

        var expected = sample switch
        {
            Domain.Swarm.SwarmEvent => SubjectKind.Swarm,
            NodeEvent => SubjectKind.Node,
            ServiceEvent or Domain.Networking.ServiceEndpointAllocated => SubjectKind.Service,
            TaskEvent or Domain.Networking.TaskAddressesAllocated => SubjectKind.Task,
            Domain.Networking.NetworkEvent => SubjectKind.Network,
            Domain.Secrets.SecretEvent => SubjectKind.Secret,
            Domain.Configs.ConfigEvent => SubjectKind.Config,
            Domain.Stacks.StackEvent => SubjectKind.Stack,
            Domain.Web.WebTokenEvent => SubjectKind.Swarm,
            _ => throw new InvalidOperationException(type),
        };
        Assert.Equal(expected, subject.Kind);
    }

    [Fact]
    public void A_task_event_names_the_tasks_service_and_node()
    {
        var spec = Spec("web");
        var created = Given(Cluster("n1", "n2")).And(Service(spec), new TaskCreated("t1", "web", "web", 1, null, spec.TaskTemplate, 1, TaskState.Running, T0));
        var assigned = created.And(new TaskAssigned("t1", "n2", T0));

        Assert.Equal(new EventSubject(SubjectKind.Task, "t1", "web", null), EventSubject.Of(new TaskCreated("t1", "web", "web", 1, null, spec.TaskTemplate, 1, TaskState.Running, T0), Given(), created));
        Assert.Equal(new EventSubject(SubjectKind.Task, "t1", "web", "n2"), EventSubject.Of(new TaskAssigned("t1", "n2", T0), created, assigned));
        var removed = new TaskRemoved("t1", T0);
        Assert.Equal(new EventSubject(SubjectKind.Task, "t1", "web", "n2"), EventSubject.Of(removed, assigned, assigned.And(removed)));
        var orphaned = new TaskOrphaned("t1", "node down", T0);
        Assert.Equal(new EventSubject(SubjectKind.Task, "t1", "web", "n2"), EventSubject.Of(orphaned, assigned, assigned.And(orphaned)));
    }

    [Fact]
    public void A_service_event_and_a_node_event_name_their_object_as_service_and_node()
    {
        var state = Given(Cluster("n1"));
        var scaled = new ServiceScaled("web", 3, T0);
        Assert.Equal(new EventSubject(SubjectKind.Service, "web", "web"), EventSubject.Of(scaled, state, state));
        Assert.Equal(new EventSubject(SubjectKind.Node, "n1", NodeId: "n1"), EventSubject.Of(NodeDown("n1"), state, state.And(NodeDown("n1"))));
        Assert.Equal("service/web", EventSubject.Of(scaled, state, state).StreamKey);
    }

    [Fact]
    public void Swarm_events_belong_to_the_cluster()
    {
        var state = Given(Cluster("n1"));
        var rotated = new Domain.Swarm.JoinTokenRotated(NodeRole.Worker, "h", T0);

        Assert.Equal(new EventSubject(SubjectKind.Swarm, "cluster"), EventSubject.Of(rotated, state, state.And(rotated)));
    }
}
