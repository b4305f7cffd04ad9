using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using static EventSwarm.UnitTests.Secrets.SecretGiven;

namespace EventSwarm.UnitTests.Secrets;

public sealed class SecretDecider_Tests
{
    private static readonly SecretSpec Pw = new() { Name = "my-pw" };

    [Fact]
    public void A_secret_is_created_with_its_data_as_sealed()
    {
        var decision = SecretDecider.Decide(new CreateSecret("s1", Pw, "sealed", At(1)), Given(Cluster("n1")));

        Assert.Equal([new SecretCreated("s1", Pw, "sealed", At(1))], decision.Events);
    }

    [Fact]
    public void A_duplicate_name_is_refused_as_a_conflict()
    {
        var decision = SecretDecider.Decide(new CreateSecret("s2", Pw, "sealed", At(1)), Given(Cluster("n1")).And(Secret("my-pw")));

        Assert.Equal(new DomainError(ErrorKind.Conflict, "secret my-pw already exists"), decision.Error);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Outside_a_swarm_nothing_is_created()
    {
        var decision = SecretDecider.Decide(new CreateSecret("s1", Pw, "sealed", At(1)), ClusterState.Initial);

        Assert.Equal(ErrorKind.Unavailable, decision.Error?.Kind);
    }

    [Fact]
    public void A_secret_in_use_cannot_be_removed_and_the_refusal_names_the_services()
    {
        var state = Given(Cluster("n1")).And(Secret("my-pw"), Service(Spec("db").WithSecrets("my-pw")), Service(Spec("app").WithSecrets("my-pw")));

        var decision = SecretDecider.Decide(new RemoveSecret("my-pw", At(2)), state);

        Assert.Equal(new DomainError(ErrorKind.Invalid, "secret 'my-pw' is in use by the following services: app, db"), decision.Error);
    }

    [Fact]
    public void A_secret_no_service_uses_is_removed()
    {
        var decision = SecretDecider.Decide(new RemoveSecret("my-pw", At(2)), Given(Cluster("n1")).And(Secret("my-pw")));

        Assert.Equal([new SecretRemoved("my-pw", At(2))], decision.Events);
    }

    [Fact]
    public void An_unknown_secret_is_not_found_in_the_daemons_words()
    {
        var decision = SecretDecider.Decide(new RemoveSecret("nope", At(2)), Given(Cluster("n1")));

        Assert.Equal(new DomainError(ErrorKind.NotFound, "secret nope not found"), decision.Error);
    }

    [Fact]
    public void An_update_may_change_the_labels_only()
    {
        var state = Given(Cluster("n1")).And(Secret("my-pw"));
        var version = state.Secrets["my-pw"].Version;

        var labels = SecretDecider.Decide(new UpdateSecretLabels("my-pw", version, Pw with { Labels = Labels(("a", "b")) }, false, At(2)), state);
        var data = SecretDecider.Decide(new UpdateSecretLabels("my-pw", version, Pw, true, At(2)), state);
        var stale = SecretDecider.Decide(new UpdateSecretLabels("my-pw", version - 1, Pw, false, At(2)), state);

        Assert.Equal([new SecretUpdated("my-pw", Pw with { Labels = Labels(("a", "b")) }, At(2))], labels.Events);
        Assert.Equal(new DomainError(ErrorKind.Invalid, "only updates to Labels are allowed"), data.Error);
        Assert.Equal(ErrorKind.Internal, stale.Error?.Kind);
    }

    [Fact]
    public void A_rotation_records_the_next_version_and_keeps_the_older_one()
    {
        var state = Given(Cluster("n1")).And(Secret("my-pw"));

        var decision = SecretDecider.Decide(new RotateSecret("my-pw", 2, "sealed:2", At(3)), state);
        var after = state.And(decision.Events.ToArray());

        Assert.Equal([new SecretRotated("my-pw", 2, "sealed:2", At(3))], decision.Events);
        Assert.Equal([1L, 2L], after.Secrets["my-pw"].Data.Select(d => d.Number));
        Assert.Equal(2, after.Secrets["my-pw"].Current.Number);
    }

    [Fact]
    public void A_rotation_sealed_for_a_version_already_taken_is_refused()
    {
        var state = Given(Cluster("n1")).And(Secret("my-pw"), Rotated("my-pw", 2));

        var decision = SecretDecider.Decide(new RotateSecret("my-pw", 2, "sealed:2b", At(3)), state);

        Assert.Equal(ErrorKind.Conflict, decision.Error?.Kind);
    }

    [Fact]
    public void The_events_of_a_secret_never_print_its_sealed_data()
    {
        Assert.DoesNotContain("sealed", Secret("pw").ToString());
        Assert.DoesNotContain("sealed", Rotated("pw", 2).ToString());
        Assert.DoesNotContain("sealed", new DataVersion(1, "sealed:x", At(0)).ToString());
    }

    [Fact]
    public void A_config_in_use_cannot_be_removed()
    {
        var state = Given(Cluster("n1")).And(Config("app.conf"), Service(Spec("web").WithConfigs("app.conf")));

        var decision = ConfigDecider.Decide(new RemoveConfig("app.conf", At(2)), state);

        Assert.Equal(new DomainError(ErrorKind.Invalid, "config 'app.conf' is in use by the following service: web"), decision.Error);
    }

    [Fact]
    public void A_config_rotation_takes_the_next_version()
    {
        var state = Given(Cluster("n1")).And(Config("app.conf"));

        var decision = ConfigDecider.Decide(new RotateConfig("app.conf", "bmV3", At(2)), state);

        Assert.Equal([new ConfigRotated("app.conf", 2, "bmV3", At(2))], decision.Events);
    }
}
