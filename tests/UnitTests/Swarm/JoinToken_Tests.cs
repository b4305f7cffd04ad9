using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.Swarm;

public sealed class JoinToken_Tests
{
    [Fact]
    public void A_token_has_swarms_shape_and_parses_back()
    {
        var token = new JoinToken(JoinToken.DigestOf([1, 2, 3]), JoinToken.NewSecret());

        Assert.Matches("^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$", token.ToString());
        Assert.True(JoinToken.TryParse(token.ToString(), out var parsed, out _));
        Assert.Equal(token, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("SWMTKN-1-abc-def")]
    [InlineData("SWMTKN-2-1-00000000000000000000000000000000000000000000000000-0000000000000000000000000")]
    [InlineData("SWMTKN-1-00000000000000000000000000000000000000000000000000-000000000000000000000000")]
    public void A_malformed_token_is_refused_with_the_expected_shape_named(string text)
    {
        Assert.False(JoinToken.TryParse(text, out _, out var error));
        Assert.Contains("SWMTKN-1-", error);
    }

    [Fact]
    public void Secrets_are_random_and_their_hash_is_stable_and_not_the_secret()
    {
        var a = JoinToken.NewSecret();
        var b = JoinToken.NewSecret();

        Assert.NotEqual(a, b);
        Assert.Equal(JoinToken.HashOf(a), JoinToken.HashOf(a));
        Assert.DoesNotContain(a, JoinToken.HashOf(a));
        Assert.Equal(64, JoinToken.HashOf(a).Length);
    }

    [Fact]
    public void The_digest_depends_on_the_certificate()
    {
        Assert.NotEqual(JoinToken.DigestOf([1, 2, 3]), JoinToken.DigestOf([1, 2, 4]));
        Assert.Equal(50, JoinToken.DigestOf([0]).Length);
    }

    [Fact]
    public void Init_with_credentials_records_the_CA_and_the_secret_hashes_and_rotation_replaces_one_hash()
    {
        var credentials = new ClusterCredentials("-----BEGIN CERTIFICATE-----", "digest", "worker-hash", "manager-hash");
        var init = SwarmDecider.Decide(new InitSwarm("c1", "n1", "10.0.0.1", new NodeDescription("n1", "27", "linux", "x86_64", 1, 1), T0, credentials), ClusterState.Initial);
        var state = ClusterState.Initial.And(init.Events);

        Assert.Equal(("digest", "worker-hash", "manager-hash"), (state.Swarm!.CaDigest, state.Swarm.WorkerSecretHash, state.Swarm.ManagerSecretHash));

        state = state.And(SwarmDecider.Decide(new UpdateSwarm(state.Swarm.Version, state.Swarm.Spec, At(1), WorkerSecretHash: "new-hash"), state).Events);
        Assert.Equal(("new-hash", "manager-hash"), (state.Swarm!.WorkerSecretHash, state.Swarm.ManagerSecretHash));
    }

    [Fact]
    public void Rotation_outside_a_swarm_is_refused()
    {
        Assert.Equal(ErrorKind.Unavailable, SwarmDecider.Decide(new UpdateSwarm(1, SwarmSpec.Default, T0, WorkerSecretHash: "h"), ClusterState.Initial).Error?.Kind);
    }
}
