using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventSwarm.Node.Api.Engine;

/// <summary>Set on a connection while it carries a hijacked stream (see Hijack).</summary>
public sealed class HijackedConnectionFeature
{
    private readonly object _gate = new();
    private Action? _closedWhileHijacked;
    private bool _hijacked;

    /// <summary>From now on the client's end of input (its half-close) is stdin's end, not the connection's.</summary>
    public void Begin()
    {
        lock (_gate) _hijacked = true;
    }

    /// <summary>The stream is over: a client half-close held back until now closes the connection.</summary>
    public void End()
    {
        Action? closed;
        lock (_gate)
        {
            _hijacked = false;
            closed = _closedWhileHijacked;
            _closedWhileHijacked = null;
        }
        closed?.Invoke();
    }

    internal bool HoldBack(Action close)
    {
        lock (_gate)
        {
            if (!_hijacked) return false;
            _closedWhileHijacked = close;
            return true;
        }
    }
}

/// <summary>
/// Docker's clients half-close a hijacked connection: `docker exec ctr echo hi` shuts its sending side down at
/// once (no stdin) and reads the output until the engine closes. Kestrel takes the end of input for a client that
/// went away and aborts the connection, output included. On EventSwarm's socket the end of input is held back from
/// Kestrel while a hijacked stream runs; it reaches the stream as the end of stdin instead.
/// </summary>
public static class HalfClose
{
    public static ListenOptions UseDockerHalfClose(this ListenOptions listen)
    {
        listen.Use(next => connection => next(new HalfClosableConnection(connection)));
        return listen;
    }

    private sealed class HalfClosableConnection : ConnectionContext
    {
        private readonly ConnectionContext _inner;
        private readonly CancellationTokenSource _closed = new();

        public HalfClosableConnection(ConnectionContext inner)
        {
            _inner = inner;
            var feature = new HijackedConnectionFeature();
            inner.Features.Set(feature);
            inner.ConnectionClosed.Register(() =>
            {
                if (!feature.HoldBack(Close)) Close();
            });
        }

        private void Close()
        {
            try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        }

        public override CancellationToken ConnectionClosed { get => _closed.Token; set => throw new NotSupportedException(); }
        public override string ConnectionId { get => _inner.ConnectionId; set => _inner.ConnectionId = value; }
        public override IFeatureCollection Features => _inner.Features;
        public override IDictionary<object, object?> Items { get => _inner.Items; set => _inner.Items = value; }
        public override IDuplexPipe Transport { get => _inner.Transport; set => _inner.Transport = value; }
        public override EndPoint? LocalEndPoint { get => _inner.LocalEndPoint; set => _inner.LocalEndPoint = value; }
        public override EndPoint? RemoteEndPoint { get => _inner.RemoteEndPoint; set => _inner.RemoteEndPoint = value; }
        public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);
        public override void Abort() => _inner.Abort();

        public override async ValueTask DisposeAsync()
        {
            _closed.Dispose();
            await _inner.DisposeAsync();
        }
    }
}
