using EventSwarm.Domain.Networking;

namespace EventSwarm.UnitTests;

/// <summary>
/// Objects are found as Docker finds them (daemon/cluster/helpers.go): full ID, then name, then a unique ID prefix;
/// a prefix or name several objects share is ambiguous, never one of them picked.
/// </summary>
public sealed class Lookup_Tests
{
    private static ClusterState ThreeServices() => Given(SwarmInit(),
        new ServiceCreated("abc1", Spec("web"), At(0)), new ServiceCreated("abc2", Spec("api"), At(0)), new ServiceCreated("xyz", Spec("abc"), At(0)));

    [Fact]
    public void A_prefix_several_services_share_is_ambiguous_with_its_count()
    {
        var found = ThreeServices().LookupService("ab");
        Assert.Null(found.Match);
        Assert.Equal(new DomainError(ErrorKind.Invalid, "service ab is ambiguous (2 matches found)"), found.Refusal("service", "ab"));
    }

    [Theory]
    [InlineData("abc1", "abc1")]
    [InlineData("web", "abc1")]
    [InlineData("abc", "xyz")]
    [InlineData("abc2", "abc2")]
    [InlineData("x", "xyz")]
    public void Full_ID_then_name_then_a_unique_prefix(string input, string id) => Assert.Equal(id, ThreeServices().LookupService(input).Match?.Id);

    [Fact]
    public void Nothing_matching_is_not_found() =>
        Assert.Equal(new DomainError(ErrorKind.NotFound, "service q not found"), ThreeServices().LookupService("q").Refusal("service", "q"));

    [Fact]
    public void Tasks_under_one_prefix_are_ambiguous_as_Docker_words_it()
    {
        var state = Given(SwarmInit(), Service(Spec("web", 3)), Created("1a", Spec("web", 3), 1), Created("1b", Spec("web", 3), 2), Created("1c", Spec("web", 3), 3));
        Assert.Equal("task 1 is ambiguous (3 matches found)", state.LookupTask("1").Refusal("task", "1")!.Message);
        Assert.Equal("1b", state.LookupTask("web.2.1b").Match?.Id);
    }

    [Fact]
    public void Two_nodes_of_one_host_name_are_ambiguous_by_that_name()
    {
        var state = Given(Cluster("n1", "n2"));
        state = state with { Nodes = state.Nodes.SetItems(state.Nodes.Select(n => KeyValuePair.Create(n.Key, n.Value with { Description = n.Value.Description with { Hostname = "vm" } }))) };
        Assert.Equal("node vm is ambiguous (2 matches found)", state.LookupNode("vm").Refusal("node", "vm")!.Message);
        Assert.Equal("n2", state.LookupNode("n2").Match?.Id);
    }

    [Fact]
    public void A_removal_or_scale_through_an_ambiguous_prefix_is_refused_with_nothing_decided()
    {
        var state = ThreeServices();
        var removal = ServiceDecider.Decide(new RemoveService("abc", At(1)), state);
        Assert.Equal("xyz", Assert.IsType<ServiceRemoved>(Assert.Single(removal.Events)).ServiceId);
        var ambiguous = ServiceDecider.Decide(new ScaleService("ab", 3, At(1)), state);
        Assert.Empty(ambiguous.Events);
        Assert.Equal(ErrorKind.Invalid, ambiguous.Error?.Kind);
    }

    [Fact]
    public void A_network_prefix_several_networks_share_is_worded_as_dockerd_network_router()
    {
        var found = new Lookup<Network>(null, 2, ByName: false);
        Assert.Equal("network 1 is ambiguous (2 matches found based on ID prefix)", NetworkLookup.Refusal(found, "1").Message);
    }
}
