using System.Collections.Immutable;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Networking;

public enum DnsAnswerKind { Records, NotOurs }

public sealed record DnsAnswer(DnsAnswerKind Kind, ImmutableArray<string> Addresses)
{
    public static DnsAnswer NotOurs { get; } = new(DnsAnswerKind.NotOurs, []);
    public static DnsAnswer Of(IEnumerable<string> addresses) => new(DnsAnswerKind.Records, [.. addresses]);
}

/// <summary>
/// Swarm's service discovery as a pure function of the projection: `&lt;service&gt;` is the service's VIP (or, in
/// dnsrr mode, its running tasks' addresses), `tasks.&lt;service&gt;` the running tasks' addresses, and network
/// aliases answer like the service's name. A name resolves only for a caller that shares a network with the
/// service; anything else is not ours and goes to the node's own resolver.
/// </summary>
public static class ServiceDiscovery
{
    private const string TasksPrefix = "tasks.";

    public static DnsAnswer Resolve(ClusterState state, string receivingNetworkId, string callerAddress, string queryName)
    {
        var name = queryName.TrimEnd('.').ToLowerInvariant();
        var visible = NetworksOf(state, receivingNetworkId, callerAddress);

        var wantsTasks = name.StartsWith(TasksPrefix, StringComparison.Ordinal);
        var serviceName = wantsTasks ? name[TasksPrefix.Length..] : name;
        foreach (var service in state.Services.Values)
        {
            var shared = service.Spec.TaskNetworks
                .Where(n => visible.Contains(n.Target)
                    && (service.Spec.Name.Equals(serviceName, StringComparison.OrdinalIgnoreCase)
                        || (!n.Aliases.IsDefault && n.Aliases.Contains(serviceName, StringComparer.OrdinalIgnoreCase))))
                .Select(n => n.Target)
                .ToList();
            if (shared.Count == 0) continue;

            if (wantsTasks || service.Spec.Endpoint.Mode == EndpointMode.Dnsrr)
                return DnsAnswer.Of(shared.SelectMany(network => NodeNetworkPlan.Backends(state, service.Id, network)).Distinct());
            return DnsAnswer.Of(service.Endpoint.VirtualIps.Where(v => shared.Contains(v.NetworkId)).Select(v => v.Address).Take(1));
        }
        return DnsAnswer.NotOurs;
    }

    /// <summary>The networks of the task that asked, found by its address; an unknown caller sees the network it asked on.</summary>
    private static HashSet<string> NetworksOf(ClusterState state, string receivingNetworkId, string callerAddress)
    {
        var caller = state.TasksAttachedTo(receivingNetworkId).FirstOrDefault(t => !t.Status.State.IsTerminal()
            && t.Networks.Any(a => a.NetworkId == receivingNetworkId && a.Address == callerAddress));
        return caller is null ? [receivingNetworkId] : [.. caller.Networks.Select(a => a.NetworkId)];
    }
}
