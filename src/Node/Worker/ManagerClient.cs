using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EventSwarm.Domain;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Worker;

/// <summary>
/// A worker's line to its manager: mutual TLS with the node certificate, and the manager's certificate checked
/// against the swarm's root CA, never against the machine's trust store.
/// </summary>
public sealed class ManagerClient : IDisposable
{
    private readonly Dictionary<string, HttpClient> _clients = new();
    private readonly Membership? _membership;
    private readonly Func<(string Address, X509Certificate2 Certificate, Func<X509Certificate2> Ca)> _link;

    /// <summary>The node's own line: the manager its membership follows, with the identity its secrets hold.</summary>
    public ManagerClient(Membership membership, ClusterSecrets secrets)
    {
        _membership = membership;
        _link = () => (membership.ManagerAddress ?? throw new InvalidOperationException("this node follows no manager"),
            secrets.NodeCertificate() ?? throw new InvalidOperationException("no node certificate on this node"),
            () => secrets.CaCertificate() ?? throw new InvalidOperationException("no swarm CA on this node"));
    }

    /// <summary>
    /// A line with a fixed identity, for a node that keeps its certificate in memory (a simulated node: many share
    /// one process, each with its own key). <paramref name="scoped"/> asks the manager for the node's own feed.
    /// </summary>
    public ManagerClient(string address, X509Certificate2 certificate, X509Certificate2 ca, bool scoped)
    {
        _link = () => (address, certificate, () => ca);
        Scoped = scoped;
    }

    /// <summary>
    /// Follows the manager's per-node feed (what swarmkit's dispatcher sends a node: its tasks, what they need, and
    /// every node's status) instead of the whole state and every event.
    /// </summary>
    public bool Scoped { get; }

    /// <summary>Counts the bytes of the state and the events received (a simulation's feed figures).</summary>
    public Action<long>? Received { get; set; }

    private string ScopeQuery => Scoped ? "scope=node" : "";

    /// <summary>The manager this worker follows now; <see cref="Membership.FollowManager"/> moves it to another.</summary>
    private HttpClient Http
    {
        get
        {
            var (address, certificate, caOf) = _link();
            // Keyed by certificate too: after a leave and a join this node has another certificate and CA, and
            // pooled connections keep the certificate they were opened with.
            var key = $"{certificate.Thumbprint}@{address}";
            lock (_clients)
            {
                if (_clients.TryGetValue(key, out var client)) return client;
                var ca = caOf();
                var handler = new SocketsHttpHandler
                {
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        ClientCertificates = new X509CertificateCollection { certificate },
                        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                            certificate is not null && ClusterSecrets.IsSignedBy(new X509Certificate2(certificate), ca),
                    },
                    ConnectTimeout = TimeSpan.FromSeconds(2),
                };
                return _clients[key] = new HttpClient(handler) { BaseAddress = new Uri($"https://{address}"), Timeout = TimeSpan.FromSeconds(30) };
            }
        }
    }

    /// <summary>Any manager serves workers: after a failure, follow the next one the log knows, round the list.</summary>
    public void FailOver(ClusterState state)
    {
        var managers = state.Nodes.Values.Where(n => n.Role == Domain.Nodes.NodeRole.Manager && n.Manager is not null)
            .Select(n => n.Manager!.Api).Order().ToList();
        if (_membership is { } membership && managers.Count > 0 && membership.ManagerAddress is { } current)
            membership.FollowManager(managers[(managers.IndexOf(current) + 1) % managers.Count]);
    }

    public async Task<ClusterState> StateAsync(CancellationToken ct)
    {
        using var response = await Http.GetAsync($"/eventswarm/v1/worker/state?{ScopeQuery}", ct);
        response.EnsureSuccessStatusCode();
        return (await ReadAsync<ClusterState>(response, ct))!;
    }

    /// <summary>Events after a sequence, waiting on the manager for up to 10 s; null when the manager no longer holds them.</summary>
    public async Task<IReadOnlyList<RecordedEvent>?> EventsAsync(long after, CancellationToken ct)
    {
        using var response = await Http.GetAsync($"/eventswarm/v1/worker/events?after={after}&{ScopeQuery}", ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Gone) return null;
        response.EnsureSuccessStatusCode();
        return (await ReadAsync<List<RecordedEvent>>(response, ct))!;
    }

    private async Task<T?> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (Received is not { } received) return await response.Content.ReadFromJsonAsync<T>(EventJson.Options, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        received(bytes.Length);
        return JsonSerializer.Deserialize<T>(bytes, EventJson.Options);
    }

    public async Task ReportAsync(ReportTaskStatus report, CancellationToken ct) =>
        (await Http.PostAsJsonAsync("/eventswarm/v1/worker/report", report, EventJson.Options, ct)).EnsureSuccessStatusCode();

    /// <summary>A worker the log says was promoted asks for a manager certificate and the managers' material.</summary>
    public async Task<JoinResponse> PromotionAsync(string certificateSigningRequest, CancellationToken ct)
    {
        using var response = await Http.PostAsJsonAsync("/eventswarm/v1/worker/promotion", new PromotionRequest(certificateSigningRequest), EventJson.Options, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JoinResponse>(EventJson.Options, ct))!;
    }

    /// <summary>
    /// The secrets and configs of a task of this node, in clear over the mutual-TLS link (Swarm's dispatcher sends
    /// them on its session the same way). A refusal comes back as the manager's message, never with data.
    /// </summary>
    public async Task<IReadOnlyList<Application.Workers.TaskFile>> TaskFilesAsync(string taskId, CancellationToken ct)
    {
        using var response = await Http.GetAsync($"/eventswarm/v1/worker/tasks/{Uri.EscapeDataString(taskId)}/files", ct);
        if (!response.IsSuccessStatusCode)
            throw new Application.Workers.TaskFilesUnavailableException(await RefusalAsync(response, ct));
        var files = await response.Content.ReadFromJsonAsync<List<TaskFileWire>>(TaskFileWire.Options, ct) ?? [];
        return [.. files.Select(f => f.ToTaskFile())];
    }

    /// <summary>The manager's {"message": …}, or its status when the body says nothing readable.</summary>
    private static async Task<string> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            if (body.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text) return text;
        }
        catch (JsonException)
        {
        }
        return $"the manager answered {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    /// <summary>Tells the manager this node is alive; it answers with the period it expects the next beat in.</summary>
    public async Task<TimeSpan?> HeartbeatAsync(CancellationToken ct)
    {
        using var response = (await Http.PostAsync("/eventswarm/v1/worker/heartbeat", null, ct)).EnsureSuccessStatusCode();
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return body.RootElement.TryGetProperty("period", out var period) && period.TryGetDouble(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds) : null;
    }

    public void Dispose()
    {
        lock (_clients)
            foreach (var client in _clients.Values) client.Dispose();
    }
}
