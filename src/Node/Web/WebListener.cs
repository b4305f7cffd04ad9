using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace EventSwarm.Node.Web;

/// <summary>
/// The web view's TCP listener (<c>--web-addr</c>), a Kestrel transport of its own for two reasons. A port already
/// taken must not stop the agent: the web view is a convenience, the node's work is not (Kestrel's own transport
/// fails the whole start), so the bind failure is logged and the listener accepts nothing. And every connection it
/// hands Kestrel is marked (<see cref="WebConnection"/>), so that <see cref="WebView"/> sends it down the web view's
/// pipeline and never down the API's, whatever the port numbers.
/// </summary>
public sealed class WebListener(ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly ILogger _log = loggers.CreateLogger<WebListener>();
    private readonly SocketConnectionContextFactory _connections = new(new SocketConnectionFactoryOptions(), loggers.CreateLogger<WebListener>());

    /// <summary>Where it listens once Kestrel started it; null when it could not bind (or was never asked to).</summary>
    public IPEndPoint? Endpoint { get; private set; }

    public bool CanBind(EndPoint endpoint) => endpoint is WebEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var address = ((WebEndPoint)endpoint).Address;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = address.Address.Equals(IPAddress.IPv6Any);
            socket.Bind(address);
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            _log.LogError("the web view cannot listen on {Address}: {Reason}; the agent runs on without it (choose another with --web-addr IP:PORT, or --web-addr none)",
                address, e.Message);
            return ValueTask.FromResult<IConnectionListener>(new Listener(this, endpoint, null));
        }
        Endpoint = (IPEndPoint)socket.LocalEndPoint!;
        _log.LogInformation("web view listening on http://{Address}", Endpoint);
        return ValueTask.FromResult<IConnectionListener>(new Listener(this, endpoint, socket));
    }

    private sealed class Listener(WebListener owner, EndPoint endpoint, Socket? socket) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();

        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                try
                {
                    if (socket is null)
                    {
                        // Nothing bound: wait until Kestrel stops, then say there is nothing more to accept.
                        await Task.Delay(Timeout.Infinite, _unbound.Token);
                        return null;
                    }
                    var accepted = await socket.AcceptAsync(_unbound.Token);
                    accepted.NoDelay = true;
                    var connection = owner._connections.Create(accepted);
                    connection.Features.Set(WebConnection.Instance);
                    return connection;
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                catch (ObjectDisposedException)
                {
                    return null;
                }
                catch (SocketException)
                {
                    // A connection reset before it was taken: accept the next.
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound.Cancel();
            socket?.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _unbound.Cancel();
            socket?.Dispose();
            _unbound.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>What Kestrel is told to listen on for the web view: only <see cref="WebListener"/> binds it.</summary>
public sealed class WebEndPoint(IPEndPoint address) : EndPoint
{
    public IPEndPoint Address { get; } = address;

    public override string ToString() => $"web view (http://{Address})";
}

/// <summary>The mark of a connection accepted on the web view's listener.</summary>
public sealed class WebConnection
{
    public static readonly WebConnection Instance = new();
}
