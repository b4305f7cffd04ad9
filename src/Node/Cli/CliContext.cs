using System.Net.Http.Headers;
using Docker.DotNet;

namespace EventSwarm.Node.Cli;

/// <summary>Where a verb writes and the manager it talks to (connected on first use: parsing and help need none).</summary>
public sealed class CliContext(string host, TextWriter output, TextWriter error, Func<Stream>? input = null) : IDisposable
{
    private IDockerClient? _client;

    public string Host { get; } = host;

    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    /// <summary>Standard input, for <c>secret create NAME -</c> (opened on first use only).</summary>
    public Stream OpenInput() => (input ?? Console.OpenStandardInput)();

    /// <summary>The past instant every request asks for (the global <c>--at</c>, as <c>at=</c>); null for now.</summary>
    public string? At { get; set; }

    public IDockerClient Client => _client ??= Builder().Build();

    private DockerClientBuilder Builder()
    {
        var builder = new DockerClientBuilder().WithEndpoint(new Uri(Host)).WithApiVersion(new System.Version(1, 41));
        return At is { } at ? builder.WithAuthProvider(new History.PastInstantHandler(at)) : builder;
    }

    /// <summary>
    /// A GET the Docker SDK has no parameters for (its node list takes no filters): the Engine API path, versioned as
    /// the SDK's, over the same socket or TCP address.
    /// </summary>
    public Task<string> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, $"/v1.41{pathAndQuery}");

    /// <summary>
    /// A request the Docker SDK cannot make or whose answer it would trim (EventSwarm's /eventswarm/v1 routes; a secret's
    /// inspect with our DataVersion and Tasks): <paramref name="path"/> as given, a JSON body if any. A refusal is a
    /// <see cref="DockerApiException"/>, as the SDK's, so that it prints as docker prints the daemon's message.
    /// </summary>
    public async Task<string> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var uri = new Uri(Host);
        using var handler = new SocketsHttpHandler();
        if (uri.Scheme == "unix")
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(uri.LocalPath), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(uri.Scheme == "unix" ? "http://eventswarm" : $"http://{uri.Authority}") };
        if (At is { } at)
        {
            if (method != HttpMethod.Get) throw new UsageException($"{History.PastInstant.Flag}: a past instant is for reads only; {method} {path} was not sent");
            path = History.PastInstant.With(path, at);
        }
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, new MediaTypeHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new DockerApiException(response.StatusCode, body);
        return body;
    }

    public void Dispose() => _client?.Dispose();
}
