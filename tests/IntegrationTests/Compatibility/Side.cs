using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>What an engine answered to one request: status code, body and headers.</summary>
public sealed record Answer(string Request, int Status, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonNode? Json
    {
        get
        {
            try { return string.IsNullOrWhiteSpace(Body) ? null : JsonNode.Parse(Body); }
            catch (System.Text.Json.JsonException) { return JsonValue.Create(Body); }
        }
    }

    /// <summary>The error message of a refusal, as Docker writes it: <c>{"message": "…"}</c>.</summary>
    public string Message => Json is JsonObject o && o["message"] is JsonValue m ? m.ToString() : "";

    public Answer ShouldSucceed()
    {
        Assert.True(Status is >= 200 and < 300, $"{Request} answered {Status}: {Body}");
        return this;
    }

    public override string ToString() => $"{Request} -> {Status} {Body}";
}

/// <summary>
/// One engine answering the Docker Engine API on a unix socket: the oracle (a real Docker Engine in swarm mode)
/// or EventSwarm. Tests make the same calls on both sides through raw HTTP, Docker.DotNet and the docker CLI.
/// </summary>
public sealed class Side : IDisposable
{
    private readonly HttpClient _http;

    public Side(string name, string socket, string advertiseAddress, string listenAddress)
    {
        Name = name;
        Socket = socket;
        AdvertiseAddress = advertiseAddress;
        ListenAddress = listenAddress;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://engine"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>"docker" or "eventswarm": the name each uses for itself in its messages.</summary>
    public string Name { get; }
    public string Socket { get; }
    public string AdvertiseAddress { get; }
    public string ListenAddress { get; }
    public string Host => $"unix://{Socket}";

    /// <summary>A versioned call, as every SDK makes it (<c>/v1.41/…</c>).</summary>
    public Task<Answer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json") =>
        RawAsync(method, $"/v1.41{path}", body, contentType);

    public Task<Answer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<Answer> PostAsync(string path, string? body = null) => SendAsync(HttpMethod.Post, path, body);
    public Task<Answer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <param name="contentType">The body's declared type, sent as given ("" sends none).</param>
    public async Task<Answer> RawAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType.Length > 0) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        using var response = await _http.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join(",", g.SelectMany(h => h.Value)), StringComparer.OrdinalIgnoreCase);
        return new Answer($"{method} {path}", (int)response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }

    public Task<CommandResult> Cli(params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = Host });

    public IDockerClient Api() =>
        new DockerClientBuilder().WithEndpoint(new Uri(Host)).WithApiVersion(new System.Version(1, 41)).Build();

    public async Task<string> LocalNodeStateAsync() =>
        (await GetAsync("/info")).Json?["Swarm"]?["LocalNodeState"]?.ToString() ?? "";

    public async Task<string> NodeIdAsync() =>
        (await GetAsync("/info")).Json?["Swarm"]?["NodeID"]?.ToString() ?? "";

    /// <summary>The Version.Index of an object (<c>/services/x</c>, <c>/nodes/x</c>, <c>/swarm</c>) for an update.</summary>
    public async Task<ulong> VersionOfAsync(string path) =>
        (ulong)((await GetAsync(path)).ShouldSucceed().Json!["Version"]!["Index"]!.GetValue<long>());

    /// <summary>The body of <c>POST /swarm/init</c> that every comparison starts from, plus what a test adds.</summary>
    public string InitBody(string extra = "") =>
        $$"""{"ListenAddr":"{{ListenAddress}}","AdvertiseAddr":"{{AdvertiseAddress}}"{{(extra == "" ? "" : "," + extra)}}}""";

    public void Dispose() => _http.Dispose();

    public override string ToString() => Name;
}
