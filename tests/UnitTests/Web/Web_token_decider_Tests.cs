using EventSwarm.Domain.Web;

namespace EventSwarm.UnitTests.Web;

/// <summary>Web tokens in the log: names unique, only the hash kept, only an issued token revoked, nothing appended on a refusal.</summary>
public sealed class Web_token_decider_Tests
{
    private static readonly string Hash1 = WebTokens.HashOf("eswt_one");
    private static readonly string Hash2 = WebTokens.HashOf("eswt_two");

    [Fact]
    public void Issuing_records_the_name_the_role_and_the_hash_only()
    {
        var decision = WebTokenDecider.Decide(new IssueWebToken("ops", WebRole.Operator, Hash1, At(1)), Given(Cluster("n1")));

        Assert.Equal([new WebTokenIssued("ops", WebRole.Operator, Hash1, At(1))], decision.Events);
        var state = Given(Cluster("n1")).And(decision.Events);
        Assert.Equal(new WebToken("ops", WebRole.Operator, Hash1, At(1)), state.WebTokens["ops"]);
    }

    [Fact]
    public void A_token_issued_without_a_name_is_named_web_N()
    {
        var state = Given(Cluster("n1")).And(new WebTokenIssued("web-1", WebRole.ReadOnly, Hash1, At(1)));

        var decision = WebTokenDecider.Decide(new IssueWebToken(null, WebRole.ReadOnly, Hash2, At(2)), state);

        Assert.Equal("web-2", Assert.IsType<WebTokenIssued>(Assert.Single(decision.Events)).Name);
    }

    [Fact]
    public void A_duplicate_name_is_refused_and_nothing_is_appended()
    {
        var state = Given(Cluster("n1")).And(new WebTokenIssued("ops", WebRole.ReadOnly, Hash1, At(1)));

        var decision = WebTokenDecider.Decide(new IssueWebToken("ops", WebRole.Operator, Hash2, At(2)), state);

        Assert.Equal(new DomainError(ErrorKind.Conflict, "web token ops already exists"), decision.Error);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-ops")]
    [InlineData("has_underscore")]
    [InlineData("has space")]
    public void A_name_outside_the_rule_is_refused(string name)
    {
        var decision = WebTokenDecider.Decide(new IssueWebToken(name, WebRole.ReadOnly, Hash1, At(1)), Given(Cluster("n1")));

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Something_that_is_no_hash_is_refused()
    {
        var decision = WebTokenDecider.Decide(new IssueWebToken("ops", WebRole.ReadOnly, "eswt_the-token-itself", At(1)), Given(Cluster("n1")));

        Assert.Equal(ErrorKind.Invalid, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Revoking_by_name_or_by_hash_removes_the_token()
    {
        var state = Given(Cluster("n1")).And(new WebTokenIssued("a", WebRole.ReadOnly, Hash1, At(1)), new WebTokenIssued("b", WebRole.Operator, Hash2, At(1)));

        var byName = WebTokenDecider.Decide(new RevokeWebToken("a", null, At(2)), state);
        var byHash = WebTokenDecider.Decide(new RevokeWebToken(null, Hash2, At(2)), state);

        Assert.Equal([new WebTokenRevoked("a", At(2))], byName.Events);
        Assert.Equal([new WebTokenRevoked("b", At(2))], byHash.Events);
        Assert.Equal(["b"], state.And(byName.Events).WebTokens.Keys);
    }

    [Fact]
    public void Revoking_an_unknown_token_is_refused_and_nothing_is_appended()
    {
        var state = Given(Cluster("n1")).And(new WebTokenIssued("a", WebRole.ReadOnly, Hash1, At(1)));

        var byName = WebTokenDecider.Decide(new RevokeWebToken("nope", null, At(2)), state);
        var byHash = WebTokenDecider.Decide(new RevokeWebToken(null, Hash2, At(2)), state);

        Assert.Equal(new DomainError(ErrorKind.NotFound, "web token nope not found"), byName.Error);
        Assert.Equal(ErrorKind.NotFound, byHash.Error?.Kind);
        Assert.Empty(byName.Events);
        Assert.Empty(byHash.Events);
    }

    [Fact]
    public void Outside_a_swarm_no_token_is_issued()
    {
        var decision = WebTokenDecider.Decide(new IssueWebToken("ops", WebRole.ReadOnly, Hash1, At(1)), ClusterState.Initial);

        Assert.Equal(ErrorKind.Unavailable, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }
}
