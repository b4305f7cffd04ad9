using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace EventSwarm.Node.Metrics;

/// <summary>
/// The plain-HTTP TCP listener of <c>--metrics-addr</c>, as dockerd's: it serves /metrics and nothing else (see
/// <see cref="Api.MetricsEndpoints.MapListener"/>), with no node certificate asked. Kestrel is told to listen on a
/// <see cref="Placeholder"/> only this transport binds, so that an address that cannot be bound (taken, not on
/// this host) is logged and the agent goes on without it, where a Kestrel endpoint that fails to bind stops the
/// whole server: metrics are not worth losing the node for (dockerd, too, logs a metrics listener that fails).
/// </summary>
public sealed class MetricsListener(ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets = new(Options.Create(new SocketTransportOptions()), loggers);
    private readonly ILogger _logger = loggers.CreateLogger<MetricsListener>();

    /// <summary>Where it listens; null until bound, and when the bind failed.</summary>
    public IPEndPoint? Bound { get; private set; }

    /// <summary>True for a connection that came in on this listener (the unix socket and the swarm's listener are other ports).</summary>
    public bool Serves(ConnectionInfo connection) =>
        Bound is { } bound && connection.LocalIpAddress is { } local && connection.LocalPort == bound.Port
        && (bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) || bound.Address.Equals(local)
            || local.IsIPv4MappedToIPv6 && bound.Address.Equals(local.MapToIPv4()));

    public bool CanBind(EndPoint endpoint) => endpoint is Placeholder;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var wanted = ((Placeholder)endpoint).Endpoint;
        try
        {
            var listener = await _sockets.BindAsync(wanted, cancellationToken);
            Bound = listener.EndPoint as IPEndPoint ?? wanted;
            _logger.LogInformation("metrics listening on http://{Endpoint}/metrics", Bound);
            return listener;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError("metrics: cannot listen on {Endpoint} ({Error}); /metrics is still served on the socket", wanted, e.Message);
            return new Unbound(endpoint);
        }
    }

    /// <summary>What Kestrel is told to listen on for <c>--metrics-addr</c>.</summary>
    public sealed class Placeholder(IPEndPoint endpoint) : EndPoint
    {
        public IPEndPoint Endpoint => endpoint;

        public override string ToString() => $"metrics listener ({endpoint})";
    }

    /// <summary>A listener that never accepts (its bind failed) until Kestrel stops.</summary>
    private sealed class Unbound(EndPoint endpoint) : IConnectionListener
    {
        private readonly TaskCompletionSource _unbound = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            await _unbound.Task.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            return null;
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _unbound.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
