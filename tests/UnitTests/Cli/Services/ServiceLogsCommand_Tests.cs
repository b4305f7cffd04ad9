extern alias node;
using node::EventSwarm.Node.Cli.Services;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary><c>service logs</c>: docker's flags, sent as docker's client sends them.</summary>
public sealed class ServiceLogsCommand_Tests
{
    [Fact]
    public void Flags_become_dockers_query_with_details_unless_raw()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var (verb, result) = Cli.Parse<ServiceLogsCommand>("service", "logs", "-f", "-n", "5", "--since", "10m", "-t", "web");
        Assert.Equal("stdout=1&stderr=1&since=1699999400&timestamps=1&details=1&follow=1&tail=5", verb.Query(result, now));
        var (raw, rawResult) = Cli.Parse<ServiceLogsCommand>("service", "logs", "--raw", "web");
        Assert.Equal("stdout=1&stderr=1&tail=all", raw.Query(rawResult, now));
    }

    [Fact]
    public async Task Help_lists_dockers_flags()
    {
        var help = await Cli.HelpAsync("service", "logs");
        Assert.Contains("Usage:  eventswarm service logs [OPTIONS] SERVICE|TASK", help);
        foreach (var flag in new[] { "--details", "-f, --follow", "--no-resolve", "--no-task-ids", "--no-trunc", "--raw", "--since", "-n, --tail", "-t, --timestamps" })
            Assert.Contains(flag, help);
    }

    [Fact]
    public async Task Exactly_one_service_or_task_is_required()
    {
        var error = await Cli.RefusedAsync(1, "service", "logs");
        Assert.StartsWith("eventswarm: 'eventswarm service logs' requires 1 argument", error);
    }
}
