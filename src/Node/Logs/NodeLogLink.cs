using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Logs;

/// <summary>
/// A manager's line to any node of the swarm for its tasks' logs: mutual TLS with this node's certificate, the peer
/// checked against the swarm's CA (LeaderLink's client, for every node rather than for managers only).
/// </summary>
public sealed class NodeLogLink(ClusterSecrets secrets)
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();

    /// <summary>
    /// Where a node serves other nodes. A node records its listener's advertised address when it joins (NodeJoined's
    /// Manager endpoints, kept for workers too: JoinDecider), so that is used; a node recorded without one (an older
    /// log) is called where Swarm's nodes listen by default, its address on port 2377.
    /// </summary>
    public static string ApiAddressOf(Domain.Nodes.Node node) => node.Manager?.Api ?? $"{node.Address}:{SwarmAddresses.DefaultPort}";

    /// <summary>
    /// The node's answer for one task, once its headers arrive within <paramref name="answerBound"/>; null when the
    /// node has no container for it (404). Anything else (refused, unreachable, slow, refused by the node) throws.
    /// </summary>
    public async Task<HttpResponseMessage?> OpenAsync(Domain.Nodes.Node node, string taskId, string engineQuery, TimeSpan answerBound, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(answerBound);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/eventswarm/v1/node/tasks/{Uri.EscapeDataString(taskId)}/logs?{engineQuery}");
        HttpResponseMessage response;
        try
        {
            response = await Client(ApiAddressOf(node)).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"node {node.Id} did not answer within {answerBound.TotalSeconds:0.#} s");
        }
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            var status = response.StatusCode;
            response.Dispose();
            throw new HttpRequestException($"node {node.Id} answered {(int)status}");
        }
        return response;
    }

    private HttpClient Client(string address) => _clients.GetOrAdd($"{secrets.NodeCertificate()?.Thumbprint}@{address}", key =>
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => secrets.NodeCertificate()!,
                RemoteCertificateValidationCallback = (_, peer, _, _) => peer is not null && secrets.Identify(new X509Certificate2(peer)) is not null,
            },
            ConnectTimeout = TimeSpan.FromSeconds(2),
        };
        // A follow lasts as long as the user wants: the answer's bound is per request, on its headers.
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{key[(key.IndexOf('@') + 1)..]}"), Timeout = Timeout.InfiniteTimeSpan };
    });

    /// <summary>Whether the projection says the node can be asked now (Swarm's log broker asks only connected nodes).</summary>
    public static bool IsAvailable(Domain.Nodes.Node node) => node.Status == NodeStatus.Ready;
}
