using Docker.DotNet;

namespace EventSwarm.Node.Cli;

/// <summary>Where a verb writes and the manager it talks to (connected on first use: parsing and help need none).</summary>
public sealed class CliContext(string host, TextWriter output, TextWriter error) : IDisposable
{
    private IDockerClient? _client;

    public string Host { get; } = host;

    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    public IDockerClient Client => _client ??= new DockerClientBuilder().WithEndpoint(new Uri(Host)).WithApiVersion(new System.Version(1, 41)).Build();

    /// <summary>
    /// A GET the Docker SDK has no parameters for (its node list takes no filters): the Engine API path, versioned as
    /// the SDK's, over the same socket or TCP address.
    /// </summary>
    public async Task<string> GetAsync(string pathAndQuery)
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
        using var response = await http.GetAsync($"/v1.41{pathAndQuery}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new DockerApiException(response.StatusCode, body);
        return body;
    }

    public void Dispose() => _client?.Dispose();
}
