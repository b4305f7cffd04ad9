using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using Mediator;

namespace EventSwarm.Node.Manager;

/// <summary>
/// A manager's line to the leader: only the leader decides, so a follower forwards the commands it receives, the
/// heartbeats of the nodes it serves and requests to add managers. The leader is found through Raft (its peer
/// address) and the log (the API address that manager recorded when it joined); calls are mutual TLS.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class LeaderLink(RaftLogHost raft, ClusterProjection projection, ClusterSecrets secrets, Heartbeats heartbeats, ILogger<LeaderLink> logger)
{
    /// <summary>An election takes 1–2 s; a caller waits this long for a leader before being told there is none.</summary>
    private static readonly TimeSpan LeaderWait = TimeSpan.FromSeconds(6);

    public const string CommittedHeader = "X-EventSwarm-Committed";

    /// <summary>The original caller of a forwarded command, which the leader believes only of a manager's connection.</summary>
    public const string CallerHeader = "X-EventSwarm-Caller";

    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();

    public async Task<TResponse> ForwardAsync<TResponse>(object command, CancellationToken ct)
    {
        // Every command carries its Caller (the identity this manager established); the leader records it as
        // vouched for by this manager's certificate (ManagerEndpoints.Vouched), not as the body says.
        var caller = command.GetType().GetProperty(nameof(Caller))?.GetValue(command) as Caller
            ?? throw new InvalidOperationException($"{command.GetType().Name} has no caller to forward");
        using var response = await CallLeaderAsync(async client =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/eventswarm/v1/manager/forward/{command.GetType().Name}")
            {
                Content = JsonContent.Create(command, command.GetType(), options: EventJson.Options),
            };
            request.Headers.Add(CallerHeader, Uri.EscapeDataString(caller.Identity));
            request.Headers.TryAddWithoutValidation("X-Correlation-Id", caller.CorrelationId);
            return await client.SendAsync(request, ct);
        }, ct);
        if (response.Headers.TryGetValues(CommittedHeader, out var values) && long.TryParse(values.FirstOrDefault(), out var committed))
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await raft.Log.WaitForAppliedAsync(committed, bounded.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("write committed at {Index} not applied here within 5 s", committed);
            }
            catch (Exception e) when (Infrastructure.Log.DiskAlarm.IsNoSpace(e))
            {
                // The leader committed it: the caller must hear so, not a refusal. This manager's log cannot take
                // it for want of space (its disk alarm is raised) and catches up once space is freed.
                logger.LogWarning("write committed at {Index} not applied here: this manager's disk is full", committed);
            }
        }
        if (typeof(TResponse) == typeof(Unit)) return default!;
        return (await response.Content.ReadFromJsonAsync<TResponse>(EventJson.Options, ct))!;
    }

    /// <summary>A node's heartbeat, recorded here when this manager leads and passed on to the leader otherwise.</summary>
    public Task BeatAsync(string nodeId, CancellationToken ct) =>
        TellLeaderAsync($"/eventswarm/v1/manager/heartbeat/{Uri.EscapeDataString(nodeId)}", () => heartbeats.Beat(nodeId), ct);

    /// <summary>A node's connection to this manager closed; the leader's node monitor gives it less grace.</summary>
    public Task DisconnectedAsync(string nodeId, CancellationToken ct) =>
        TellLeaderAsync($"/eventswarm/v1/manager/disconnected/{Uri.EscapeDataString(nodeId)}", () => heartbeats.Disconnected(nodeId), ct);

    /// <summary>What only the leader's memory holds: recorded here when this manager leads, posted to the leader otherwise.</summary>
    private async Task TellLeaderAsync(string path, Action recordHere, CancellationToken ct)
    {
        try
        {
            if (!raft.IsLeader)
            {
                using var _ = await CallLeaderAsync(client => client.PostAsync(path, null, ct), ct);
                return;
            }
        }
        catch (LeadershipMovedHereException)
        {
        }
        recordHere();
    }

    /// <summary>Adds a manager that joined to the Raft cluster (on the leader); returns once it has caught up.</summary>
    public async Task AddManagerAsync(string raftAddress, CancellationToken ct)
    {
        if (!IPEndPoint.TryParse(raftAddress, out var endpoint)) throw new BadRequestException($"invalid Raft address '{raftAddress}': expected IP:PORT");
        try
        {
            if (!raft.IsLeader)
            {
                using var _ = await CallLeaderAsync(client => client.PostAsJsonAsync("/eventswarm/v1/manager/raft-members", new RaftMemberRequest(raftAddress), ct), ct);
                return;
            }
        }
        catch (LeadershipMovedHereException)
        {
        }
        if (!projection.Current.Nodes.Values.Any(n => n.Manager?.Raft == raftAddress))
            throw new BadRequestException($"no manager of this swarm has the Raft address {raftAddress}");
        if (!raft.Log.Members.Any(m => m.Endpoint.ToString() == raftAddress))
            await raft.Log.AddMemberAsync(endpoint, ct);
    }

    /// <summary>The same request to a given manager (a joiner knows only the one it joined through).</summary>
    public async Task AddManagerThroughAsync(string managerApi, string raftAddress, CancellationToken ct)
    {
        using var response = await Client(managerApi).PostAsJsonAsync("/eventswarm/v1/manager/raft-members", new RaftMemberRequest(raftAddress), ct);
        await EnsureSuccessAsync(response, ct);
    }

    public string? LeaderApiAddress()
    {
        if (!raft.IsOpen || raft.Log.LeaderEndpoint?.ToString() is not { } leader) return null;
        return projection.Current.Nodes.Values.FirstOrDefault(n => n.Manager?.Raft == leader)?.Manager?.Api;
    }

    /// <summary>
    /// Retries only what cannot have reached a leader: no leader known yet, a refused connection, or a manager that
    /// says it no longer leads. Anything else is reported, never repeated, so a command is not applied twice.
    /// </summary>
    private async Task<HttpResponseMessage> CallLeaderAsync(Func<HttpClient, Task<HttpResponseMessage>> call, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + LeaderWait;
        while (true)
        {
            if (raft.IsLeader) throw new LeadershipMovedHereException();
            var address = LeaderApiAddress();
            if (address is not null)
            {
                try
                {
                    var response = await call(Client(address));
                    if (response.StatusCode != HttpStatusCode.MisdirectedRequest)
                    {
                        await EnsureSuccessAsync(response, ct);
                        return response;
                    }
                    response.Dispose();
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
                {
                    logger.LogDebug("leader {Leader} unreachable ({Error}); waiting for a new one", address, e.Message);
                }
            }
            if (DateTime.UtcNow > deadline) throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable, RaftLog.NoLeader));
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            message = json.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        catch (JsonException)
        {
        }
        response.Dispose();
        var kind = response.StatusCode switch
        {
            HttpStatusCode.NotFound => ErrorKind.NotFound,
            HttpStatusCode.Conflict => ErrorKind.Conflict,
            HttpStatusCode.BadRequest => ErrorKind.Invalid,
            HttpStatusCode.NotImplemented => ErrorKind.Unimplemented,
            HttpStatusCode.InternalServerError when message is not null => ErrorKind.Internal,
            _ => ErrorKind.Unavailable,
        };
        throw new CommandRejectedException(new DomainError(kind, message ?? $"the leader answered {(int)response.StatusCode}"));
    }

    /// <summary>
    /// One client per manager and per node certificate: pooled connections carry the certificate they were opened
    /// with, and after a leave and a new init or join this node has another one (and another swarm's CA).
    /// </summary>
    private HttpClient Client(string address) => _clients.GetOrAdd($"{secrets.NodeCertificate()?.Thumbprint}@{address}", key =>
    {
        var a = key[(key.IndexOf('@') + 1)..];
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => secrets.NodeCertificate()!,
                RemoteCertificateValidationCallback = (_, peer, _, _) => peer is not null && secrets.Identify(new X509Certificate2(peer)) is { IsManager: true },
            },
            ConnectTimeout = TimeSpan.FromSeconds(2),
        };
        // Adding a manager waits for it to catch up with the whole log.
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{a}"), Timeout = TimeSpan.FromSeconds(60) };
    });
}

public sealed record RaftMemberRequest(string Address);

/// <summary>While a call waited for a leader, this manager was elected: the caller does the work here instead.</summary>
public sealed class LeadershipMovedHereException : Exception;

/// <summary>
/// Sends a command to the leader when this manager is a follower; validation has already run here, so malformed
/// input is refused without a network trip. On the leader it runs here; a worker refuses it.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class ForwardToLeaderBehavior<TMessage, TResponse>(RaftLogHost raft, Membership membership, LeaderLink leader)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        // A worker changes nothing, even a command that would append nothing; `swarm init` says it is in a swarm.
        if (membership.IsWorker) throw RaftLogHost.NotAManager();
        // In no swarm (never joined, or just left): Docker's 503, not an error about a log that is not there.
        if (!raft.IsOpen) throw RaftLogHost.NotInSwarm();
        if (raft.IsLeader) return await next(message, ct);
        try
        {
            return await leader.ForwardAsync<TResponse>(message, ct);
        }
        catch (LeadershipMovedHereException)
        {
            return await next(message, ct);
        }
    }
}
