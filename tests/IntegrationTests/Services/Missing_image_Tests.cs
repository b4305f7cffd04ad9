using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

public sealed class Missing_image_Tests
{
    [Fact]
    public async Task Missing_image_is_rejected_like_docker_and_retried_at_the_restart_delay_not_in_a_hot_loop()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "-d", "--name", "ghost", "nosuchimage:1")).ShouldSucceed();
        await Eventually.True(async () => (await agent.Docker("service", "ps", "--no-trunc", "ghost")).Output.Contains("No such image: nosuchimage:1"),
            TimeSpan.FromSeconds(30), "the task shows docker's error");
        var rows = (await agent.Docker("service", "ps", "--no-trunc", "ghost")).Rows;
        Assert.Contains(rows, row => row.Contains("Rejected"));

        // Over 11 s with the default 5 s delay, Swarm's pace allows at most 3 attempts; a hot loop makes hundreds.
        var since = (await agent.LogLengthAsync()).Events;
        await Task.Delay(TimeSpan.FromSeconds(11));
        using var http = agent.Http();
        using var events = JsonDocument.Parse(await http.GetStringAsync($"/eventswarm/v1/events?since={since}"));
        var attempts = events.RootElement.EnumerateArray().Count(e => e.GetProperty("type").GetString() == "task-created");
        Assert.InRange(attempts, 1, 3);
    }
}
