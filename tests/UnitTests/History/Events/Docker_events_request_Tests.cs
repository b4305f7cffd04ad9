extern alias node;
using System.Collections.Immutable;
using EventSwarm.Application;
using node::EventSwarm.Node.Api.Events;

namespace EventSwarm.UnitTests.History.Events;

/// <summary>GET /events: since, until and filters read as dockerd reads them, and which sources they call for.</summary>
public class Docker_events_request_Tests
{
    private static EngineEventMessage Message(string type, string action, string id, string scope = "swarm", params (string, string)[] attributes) =>
        new(type, action, new EventActor(id, attributes.ToImmutableSortedDictionary(a => a.Item1, a => a.Item2, StringComparer.Ordinal)), scope, 0, 0);

    private static EngineEventMessage Web(string action = "update") => Message("service", action, "abc123", "swarm", ("name", "web"));

    [Fact]
    public void An_unknown_filter_key_is_refused_in_dockers_words()
    {
        var refused = Assert.Throws<BadRequestException>(() => DockerEventsEndpoint.Request.Parse(null, null, "{\"colour\":{\"red\":true}}"));
        Assert.Equal("Invalid filter 'colour'", refused.Message);
    }

    [Theory]
    [InlineData("abc", "invalid value for 'since': invalid timestamp \"abc\": invalid seconds \"abc\": invalid syntax")]
    [InlineData("12.3x", "invalid value for 'since': invalid timestamp \"12.3x\": invalid nanoseconds: invalid character 'x' at position 1")]
    public void A_since_that_is_not_a_unix_timestamp_is_refused_as_dockerd_refuses_it(string since, string message) =>
        Assert.Equal(message, Assert.Throws<BadRequestException>(() => DockerEventsEndpoint.Request.Parse(since, null, null)).Message);

    [Fact]
    public void Until_before_since_is_refused_naming_both()
    {
        var refused = Assert.Throws<BadRequestException>(() => DockerEventsEndpoint.Request.Parse("5", "1", null));
        Assert.Equal("`since` time (5) cannot be after `until` time (1)", refused.Message);
    }

    [Fact]
    public void Timestamps_take_seconds_and_nanoseconds_as_the_docker_cli_sends_them()
    {
        Assert.Equal(DateTimeOffset.UnixEpoch, DockerTimestamp.Parse("0", "since"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764237720).AddTicks(5_000_000), DockerTimestamp.Parse("1764237720.500000000", "since"));
        Assert.Null(DockerTimestamp.Parse("", "until"));
    }

    [Theory]
    [InlineData(null, true, true)]
    [InlineData("{\"scope\":{\"swarm\":true}}", true, false)]
    [InlineData("{\"scope\":{\"local\":true}}", false, true)]
    [InlineData("{\"type\":{\"container\":true}}", false, true)]
    [InlineData("{\"type\":{\"service\":true}}", true, false)]
    [InlineData("{\"type\":{\"network\":true}}", true, true)]
    [InlineData("{\"type\":{\"node\":true},\"scope\":{\"local\":true}}", false, false)]
    public void Filters_choose_the_history_the_engine_or_both(string? filters, bool swarm, bool local)
    {
        var filter = EventFilter.Parse(filters);
        Assert.Equal((swarm, local), (filter.WantsSwarm, filter.WantsLocal));
    }

    [Fact]
    public void Type_event_and_scope_filters_match_exactly()
    {
        Assert.True(EventFilter.Parse("{\"type\":[\"service\"],\"event\":[\"update\"],\"scope\":[\"swarm\"]}").Includes(Web()));
        Assert.False(EventFilter.Parse("{\"event\":[\"create\"]}").Includes(Web()));
        Assert.False(EventFilter.Parse("{\"type\":[\"node\"]}").Includes(Web()));
        Assert.False(EventFilter.Parse("{\"scope\":[\"local\"]}").Includes(Web()));
    }

    [Fact]
    public void Object_filters_match_the_start_of_the_id_or_the_name()
    {
        Assert.True(EventFilter.Parse("{\"service\":[\"web\"]}").Includes(Web()));
        Assert.True(EventFilter.Parse("{\"service\":[\"abc\"]}").Includes(Web()));
        Assert.True(EventFilter.Parse("{\"service\":[\"we\",\"db\"]}").Includes(Web()));
        Assert.False(EventFilter.Parse("{\"service\":[\"db\"]}").Includes(Web()));
        // dockerd applies every object filter to every event: a container filter leaves no service event.
        Assert.False(EventFilter.Parse("{\"container\":[\"x\"]}").Includes(Web()));
    }

    [Fact]
    public void Label_filters_match_the_actors_attributes_all_of_them()
    {
        var scaled = Message("service", "update", "abc", "swarm", ("name", "web"), ("replicas.new", "3"));
        Assert.True(EventFilter.Parse("{\"label\":[\"replicas.new=3\"]}").Includes(scaled));
        Assert.True(EventFilter.Parse("{\"label\":[\"replicas.new\"]}").Includes(scaled));
        Assert.False(EventFilter.Parse("{\"label\":[\"replicas.new=3\",\"image.new\"]}").Includes(scaled));
    }

    [Fact]
    public void Since_and_until_bound_the_messages_inclusively()
    {
        var request = DockerEventsEndpoint.Request.Parse(At(1).ToUnixTimeSeconds().ToString(), At(2).ToUnixTimeSeconds().ToString(), null);
        EngineEventMessage AtSecond(double s) => Web() with { TimeNano = EngineEventMessage.NanosOf(At(s)) };
        Assert.Equal([false, true, true, false], new[] { 0.5, 1, 2, 2.5 }.Select(s => request.Includes(AtSecond(s))));
    }
}
