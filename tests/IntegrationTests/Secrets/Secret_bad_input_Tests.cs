using System.Net;
using System.Text;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Secrets;

/// <summary>
/// Refusals of Swarm's secret rules, in Docker's words, each with the log length unchanged around it; what is just
/// inside a limit is accepted (and appended). One agent in a swarm of its own serves the class; each test brings
/// objects of its own names.
/// </summary>
public sealed class Secret_bad_input_Tests(SwarmOfOne fixture) : IClassFixture<SwarmOfOne>
{
    /// <summary>swarmkit's MaxSecretSize: 500 KiB, the limit itself excluded.</summary>
    private const int MaxSecretSize = 500 * 1024;

    private LocalAgent Agent => fixture.Agent;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string SecretBody(string name, string data) => JsonSerializer.Serialize(new { Name = name, Data = data });

    private async Task<(HttpStatusCode Status, string Message, string Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var http = Agent.Http();
        using var request = new HttpRequestMessage(method, $"/v1.41{path}") { Content = body is null ? null : Json(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var message = "";
        try { message = JsonDocument.Parse(text).RootElement.GetProperty("message").GetString() ?? ""; }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        return (response.StatusCode, message, text);
    }

    private async Task<string> CreateSecretAsync(string name, string data = "s3cr3t")
    {
        var (status, _, body) = await SendAsync(HttpMethod.Post, "/secrets/create", SecretBody(name, Convert.ToBase64String(Encoding.UTF8.GetBytes(data))));
        Assert.True(status == HttpStatusCode.Created, $"create {name}: {status} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("ID").GetString()!;
    }

    [Fact]
    public async Task A_secret_in_use_is_not_removed_and_the_refusal_names_the_service()
    {
        await CreateSecretAsync("used-pw");
        (await Agent.Docker("service", "create", "--name", "pw-user", "--replicas", "0", "--secret", "used-pw", "busybox", "sleep", "3600")).ShouldSucceed();
        var before = await Agent.LogLengthAsync();

        (await Agent.Docker("secret", "rm", "used-pw")).ShouldFailWith("secret 'used-pw' is in use by the following service: pw-user");
        var (status, message, _) = await SendAsync(HttpMethod.Delete, "/secrets/used-pw");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("secret 'used-pw' is in use by the following service: pw-user", message);
        Assert.Equal(before, await Agent.LogLengthAsync());

        (await Agent.Docker("service", "rm", "pw-user")).ShouldSucceed();
        (await Agent.Docker("secret", "rm", "used-pw")).ShouldSucceed();
    }

    [Fact]
    public async Task An_unknown_secret_in_a_service_spec_is_refused_by_name()
    {
        var before = await Agent.LogLengthAsync();
        var spec = """
            {"Name":"lost-pw","Mode":{"Replicated":{"Replicas":0}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox","Command":["sleep","3600"],
             "Secrets":[{"SecretName":"nope","SecretID":"nope","File":{"Name":"nope","UID":"0","GID":"0","Mode":292}}]}}}
            """;
        var (status, message, body) = await SendAsync(HttpMethod.Post, "/services/create", spec);
        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {body}");
        Assert.Contains("secret not found: nope", message);
        // The docker CLI looks the name up itself before it sends the spec, with the same words.
        (await Agent.Docker("service", "create", "--name", "lost-pw", "--secret", "nope", "busybox")).ShouldFailWith("secret not found: nope");
        Assert.Equal(before, await Agent.LogLengthAsync());
    }

    [Fact]
    public async Task Data_of_500_KiB_is_refused()
    {
        var before = await Agent.LogLengthAsync();
        var data = Convert.ToBase64String(new byte[MaxSecretSize]);
        var (status, message, body) = await SendAsync(HttpMethod.Post, "/secrets/create", SecretBody("too-big", data));
        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {body}");
        Assert.Contains("secret data must be larger than 0 and less than 512000 bytes", message);
        Assert.Equal(before, await Agent.LogLengthAsync());
        Assert.DoesNotContain((await SendAsync(HttpMethod.Get, "/secrets")).Body, "too-big");
    }

    [Fact]
    public async Task Data_of_500_KiB_less_one_byte_is_accepted()
    {
        var before = await Agent.LogLengthAsync();
        var (status, _, body) = await SendAsync(HttpMethod.Post, "/secrets/create", SecretBody("just-fits", Convert.ToBase64String(new byte[MaxSecretSize - 1])));
        Assert.True(status == HttpStatusCode.Created, $"{status} {body}");
        Assert.True((await Agent.LogLengthAsync()).Events > before.Events, "an accepted secret is in the log");
        (await Agent.Docker("secret", "rm", "just-fits")).ShouldSucceed();
    }

    [Fact]
    public async Task A_duplicate_name_is_refused_as_a_conflict()
    {
        await CreateSecretAsync("twice");
        var before = await Agent.LogLengthAsync();
        var (status, message, body) = await SendAsync(HttpMethod.Post, "/secrets/create", SecretBody("twice", Convert.ToBase64String("other"u8.ToArray())));
        Assert.True(status == HttpStatusCode.Conflict, $"{status} {body}");
        Assert.Contains("secret twice already exists", message);
        (await SecretsProbe.Piped("other", Agent.Host, "docker", "secret", "create", "twice", "-")).ShouldFailWith("secret twice already exists");
        Assert.Equal(before, await Agent.LogLengthAsync());
        (await Agent.Docker("secret", "rm", "twice")).ShouldSucceed();
    }

    [Fact]
    public async Task Data_that_is_not_base64_is_refused()
    {
        var before = await Agent.LogLengthAsync();
        var (status, message, body) = await SendAsync(HttpMethod.Post, "/secrets/create", SecretBody("garbled", "not base64 at all!"));
        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {body}");
        Assert.Contains("illegal base64 data", message);
        Assert.DoesNotContain("not base64 at all", body);
        Assert.Equal(before, await Agent.LogLengthAsync());
    }

    [Fact]
    public async Task An_update_of_the_data_is_refused_and_one_of_the_labels_accepted()
    {
        var id = await CreateSecretAsync("immutable");
        var version = JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/secrets/{id}")).Body).RootElement.GetProperty("Version").GetProperty("Index").GetInt64();
        var before = await Agent.LogLengthAsync();

        var withData = JsonSerializer.Serialize(new { Name = "immutable", Data = Convert.ToBase64String("changed"u8.ToArray()) });
        var (status, message, body) = await SendAsync(HttpMethod.Post, $"/secrets/{id}/update?version={version}", withData);
        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {body}");
        Assert.Contains("only updates to Labels are allowed", message);
        var renamed = JsonSerializer.Serialize(new { Name = "renamed" });
        Assert.Contains("only updates to Labels are allowed", (await SendAsync(HttpMethod.Post, $"/secrets/{id}/update?version={version}", renamed)).Message);
        Assert.Equal(before, await Agent.LogLengthAsync());

        var labels = JsonSerializer.Serialize(new { Name = "immutable", Labels = new Dictionary<string, string> { ["team"] = "blue" } });
        var accepted = await SendAsync(HttpMethod.Post, $"/secrets/{id}/update?version={version}", labels);
        Assert.True(accepted.Status == HttpStatusCode.OK, $"{accepted.Status} {accepted.Body}");
        Assert.Equal("blue", JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/secrets/{id}")).Body).RootElement.GetProperty("Spec").GetProperty("Labels").GetProperty("team").GetString());
        (await Agent.Docker("secret", "rm", "immutable")).ShouldSucceed();
    }
}
