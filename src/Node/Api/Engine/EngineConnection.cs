using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace EventSwarm.Node.Api.Engine;

/// <summary>The engine could not be reached: Docker's CLI says so in these words when dockerd is down.</summary>
public sealed class EngineUnreachableException(string address, Exception inner)
    : Exception($"Cannot connect to the Docker daemon at {address}. Is the docker daemon running?", inner);

/// <summary>
/// The node's own Docker Engine (AgentOptions.DockerHost: <c>unix:///var/run/docker.sock</c> or <c>tcp://host:port</c>)
/// as an HTTP peer: one pooled invoker for every forwarded call, and raw connections for hijacked streams.
/// </summary>
public sealed class EngineConnection : IDisposable
{
    private readonly string? _socketPath;
    private readonly (string Host, int Port)? _tcp;
    private readonly SocketsHttpHandler _handler;

    public EngineConnection(string dockerHost)
    {
        Address = dockerHost;
        var uri = new Uri(dockerHost);
        switch (uri.Scheme)
        {
            case "unix":
                _socketPath = uri.AbsolutePath;
                DestinationPrefix = "http://docker";
                break;
            case "tcp" or "http":
                _tcp = (uri.Host, uri.Port > 0 ? uri.Port : 2375);
                DestinationPrefix = $"http://{uri.Host}:{_tcp.Value.Port}";
                break;
            default:
                throw new ArgumentException($"unsupported Docker host '{dockerHost}': expected unix:///path or tcp://host:port");
        }
        _handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // Forwarded calls carry the client's own headers; no tracing headers of ours.
            ActivityHeadersPropagator = null,
            ConnectCallback = _socketPath is null ? null : async (_, ct) => new NetworkStream(await ConnectUnixAsync(ct), ownsSocket: true),
        };
        Invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
        Http = new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri(DestinationPrefix), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>As given to the agent, for messages: <c>unix:///var/run/docker.sock</c>.</summary>
    public string Address { get; }

    /// <summary>What forwarded request URIs start with; the path and query are the client's own.</summary>
    public string DestinationPrefix { get; }

    /// <summary>For the forwarder: no timeout of its own (streams such as logs -f last as long as the client wants).</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>For EventSwarm's own questions to the engine (its /info, /version, /networks).</summary>
    public HttpClient Http { get; }

    /// <summary>A fresh connection of its own, for a stream that leaves HTTP (attach, exec).</summary>
    public async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        if (_socketPath is not null) return await ConnectUnixAsync(ct);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_tcp!.Value.Host, _tcp.Value.Port, ct);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new EngineUnreachableException(Address, e);
        }
    }

    /// <summary>GET a JSON document from the engine; the path carries the API version the caller wants.</summary>
    public async Task<JsonNode?> GetJsonAsync(string pathAndQuery, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await Http.GetAsync(pathAndQuery, ct);
        }
        catch (HttpRequestException e)
        {
            throw new EngineUnreachableException(Address, e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode) throw new EngineAnswerException((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            return JsonNode.Parse(await response.Content.ReadAsStreamAsync(ct));
        }
    }

    private async Task<Socket> ConnectUnixAsync(CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath!), ct);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new EngineUnreachableException(Address, e);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        Invoker.Dispose();
        _handler.Dispose();
    }
}

/// <summary>The engine refused a question of ours; its status and body (Docker's <c>{"message": …}</c>) go to the caller as they are.</summary>
public sealed class EngineAnswerException(int status, string body) : Exception($"the Docker Engine answered {status}: {body}")
{
    public int Status { get; } = status;
    public string Body { get; } = body;
}
