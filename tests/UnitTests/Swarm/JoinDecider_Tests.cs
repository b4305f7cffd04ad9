using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.Swarm;

public sealed class JoinDecider_Tests
{
    private static readonly string Digest = JoinToken.DigestOf([7]);
    private static readonly string WorkerSecret = JoinToken.NewSecret();
    private static readonly string ManagerSecret = JoinToken.NewSecret();
    private static readonly NodeDescription Host = new("n2", "20.10", "linux", "x86_64", 2, 1024);

    private static ClusterState Swarm() => ClusterState.Initial.And(SwarmDecider.Decide(
        new InitSwarm("c1", "n1", "10.0.0.1", Host with { Hostname = "n1" }, T0,
            new ClusterCredentials("pem", Digest, JoinToken.HashOf(WorkerSecret), JoinToken.HashOf(ManagerSecret))), ClusterState.Initial).Events);

    private static Decision Join(ClusterState state, string token, NodeRole role = NodeRole.Worker) =>
        JoinDecider.Decide(new JoinSwarm("n2", token, role, "10.0.0.2", Host, At(1)), state);

    [Fact]
    public void A_worker_token_admits_a_worker()
    {
        var decision = Join(Swarm(), new JoinToken(Digest, WorkerSecret).ToString());

        Assert.Equal([new NodeJoined("n2", NodeRole.Worker, "10.0.0.2", Host, At(1))], decision.Events);
    }

    [Fact]
    public void A_manager_token_admits_a_manager_with_its_API_and_Raft_addresses()
    {
        var endpoints = new ManagerEndpoints("10.0.0.2:2377", "10.0.0.2:4377");
        var decision = JoinDecider.Decide(new JoinSwarm("n2", new JoinToken(Digest, ManagerSecret).ToString(), NodeRole.Manager, "10.0.0.2", Host, At(1), endpoints), Swarm());

        Assert.Equal([new NodeJoined("n2", NodeRole.Manager, "10.0.0.2", Host, At(1), endpoints)], decision.Events);
        Assert.Equal(endpoints, Swarm().And(decision.Events).Nodes["n2"].Manager);
    }

    [Fact]
    public void A_manager_that_other_managers_could_not_reach_is_refused()
    {
        var decision = Join(Swarm(), new JoinToken(Digest, ManagerSecret).ToString());

        Assert.Equal(JoinDecider.ManagerNeedsListenAddress, decision.Error?.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_worker_token_cannot_join_as_a_manager()
    {
        var decision = Join(Swarm(), new JoinToken(Digest, WorkerSecret).ToString(), NodeRole.Manager);

        Assert.Equal("a worker join token cannot be used to join as a manager", decision.Error?.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_token_of_another_swarm_is_refused_by_its_CA_digest()
    {
        var decision = Join(Swarm(), new JoinToken(JoinToken.DigestOf([8]), WorkerSecret).ToString());

        Assert.Contains("CA digest does not match", decision.Error?.Message);
    }

    [Fact]
    public void A_rotated_out_or_wrong_secret_is_refused()
    {
        var state = Swarm();
        state = state.And(SwarmDecider.Decide(new UpdateSwarm(state.Swarm!.Version, state.Swarm.Spec, At(1), WorkerSecretHash: JoinToken.HashOf(JoinToken.NewSecret())), state).Events);

        Assert.Contains("wrong or has been rotated", Join(state, new JoinToken(Digest, WorkerSecret).ToString()).Error?.Message);
        Assert.Contains("wrong or has been rotated", Join(state, new JoinToken(Digest, JoinToken.NewSecret()).ToString()).Error?.Message);
    }

    [Fact]
    public void A_malformed_token_is_refused_naming_the_expected_shape()
    {
        Assert.Contains("SWMTKN-1-", Join(Swarm(), "SWMTKN-1-nope").Error?.Message);
    }
}
