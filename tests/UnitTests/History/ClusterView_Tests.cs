extern alias node;
using EventSwarm.Application;
using node::EventSwarm.Node.Api.History;

namespace EventSwarm.UnitTests.History;

/// <summary>The state a read answers from: now, or the projection as it was at the instant the request names.</summary>
public sealed class ClusterView_Tests
{
    private static readonly DateTimeOffset Now = At(3600);

    /// <summary>web created with 1 replica at T0+10s (index 3), scaled to 3 at T0+60s (index 4).</summary>
    private static InMemoryHistory History() => new InMemoryHistory()
        .Record(T0, SwarmInit(), Node("n1", NodeRole.Manager))
        .Record(At(10), Service(Spec("web", replicas: 1)))
        .Record(At(60), new ServiceScaled("web", 3, At(60)));

    private static ClusterView View(string? at, InMemoryHistory history) => ClusterView.Of(at, () => history, history.Current, Now);

    [Fact]
    public void Without_at_the_view_is_now()
    {
        var view = View(null, History());

        Assert.False(view.IsPast);
        Assert.Equal(3, view.State.Services["web"].Spec.Mode.Replicas);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("2025-01-01T12:00:30Z")]
    [InlineData("59m30s")]
    [InlineData("-59m30s")]
    public void An_instant_between_two_scales_shows_the_old_replica_count(string at)
    {
        var view = View(at, History());

        Assert.Equal(3, view.Index);
        Assert.Equal(1, view.State.Services["web"].Spec.Mode.Replicas);
    }

    [Theory]
    [InlineData("yesterday", "is not an instant")]
    [InlineData("9", "is after the last event")]
    [InlineData("2024-12-31T00:00:00Z", "is before the first event")]
    [InlineData("2025-01-01T14:00:00Z", "is in the future")]
    public void A_bad_instant_is_refused_with_what_the_history_holds(string at, string why)
    {
        var refused = Assert.Throws<BadRequestException>(() => View(at, History()));

        Assert.Contains(why, refused.Message);
        Assert.StartsWith("at: ", refused.Message);
    }

    [Fact]
    public void Before_the_swarm_existed_a_read_is_refused_as_outside_a_swarm()
    {
        var history = new InMemoryHistory().Record(T0, Node("n1", NodeRole.Manager)).Record(At(5), SwarmInit());

        var refused = Assert.Throws<CommandRejectedException>(() => View("1", history).RequireSwarm());

        Assert.Contains("not a swarm manager", refused.Message);
    }
}
