using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace EventSwarm.Node.Api;

/// <summary>
/// A plain-HTTP TCP listener beside the socket and the swarm's TLS port, for what a node offers but can live without:
/// the web view (<c>--web-addr</c>) and <c>--metrics-addr</c>. A Kestrel transport of its own, for two reasons. An
/// address that cannot be bound (taken, not on this host) must not stop the agent, where a Kestrel endpoint that
/// fails to bind stops the whole server; so the failure is logged (as dockerd logs a metrics listener that fails)
/// and the listener accepts nothing. And every connection it accepts carries its mark, so that the pipeline sends
/// it down its own branch (<see cref="Accepted"/>) and never down the API's, whatever the port numbers: the API
/// takes every other TCP caller for a node that must show its certificate.
/// </summary>
public sealed class SideListener : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly Func<IPEndPoint, string> _listening;
    private readonly Func<IPEndPoint, string, string> _cannotListen;
    private readonly ILogger _log;
    private readonly SocketConnectionContextFactory _connections;
    private readonly Placeholder _placeholder;

    /// <param name="listening">What the log says once bound, given the address.</param>
    /// <param name="cannotListen">What the log says when the bind failed, given the address and the system's reason.</param>
    public SideListener(IPEndPoint endpoint, Func<IPEndPoint, string> listening, Func<IPEndPoint, string, string> cannotListen, ILoggerFactory loggers)
    {
        _listening = listening;
        _cannotListen = cannotListen;
        _log = loggers.CreateLogger<SideListener>();
        _connections = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), _log);
        _placeholder = new Placeholder(this, endpoint);
    }

    /// <summary>Where it listens once Kestrel started it; null when it could not bind.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Tells Kestrel to listen here; only this transport binds it.</summary>
    public void ListenOn(KestrelServerOptions kestrel) => kestrel.Listen(_placeholder);

    /// <summary>True for a request that came in on a connection this listener accepted.</summary>
    public bool Accepted(HttpContext context) => ReferenceEquals(context.Features.Get<Mark>()?.Listener, this);

    public bool CanBind(EndPoint endpoint) => ReferenceEquals(endpoint, _placeholder);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var address = _placeholder.Address;
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
            _log.LogError("{Refusal}", _cannotListen(address, e.Message));
            return ValueTask.FromResult<IConnectionListener>(new Listener(this, null));
        }
        Endpoint = (IPEndPoint)socket.LocalEndPoint!;
        _log.LogInformation("{Listening}", _listening(Endpoint));
        return ValueTask.FromResult<IConnectionListener>(new Listener(this, socket));
    }

    private sealed class Listener(SideListener owner, Socket? socket) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();
        private readonly Mark _mark = new(owner);

        public EndPoint EndPoint => owner._placeholder;

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
                    connection.Features.Set(_mark);
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

    /// <summary>What Kestrel is told to listen on: only its own <see cref="SideListener"/> binds it.</summary>
    private sealed class Placeholder(SideListener owner, IPEndPoint address) : EndPoint
    {
        public IPEndPoint Address { get; } = address;

        public override string ToString() => $"{owner._listening(Address)}";
    }

    /// <summary>The mark a connection accepted here carries.</summary>
    private sealed record Mark(SideListener Listener);
}
