extern alias node;
using EventSwarm.Application;
using node::EventSwarm.Node.Logs;

namespace EventSwarm.UnitTests.Logs;

/// <summary>The logs query as dockerd reads it, and the since the docker CLI sends.</summary>
public sealed class Log_options_Tests
{
    private static ServiceLogOptions Query(params (string Key, string Value)[] pairs) =>
        ServiceLogOptions.FromQuery(k => pairs.FirstOrDefault(p => p.Key == k).Value);

    [Fact]
    public void Booleans_read_as_dockerd_reads_them()
    {
        var options = Query(("stdout", "1"), ("stderr", "false"), ("follow", "true"), ("timestamps", "no"), ("details", "yes"));
        Assert.Equal((true, false, true, false, true), (options.Stdout, options.Stderr, options.Follow, options.Timestamps, options.Details));
    }

    [Fact]
    public void Neither_stream_is_refused_with_dockers_words()
    {
        var refused = Assert.Throws<BadRequestException>(() => Query(("stdout", "0")));
        Assert.Equal("Bad parameters: you must choose at least one stream", refused.Message);
    }

    [Fact]
    public void Tail_is_all_or_a_count_per_task()
    {
        Assert.Null(ServiceLogOptions.ParseTail("all"));
        Assert.Null(ServiceLogOptions.ParseTail(""));
        Assert.Equal(0, ServiceLogOptions.ParseTail("0"));
        Assert.Equal(5, ServiceLogOptions.ParseTail("5"));
        Assert.Equal("tail value must be a positive integer or \"all\"", Assert.Throws<BadRequestException>(() => ServiceLogOptions.ParseTail("x")).Message);
        Assert.Equal("negative tail values not supported", Assert.Throws<BadRequestException>(() => ServiceLogOptions.ParseTail("-1")).Message);
    }

    [Fact]
    public void Since_is_unix_seconds_with_an_optional_fraction()
    {
        Assert.Equal(1_700_000_000_500_000_000L, ServiceLogOptions.ParseSince("1700000000.5"));
        Assert.Equal(1_700_000_000_000_000_000L, ServiceLogOptions.ParseSince("1700000000"));
        Assert.Null(ServiceLogOptions.ParseSince("0"));
        Assert.Throws<BadRequestException>(() => ServiceLogOptions.ParseSince("yesterday"));
    }

    [Fact]
    public void The_engine_is_always_asked_for_timestamps_and_details()
    {
        var query = new ServiceLogOptions(Tail: 3, SinceUnixNanos: 1_700_000_000_000_000_001L).EngineQuery(follow: true);
        Assert.Equal("stdout=1&stderr=1&timestamps=1&details=1&follow=1&tail=3&since=1700000000.000000001", query);
    }

    [Fact]
    public void The_cli_sends_since_as_absolute_unix_seconds()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.Equal("1699997480", ServiceLogOptions.SinceArgument("42m", now, out _));
        Assert.Equal("1699994600", ServiceLogOptions.SinceArgument("1h30m", now, out _));
        Assert.Equal("1357133017.000000000", ServiceLogOptions.SinceArgument("2013-01-02T13:23:37Z", now, out _));
        Assert.Equal("1795882822.123456789", ServiceLogOptions.SinceArgument("2026-11-28T16:20:22.123456789Z", now, out _));
        Assert.Equal("1700000000.25", ServiceLogOptions.SinceArgument("1700000000.25", now, out _));
        ServiceLogOptions.SinceArgument("soon", now, out var error);
        Assert.Equal("failed to parse value as time or duration: \"soon\"", error);
    }
}
