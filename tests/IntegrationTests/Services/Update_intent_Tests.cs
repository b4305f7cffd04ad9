using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

/// <summary>
/// The docker CLI sends every change of a service as a whole spec (`/services/{id}/update`); the audit trail
/// (`/eventswarm/v1/events`) names what the caller meant. One agent serves all cases; each case has its service.
/// </summary>
public sealed class Update_intent_Tests : IAsyncLifetime
{
    private LocalAgent _agent = null!;

    public async Task InitializeAsync() => _agent = await LocalAgent.StartSwarmAsync();

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task Docker_service_scale_is_recorded_as_ScaleService()
    {
        await CreateAsync("scaled");
        var since = (await _agent.LogLengthAsync()).Events;

        (await _agent.Docker("service", "scale", "-d", "scaled=3")).ShouldSucceed();

        await AssertRecordedAsync("service-scaled", "ScaleService", since);
    }

    [Fact]
    public async Task Docker_service_update_of_the_replicas_alone_is_recorded_as_ScaleService()
    {
        await CreateAsync("replicas");
        var since = (await _agent.LogLengthAsync()).Events;

        (await _agent.Docker("service", "update", "-d", "--replicas", "2", "replicas")).ShouldSucceed();

        await AssertRecordedAsync("service-scaled", "ScaleService", since);
    }

    [Fact]
    public async Task Docker_service_update_image_is_recorded_as_UpdateServiceImage()
    {
        await CreateAsync("imaged");
        var since = (await _agent.LogLengthAsync()).Events;

        (await _agent.Docker("service", "update", "-d", "--image", "whoami:latest", "imaged")).ShouldSucceed();

        await AssertRecordedAsync("service-updated", "UpdateServiceImage", since);
        Assert.Contains("whoami:latest", (await _agent.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "imaged")).Output);
    }

    [Fact]
    public async Task Any_other_update_is_recorded_as_UpdateService()
    {
        await CreateAsync("other");
        var since = (await _agent.LogLengthAsync()).Events;

        (await _agent.Docker("service", "update", "-d", "--env-add", "A=1", "--replicas", "2", "other")).ShouldSucceed();

        await AssertRecordedAsync("service-updated", "UpdateService", since);
    }

    private async Task CreateAsync(string name) =>
        (await _agent.Docker("service", "create", "-d", "--name", name, "busybox", "sleep", "3600")).ShouldSucceed();

    /// <summary>After sequence <paramref name="since"/>, one event of <paramref name="type"/> was appended, by <paramref name="command"/>.</summary>
    private async Task AssertRecordedAsync(string type, string command, long since)
    {
        using var http = _agent.Http();
        var json = await http.GetStringAsync($"/eventswarm/v1/events?since={since}");
        using var events = JsonDocument.Parse(json);
        var commands = events.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == type)
            .Select(e => e.GetProperty("metadata").GetProperty("command").GetString())
            .ToList();
        Assert.True(commands.SequenceEqual([command]), $"expected one {type} by {command}, got [{string.Join(", ", commands)}] in {json}");
    }
}
