using System.Net;
using System.Text;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Updates;

/// <summary>
/// Refusals of update and rollback settings, in Docker's words (Compatibility/UpdateTests compares them with Docker
/// Swarm), each with the log's length unchanged around it. One agent serves the class.
/// </summary>
public sealed class Update_bad_input_Tests(SwarmOfOne fixture) : IClassFixture<SwarmOfOne>
{
    private LocalAgent Agent => fixture.Agent;

    private static string Spec(string name, string update) =>
        "{\"Name\":\"" + name + "\",\"Mode\":{\"Replicated\":{\"Replicas\":0}},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Command\":[\"sleep\",\"3600\"]}}" + update + "}";

    public static TheoryData<string, string, string> Settings => new()
    {
        { "an unknown failure action", ""","UpdateConfig":{"FailureAction":"explode"}""", "unrecognized update failure action explode" },
        { "an unknown rollback failure action", ""","RollbackConfig":{"FailureAction":"explode"}""", "unrecognized update failure action explode" },
        { "an order typo", ""","UpdateConfig":{"Order":"start-frist"}""", "unrecognized update order start-frist" },
        { "a negative monitor", ""","UpdateConfig":{"Monitor":-1}""", "update-monitor cannot be negative" },
        { "a negative delay", ""","UpdateConfig":{"Delay":-1}""", "update-delay cannot be negative" },
        { "a max failure ratio above 1", ""","UpdateConfig":{"MaxFailureRatio":1.5}""", "update-maxfailureratio cannot be less than 0 or bigger than 1" },
        { "a negative parallelism", ""","UpdateConfig":{"Parallelism":-1}""", "Parallelism" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task An_update_with_bad_settings_is_refused_and_nothing_is_appended(string what, string update, string message)
    {
        var name = $"bad-{what.Replace(' ', '-')}";
        (await Agent.Docker("service", "create", "-d", "--name", name, "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var version = await VersionOfAsync(name);
        var before = await LastSequenceAsync();

        var (status, body) = await PostAsync($"/v1.41/services/{name}/update?version={version}", Spec(name, update));
        Assert.True(status == HttpStatusCode.BadRequest, $"{what}: {(int)status} {body}");
        Assert.Contains(message, body);
        // The same settings are refused at create too.
        (status, body) = await PostAsync("/v1.41/services/create", Spec($"{name}-new", update));
        Assert.True(status == HttpStatusCode.BadRequest, $"{what} at create: {(int)status} {body}");
        Assert.Contains(message, body);
        Assert.Equal(before, await LastSequenceAsync());
        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }

    [Fact]
    public async Task A_rollback_config_Swarm_does_not_check_is_accepted_as_Docker_accepts_it()
    {
        // swarmkit validates update_config alone (Compatibility/UpdateTests shows Docker taking these).
        var (status, body) = await PostAsync("/v1.41/services/create",
            Spec("odd-rollback", ""","RollbackConfig":{"Delay":-1,"Monitor":-1000000000,"MaxFailureRatio":2}"""));
        Assert.True(status == HttpStatusCode.Created, $"{(int)status} {body}");
        (await Agent.Docker("service", "rm", "odd-rollback")).ShouldSucceed();
    }

    [Fact]
    public async Task A_rollback_with_no_previous_spec_is_refused_in_Docker_s_words_and_nothing_is_appended()
    {
        const string name = "bad-no-previous";
        (await Agent.Docker("service", "create", "-d", "--name", name, "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var id = (await Agent.Docker("service", "inspect", "--format", "{{.ID}}", name)).ShouldSucceed().Output.Trim();
        var before = await LastSequenceAsync();

        (await Agent.Docker("service", "rollback", name)).ShouldFailWith($"service {id} does not have a previous spec");
        (await Agent.Docker("service", "update", "--rollback", name)).ShouldFailWith($"service {id} does not have a previous spec");
        var (status, body) = await PostAsync($"/v1.41/services/{name}/update?version={await VersionOfAsync(name)}&rollback=previous", Spec(name, ""));
        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {body}");
        Assert.Contains($"service {id} does not have a previous spec", body);
        Assert.Equal(before, await LastSequenceAsync());
        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }

    [Fact]
    public async Task A_rollback_to_a_version_the_service_never_had_is_refused_and_nothing_is_appended()
    {
        const string name = "bad-no-version";
        (await Agent.Docker("service", "create", "-d", "--name", name, "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var before = await LastSequenceAsync();

        var (status, body) = await PostAsync($"/eventswarm/v1/services/{name}/rollback?to-version=7", null);
        Assert.True(status == HttpStatusCode.NotFound, $"{(int)status} {body}");
        Assert.Contains("version 7", body);
        (status, body) = await PostAsync($"/eventswarm/v1/services/{name}/rollback?to-version=first", null);
        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {body}");
        Assert.Equal(before, await LastSequenceAsync());
        (await Agent.Docker("service", "rm", name)).ShouldSucceed();
    }

    private async Task<long> LastSequenceAsync() => (await Agent.LogLengthAsync()).Events;

    private async Task<long> VersionOfAsync(string name)
    {
        using var http = Agent.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/v1.41/services/{name}"));
        return json.RootElement.GetProperty("Version").GetProperty("Index").GetInt64();
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string? body)
    {
        using var http = Agent.Http();
        using var response = await http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
