using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventSwarm.Node.Api.Engine;

/// <summary>
/// Set on a connection once it carries a hijacked stream (see Hijack). From then on the client's end of input (its
/// half-close) is stdin's end, never the connection's, for as long as the connection lives: Kestrel keeps no
/// connection alive after a 101 (nor after an upgrade), so it ends this one itself once the answer is written,
/// gracefully, its output sent first. Delivering the held-back close when the stream ended (from the response's
/// OnCompleted, as before) made Kestrel abort the connection while the last output could still wait in the
/// transport's pipe for the socket: `docker exec ctr echo hi` printed nothing with exit code 0 — a third of the
/// execs with the CPUs busy, the "first exec's output lost" of full-suite runs.
/// </summary>
public sealed class HijackedConnectionFeature
{
    private int _hijacked;

    public void Begin() => Volatile.Write(ref _hijacked, 1);

    /// <summary>True (the close is held back) once a hijacked stream began on the connection.</summary>
    internal bool HoldBack() => Volatile.Read(ref _hijacked) == 1;
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
                if (!feature.HoldBack()) Close();
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
            await base.DisposeAsync();
        }
    }
}
