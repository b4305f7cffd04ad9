using System.Net;
using System.Text;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Input;

/// <summary>
/// Bad input is refused with a message that names the problem, and the log does not grow by a single entry.
/// One agent serves all cases (<see cref="SwarmWithDemo"/>, started once for the class); each case proves the log
/// length unchanged around itself.
/// </summary>
public sealed class Bad_input_Tests(SwarmWithDemo fixture) : IClassFixture<SwarmWithDemo>
{
    private readonly LocalAgent _agent = fixture.Agent;

    public static TheoryData<string, string, HttpStatusCode, string> BadCreates => new()
    {
        { "invalid name", Spec(name: "bad name!"), HttpStatusCode.BadRequest, "name must be valid as a DNS name component: 'bad name!'" },
        { "name too long", Spec(name: new string('a', 64)), HttpStatusCode.BadRequest, "name must be 63 characters or fewer" },
        { "duplicate name", Spec(name: "demo"), HttpStatusCode.Conflict, "name conflicts with an existing object: service demo already exists" },
        { "negative replicas", Spec(replicas: "-1"), HttpStatusCode.BadRequest, "Replicas" },
        { "unknown mount type", Spec(mounts: """[{"Type":"nfs","Source":"x","Target":"/data"}]"""), HttpStatusCode.BadRequest, "invalid MountType: \"nfs\"" },
        { "relative mount target", Spec(mounts: """[{"Type":"volume","Source":"x","Target":"data"}]"""), HttpStatusCode.BadRequest, "invalid mount target 'data'" },
        { "empty image", Spec(image: ""), HttpStatusCode.BadRequest, "ContainerSpec: image reference must be provided" },
        { "bad constraint", Spec(constraints: """["node.rolemanager"]"""), HttpStatusCode.InternalServerError, "constraint expected one operator from ==, !=" },
        { "malformed JSON", """{"Name": "x", "TaskTemplate": {""", HttpStatusCode.BadRequest, "malformed JSON" },
        { "no container spec", """{"Name": "x"}""", HttpStatusCode.BadRequest, "mismatched Runtime and *Spec fields" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_service_create_is_refused_and_appends_nothing(string problem, string body, HttpStatusCode status, string message)
    {
        var before = await _agent.LogLengthAsync();
        using var http = _agent.Http();
        var response = await http.PostAsync("/v1.41/services/create", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{problem}: expected {status}, got {response.StatusCode}: {text}");
        Assert.Contains(message, JsonDocument.Parse(text).RootElement.GetProperty("message").GetString());
        Assert.Equal(before, await _agent.LogLengthAsync());
    }

    [Fact]
    public async Task Scale_of_an_unknown_service_is_refused_and_appends_nothing()
    {
        var before = await _agent.LogLengthAsync();
        (await _agent.Docker("service", "scale", "nosuch=3")).ShouldFailWith("nosuch");
        (await _agent.EventSwarm("service", "scale", "nosuch=3")).ShouldFailWith("service nosuch not found");
        Assert.Equal(before, await _agent.LogLengthAsync());
    }

    [Fact]
    public async Task Update_with_negative_replicas_or_a_stale_version_is_refused_and_appends_nothing()
    {
        var before = await _agent.LogLengthAsync();
        using var http = _agent.Http();
        using var inspect = JsonDocument.Parse(await http.GetStringAsync("/v1.41/services/demo"));
        var version = inspect.RootElement.GetProperty("Version").GetProperty("Index").GetInt64();

        var negative = await http.PostAsync($"/v1.41/services/demo/update?version={version}", Json(Spec(name: "demo", replicas: "-1")));
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("Replicas", await negative.Content.ReadAsStringAsync());

        var stale = await http.PostAsync($"/v1.41/services/demo/update?version={version - 1}", Json(Spec(name: "demo", replicas: "2")));
        // Swarm's "update out of sequence" has no gRPC code: the engine answers it 500.
        Assert.Equal(HttpStatusCode.InternalServerError, stale.StatusCode);
        Assert.Contains("update out of sequence", await stale.Content.ReadAsStringAsync());

        var unknown = await http.PostAsync($"/v1.41/services/nosuch/update?version=1", Json(Spec(name: "nosuch", replicas: "2")));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("service nosuch not found", await unknown.Content.ReadAsStringAsync());

        Assert.Equal(before, await _agent.LogLengthAsync());
    }

    [Fact]
    public async Task Invalid_names_and_duplicates_through_the_docker_CLI_name_the_problem_and_append_nothing()
    {
        var before = await _agent.LogLengthAsync();
        (await _agent.Docker("service", "create", "-d", "--name", "demo", "busybox", "sleep", "1")).ShouldFailWith("name conflicts with an existing object: service demo already exists");
        (await _agent.Docker("service", "create", "-d", "--name", "-bad", "busybox", "sleep", "1")).ShouldFailWith("name must be valid as a DNS name component: '-bad'");
        Assert.Equal(before, await _agent.LogLengthAsync());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Spec(string name = "web", string image = "busybox", string replicas = "1", string mounts = "[]", string constraints = "[]") => $$$"""
        {"Name": {{{JsonSerializer.Serialize(name)}}},
         "Mode": {"Replicated": {"Replicas": {{{replicas}}} }},
         "TaskTemplate": {"ContainerSpec": {"Image": {{{JsonSerializer.Serialize(image)}}}, "Args": ["sleep", "3600"], "Mounts": {{{mounts}}} },
                          "Placement": {"Constraints": {{{constraints}}} } } }
        """;
}

/// <summary>An agent in a swarm with one service, demo, running: the refused requests name it or collide with it.</summary>
public sealed class SwarmWithDemo : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Agent = await LocalAgent.StartSwarmAsync();
        (await Agent.Docker("service", "create", "-d", "--name", "demo", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await Agent.Docker("service", "ls")).Output.Contains("1/1"), TimeSpan.FromSeconds(60), "demo runs");
    }

    public async Task DisposeAsync()
    {
        if (Agent is not null) await Agent.DisposeAsync();
    }
}
