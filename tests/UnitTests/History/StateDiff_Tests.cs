using EventSwarm.Application.History;
using EventSwarm.Domain.History;
using EventSwarm.Domain.Secrets;

namespace EventSwarm.UnitTests.History;

/// <summary>What changed between two states, object by object, with the fields operators ask about.</summary>
public sealed class StateDiff_Tests
{
    private static readonly ClusterState Before = Given([.. Cluster("n1", "n2"), Service(Spec("web", replicas: 1)), .. Running("t1", Spec("web"), 1, "n1")]);

    [Fact]
    public void A_scale_reads_as_the_old_and_new_replica_count()
    {
        var after = Before.And(new ServiceScaled("web", 3, At(10)));

        var change = Assert.Single(StateDiff.Between(Before, after), c => c.Kind == SubjectKind.Service);

        Assert.Equal(DiffAction.Changed, change.Action);
        Assert.Equal("~ service web: replicas 1 → 3", change.Line);
    }

    [Fact]
    public void An_image_and_env_update_name_each_field_that_changed()
    {
        var spec = Spec("web").WithImage("nginx:2");
        spec = spec with { TaskTemplate = spec.TaskTemplate with { Container = spec.TaskTemplate.Container with { Env = ["A=1"] } } };
        var after = Before.And(new ServiceUpdated("web", spec, At(10)));

        var change = Assert.Single(StateDiff.Between(Before, after), c => c.Kind == SubjectKind.Service);

        Assert.Equal(["image nginx:1 → nginx:2", "env (none) → [A=1]"], change.Fields.Select(f => f.ToString()));
    }

    [Fact]
    public void Added_and_removed_objects_are_listed_by_name()
    {
        var after = Before.And(Service(Spec("api")), new ServiceRemoved("web", At(10)));

        var services = StateDiff.Between(Before, after).Where(c => c.Kind == SubjectKind.Service).Select(c => c.Line);

        Assert.Equal(["+ service api", "- service web"], services);
    }

    [Fact]
    public void A_task_change_names_its_state_and_node()
    {
        var after = Before.And(Reported("t1", "n1", TaskState.Failed, 10));

        var change = Assert.Single(StateDiff.Between(Before, after), c => c.Kind == SubjectKind.Task);

        Assert.Equal("~ task web.1: state running → failed", change.Line);
    }

    [Fact]
    public void A_node_drained_and_down_names_availability_and_state()
    {
        var after = Before.Drained("n2").And(NodeDown("n2", 10));

        var change = Assert.Single(StateDiff.Between(Before, after), c => c.Kind == SubjectKind.Node);

        Assert.Equal("~ node n2: availability active → drain, state ready → down", change.Line);
    }

    [Fact]
    public void A_rotated_secret_shows_its_data_version_never_its_data()
    {
        var secret = new SecretSpec { Name = "db" };
        var before = Before.And(new SecretCreated("s1", secret, "sealed-one", At(1)));
        var after = before.And(new SecretRotated("s1", 2, "sealed-two", At(2)));

        var change = Assert.Single(StateDiff.Between(before, after), c => c.Kind == SubjectKind.Secret);

        Assert.Equal("~ secret db: data version 1 → 2", change.Line);
        Assert.DoesNotContain("sealed", change.Line);
    }

    [Fact]
    public void The_same_state_has_no_changes() =>
        Assert.Empty(StateDiff.Between(Before, Before));
}
