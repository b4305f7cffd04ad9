using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace EventSwarm.Node.Swarm;

/// <summary>
/// The TCP listener for the other nodes of the swarm, opened by `swarm init` / `swarm join` and closed by
/// `swarm leave`, as dockerd opens :2377 only in a swarm. Kestrel cannot add an endpoint once started, so it binds
/// one placeholder endpoint at start through this transport, whose socket comes and goes at run time; Kestrel
/// keeps doing TLS (the node certificate) and HTTP on whatever connection it is handed. Unlike rebinding through a
/// configuration reload, the socket is bound by the caller itself: a port already taken fails `swarm init` with
/// the reason, and closing also drops the connections other nodes still hold.
/// </summary>
public sealed class RemoteListener(ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>What Kestrel is told to listen on: only this transport can bind it.</summary>
    public static readonly EndPoint Placeholder = new RemoteNodesEndPoint();

    private readonly object _gate = new();
    private readonly SocketConnectionContextFactory _connections = new(new SocketConnectionFactoryOptions(), loggers.CreateLogger<RemoteListener>());
    private readonly ConcurrentDictionary<ConnectionContext, byte> _open = new();
    private Socket? _socket;
    private TaskCompletionSource<Socket> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where it listens now; null when closed.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Binds and listens (an address in use or not on this node fails here, with the system's reason).</summary>
    public void Open(IPEndPoint endpoint)
    {
        lock (_gate)
        {
            if (Endpoint is not null) throw new InvalidOperationException($"already listening on {Endpoint}");
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = endpoint.Address.Equals(IPAddress.IPv6Any);
                // Connections dropped by a leave sit in TIME_WAIT on this port; the next init must still bind it.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(endpoint);
                socket.Listen(512);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            _socket = socket;
            Endpoint = endpoint;
            _opened.TrySetResult(socket);
        }
    }

    /// <summary>Stops listening and drops every connection from another node.</summary>
    public void Close()
    {
        Socket? socket;
        lock (_gate)
        {
            socket = _socket;
            _socket = null;
            Endpoint = null;
            if (_opened.Task.IsCompleted) _opened = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        socket?.Dispose();
        foreach (var connection in _open.Keys) connection.Abort(new ConnectionAbortedException("this node left the swarm"));
    }

    public bool CanBind(EndPoint endpoint) => endpoint is RemoteNodesEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new Listener(this, endpoint));

    private async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken unbound)
    {
        while (true)
        {
            Task<Socket> opened;
            lock (_gate) opened = _opened.Task;
            Socket socket;
            try
            {
                socket = await opened.WaitAsync(unbound);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(unbound);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed under the accept (swarm leave), or a connection reset before it was taken: accept again.
                continue;
            }
            accepted.NoDelay = true;
            var connection = _connections.Create(accepted);
            _open[connection] = 0;
            connection.ConnectionClosed.Register(() => _open.TryRemove(connection, out _));
            return connection;
        }
    }

    private sealed class Listener(RemoteListener owner, EndPoint endpoint) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();

        public EndPoint EndPoint => endpoint;

        public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) => owner.AcceptAsync(_unbound.Token);

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound.Cancel();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _unbound.Cancel();
            _unbound.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RemoteNodesEndPoint : EndPoint
    {
        public override string ToString() => "swarm listener (opened by swarm init/join)";
    }
}
