using System.Collections.Concurrent;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Networking;

/// <summary>
/// The node's DNS responder for task containers. Docker's embedded resolver (127.0.0.11 in every container on a
/// user-defined network) answers container names itself and forwards every other name to the DNS server the
/// container was created with: the gateway of its first network, where this listens, one server per network
/// present on the node. The query arrives from the container's own address, which tells who is asking.
/// </summary>
public sealed class ServiceDns(ClusterProjection projection, ILogger<ServiceDns> logger) : IDisposable
{
    /// <summary>Short, as Swarm's: a name must follow the tasks as they come and go.</summary>
    private const int Ttl = 0;

    private readonly ConcurrentDictionary<string, (string Gateway, DnsServer Server)> _servers = new();
    private readonly Lazy<DnsClient?> _upstream = new(() => UpstreamClient(logger));

    /// <summary>Serves each local network on its gateway address; stops serving networks that left the node.</summary>
    public void Serve(IReadOnlyList<LocalNetwork> networks)
    {
        foreach (var network in networks)
        {
            var gateway = Ipv4Subnet.Format(network.Gateway);
            if (_servers.TryGetValue(network.Id, out var running) && running.Gateway == gateway) continue;
            try
            {
                var endpoint = new IPEndPoint(IPAddress.Parse(gateway), 53);
                var server = new DnsServer(new UdpServerTransport(endpoint), new TcpServerTransport(endpoint));
                var networkId = network.Id;
                server.QueryReceived += (_, e) => AnswerAsync(networkId, e);
                server.ExceptionThrown += (_, e) =>
                {
                    logger.LogDebug(e.Exception, "DNS on {Gateway}", gateway);
                    return Task.CompletedTask;
                };
                server.Start();
                _servers[network.Id] = (gateway, server);
                logger.LogInformation("DNS for network {Network} on {Gateway}:53", network.Name, gateway);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException)
            {
                // The bridge (and its gateway address) may not be up yet; the next pass tries again.
                logger.LogDebug(e, "cannot serve DNS on {Gateway} yet", gateway);
            }
        }
        foreach (var id in _servers.Keys.Where(id => networks.All(n => n.Id != id)).ToList())
            if (_servers.TryRemove(id, out var gone)) gone.Server.Stop();
    }

    private async Task AnswerAsync(string networkId, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1) return;
        var question = query.Questions[0];
        var caller = (e.RemoteEndpoint as IPEndPoint)?.Address.ToString() ?? "";
        var answer = ServiceDiscovery.Resolve(projection.Current, networkId, caller, question.Name.ToString());
        if (answer.Kind == DnsAnswerKind.NotOurs)
        {
            e.Response = await ForwardAsync(query);
            return;
        }
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        response.ReturnCode = ReturnCode.NoError;
        if (question.RecordType is RecordType.A or RecordType.Any)
            foreach (var address in answer.Addresses)
                response.AnswerRecords.Add(new ARecord(question.Name, Ttl, IPAddress.Parse(address)));
        e.Response = response;
    }

    /// <summary>Names that are not the swarm's go to the node's own resolvers, as Docker's do.</summary>
    private async Task<DnsMessage> ForwardAsync(DnsMessage query)
    {
        var question = query.Questions[0];
        DnsMessage? upstream = null;
        if (_upstream.Value is { } client)
        {
            try
            {
                upstream = await client.ResolveAsync(question.Name, question.RecordType, question.RecordClass);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "forwarding {Name} failed", question.Name);
            }
        }
        var response = query.CreateResponseInstance();
        if (upstream is null)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return response;
        }
        response.ReturnCode = upstream.ReturnCode;
        response.AnswerRecords.AddRange(upstream.AnswerRecords);
        response.AuthorityRecords.AddRange(upstream.AuthorityRecords);
        return response;
    }

    private static DnsClient? UpstreamClient(ILogger logger)
    {
        try
        {
            var servers = File.ReadLines("/etc/resolv.conf")
                .Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 2 && f[0] == "nameserver" && IPAddress.TryParse(f[1], out _))
                .Select(f => IPAddress.Parse(f[1]))
                .Where(a => !a.Equals(IPAddress.Parse("127.0.0.11")))
                .ToList();
            return servers.Count == 0 ? null : new DnsClient(servers, 2000);
        }
        catch (IOException e)
        {
            logger.LogWarning("no upstream DNS: {Error}", e.Message);
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var (_, server) in _servers.Values) server.Stop();
        _servers.Clear();
    }
}
