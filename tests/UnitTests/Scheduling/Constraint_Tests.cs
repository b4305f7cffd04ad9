using System.Collections.Immutable;
using EventSwarm.Domain.Scheduling;

namespace EventSwarm.UnitTests.Scheduling;

public sealed class Constraint_Tests
{
    [Theory]
    [InlineData("node.role==manager", "node.role", true, "manager")]
    [InlineData("node.role!=worker", "node.role", false, "worker")]
    [InlineData("node.hostname != n1", "node.hostname", false, "n1")]
    [InlineData("  node.id == abc  ", "node.id", true, "abc")]
    [InlineData("NODE.ROLE==Manager", "node.role", true, "Manager")]
    [InlineData("node.labels.zone==A", "node.labels.zone", true, "A")]
    [InlineData("node.platform.os==linux", "node.platform.os", true, "linux")]
    [InlineData("node.platform.arch!=arm64", "node.platform.arch", false, "arm64")]
    [InlineData("node.labels.a.b==c", "node.labels.a.b", true, "c")]
    public void Valid_expressions_parse_with_a_lower_case_key_and_the_value_as_written(string expression, string key, bool equal, string value)
    {
        Assert.True(Constraint.TryParse(expression, out var constraint, out var error), error);

        Assert.Equal(new Constraint(key, equal, value), constraint);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("", "constraint expected one operator from ==, !=")]
    [InlineData("node.role", "constraint expected one operator from ==, !=")]
    [InlineData("node.role=manager", "constraint expected one operator from ==, !=")]
    [InlineData("==manager", "constraint expected one operator from ==, !=")]
    [InlineData("node.role==", "the value is missing or malformed")]
    [InlineData("node.role==  ", "the value is missing or malformed")]
    [InlineData("node.role==a==b", "the value is missing or malformed")]
    [InlineData("node.role!=a==b", "the value is missing or malformed")]
    [InlineData("node.color==red", "unknown key 'node.color'")]
    [InlineData("node.labels.==a", "unknown key 'node.labels.'")]
    [InlineData("engine.labels.x==y", "unknown key 'engine.labels.x'")]
    public void Invalid_expressions_are_refused_with_a_reason(string expression, string reason)
    {
        Assert.False(Constraint.TryParse(expression, out var constraint, out var error));

        Assert.Null(constraint);
        Assert.StartsWith($"invalid constraint '{expression}'", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void ParseAll_throws_on_the_first_invalid_expression()
    {
        var error = Assert.Throws<FormatException>(() => Constraint.ParseAll(["node.role==worker", "nope"]));

        Assert.Contains("'nope'", error.Message);
    }

    private static readonly Node Worker = new("n2", NodeRole.Worker, NodeAvailability.Active, NodeStatus.Ready, "", "n2:2377",
        new NodeDescription("host-2", "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB),
        ImmutableDictionary<string, string>.Empty.Add("zone", "a"), T0, T0, 1);

    [Theory]
    [InlineData("node.role==worker", true)]
    [InlineData("node.role==WORKER", true)]
    [InlineData("node.role!=manager", true)]
    [InlineData("node.id==n2", true)]
    [InlineData("node.hostname==host-2", true)]
    [InlineData("node.labels.zone==a", true)]
    [InlineData("node.labels.zone!=a", false)]
    [InlineData("node.labels.rack==r1", false)]
    [InlineData("node.labels.rack!=r1", true)]
    [InlineData("node.platform.arch==x86_64", true)]
    public void A_node_satisfies_a_constraint(string expression, bool satisfied)
    {
        Assert.True(Constraint.TryParse(expression, out var constraint, out _));

        Assert.Equal(satisfied, constraint!.IsSatisfiedBy(Worker));
    }

    [Theory]
    [InlineData("node.hostname==HOST-2", true)]
    [InlineData("node.labels.zone==A", true)]
    [InlineData("node.labels.zone!=A", false)]
    public void Values_match_case_insensitively_as_in_Swarm(string expression, bool satisfied)
    {
        Assert.True(Constraint.TryParse(expression, out var constraint, out _));

        Assert.Equal(satisfied, constraint!.IsSatisfiedBy(Worker));
    }

    [Fact]
    public void A_label_name_keeps_its_case()
    {
        var node = Worker with { Labels = Worker.Labels.Add("Rack", "r1") };

        Assert.True(Constraint.TryParse("node.labels.Rack==r1", out var constraint, out _));

        Assert.True(constraint!.IsSatisfiedBy(node));
    }
}
