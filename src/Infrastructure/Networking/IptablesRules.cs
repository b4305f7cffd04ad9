using System.Text;
using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;

namespace EventSwarm.Infrastructure.Networking;

/// <summary>
/// The plan as netfilter rules, written for one atomic `iptables-restore --noflush`: declaring a chain there
/// empties it, so every pass rewrites EventSwarm's chains whole and never touches Docker's. VIPs and the
/// routing mesh are DNAT with round robin per new connection (the `statistic` match in nth mode, cascaded so
/// that each backend gets 1/n), which this kernel has, where Swarm's IPVS is missing.
/// </summary>
public static class IptablesRules
{
    public const string BridgePrefix = "es-";
    public const string Prerouting = "ES-PREROUTING";
    public const string Output = "ES-OUTPUT";
    public const string Postrouting = "ES-POSTROUTING";
    public const string Forward = "ES-FORWARD";
    public const string Input = "ES-INPUT";

    /// <summary>IPv4's loopback block: a `curl 127.0.0.1:PORT` on a node comes from and goes to it.</summary>
    public const string Loopback = "127.0.0.0/8";

    /// <summary>Linux interface names hold 15 characters: "es-" and the first 12 of the network ID.</summary>
    public static string BridgeName(string networkId) => BridgePrefix + networkId[..Math.Min(12, networkId.Length)];

    public static string Nat(NodeNetworkPlan plan, IReadOnlyCollection<string> existingChains)
    {
        var chains = new List<string> { Prerouting, Output, Postrouting };
        var rules = new List<string>();
        var byId = plan.Networks.ToDictionary(n => n.Id);

        foreach (var vip in plan.Vips)
        {
            if (!byId.TryGetValue(vip.NetworkId, out var network)) continue;
            var chain = $"ES-VIP-{Ipv4Subnet.ParseAddress(vip.Vip):X8}";
            chains.Add(chain);
            foreach (var protocol in new[] { "tcp", "udp" })
                rules.Add($"-A {Prerouting} -i {BridgeName(network.Id)} -d {vip.Vip}/32 -p {protocol} -j {chain}");
            rules.AddRange(RoundRobin(chain, vip.Backends, protocol: null, port: null));
        }

        foreach (var port in plan.Mesh)
        {
            var protocol = port.Protocol.Name();
            var chain = $"ES-MESH-{protocol.ToUpperInvariant()}-{port.PublishedPort}";
            chains.Add(chain);
            var match = $"-m addrtype --dst-type LOCAL -p {protocol} -m {protocol} --dport {port.PublishedPort}";
            rules.Add($"-A {Prerouting} {match} -j {chain}");
            rules.Add($"-A {Output} {match} -j {chain}");
            rules.AddRange(RoundRobin(chain, port.Backends, protocol, port.TargetPort));
        }

        // Mesh traffic sent on to a task on another node must come back through this node to be un-NATed, so it
        // leaves with this node's address; delivered to a local task it keeps the client's address (Swarm loses it).
        if (plan.IngressSubnet is { } ingress)
        {
            rules.Add($"-A {Postrouting} -d {ingress} -m conntrack --ctstate DNAT ! -o {BridgePrefix}+ -j MASQUERADE");
            // `curl 127.0.0.1:PORT` on a node, as on a Docker Swarm node: a task cannot answer 127.0.0.1, so a
            // connection from loopback leaves with the address of the interface it leaves by, to a local task too
            // (Docker masquerades what the host sends to docker_gwbridge for the same reason). The kernel lets
            // such a packet leave at all only where route_localnet is on (HostNetwork turns it on).
            rules.Add($"-A {Postrouting} -s {Loopback} -d {ingress} -m conntrack --ctstate DNAT -j MASQUERADE");
        }
        foreach (var network in plan.Networks)
        {
            // Between tasks of one network, on any node, addresses stay as they are; only traffic to the outside
            // world is masqueraded (Docker's own masquerading is off for these bridges).
            rules.Add($"-A {Postrouting} -s {network.Subnet} -d {network.Subnet} -j ACCEPT");
            rules.Add($"-A {Postrouting} -s {network.Subnet} ! -o {BridgePrefix}+ -j MASQUERADE");
        }
        // Chains of VIPs and ports that are gone: emptied by being declared, then deleted, in the same transaction.
        var stale = existingChains.Where(c => c.StartsWith("ES-", StringComparison.Ordinal) && !chains.Contains(c)).ToList();
        return Render("nat", chains.Concat(stale), rules.Concat(stale.Select(c => $"-X {c}")));
    }

    public static IReadOnlyList<string> ChainsIn(string iptablesSave) =>
        [.. iptablesSave.Split('\n').Where(l => l.StartsWith(":ES-", StringComparison.Ordinal)).Select(l => l[1..l.IndexOf(' ')])];

    public static string Filter(NodeNetworkPlan plan)
    {
        var rules = new List<string>();
        // route_localnet, on while ports are published, would also let a neighbour send packets to 127.0.0.1
        // through those interfaces (CVE-2020-8558): only the answers of the mesh's own loopback connections come
        // in that way; anything else for a loopback address that did not come over lo is dropped (kube-proxy's guard).
        if (!plan.Mesh.IsEmpty)
            rules.Add($"-A {Input} ! -i lo -d {Loopback} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        rules.Add($"-A {Forward} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        if (plan.IngressSubnet is { } ingress)
            rules.Add($"-A {Forward} -d {ingress} -m conntrack --ctstate DNAT -j ACCEPT");
        foreach (var network in plan.Networks)
        {
            var bridge = BridgeName(network.Id);
            rules.Add($"-A {Forward} -i {bridge} -o {bridge} -j ACCEPT");
            // From another node: only this network's own addresses may enter its bridge, which is what keeps
            // networks apart across nodes (on one node, Docker's isolation chains keep bridges apart).
            rules.Add($"-A {Forward} ! -i {BridgePrefix}+ -o {bridge} -s {network.Subnet} -d {network.Subnet} -j ACCEPT");
            rules.Add($"-A {Forward} -i {bridge} ! -o {BridgePrefix}+ -s {network.Subnet} -j ACCEPT");
        }
        // The mesh on another node sends its share of connections here, masqueraded as that node: only to the
        // published target ports of tasks on the ingress network.
        foreach (var ingressBridge in plan.Networks.Where(n => n.Ingress))
            foreach (var port in plan.Mesh)
                rules.Add($"-A {Forward} ! -i {BridgePrefix}+ -o {BridgeName(ingressBridge.Id)} -d {ingressBridge.Subnet} -p {port.Protocol.Name()} -m {port.Protocol.Name()} --dport {port.TargetPort} -j ACCEPT");
        // Anything else bound for a swarm bridge is refused here rather than left to the FORWARD policy, which
        // Docker sets to DROP only when it was the one to turn forwarding on. DNATed traffic was let in by a
        // rule that already checked where it came from (a VIP on its own network, the mesh, a host-mode port).
        rules.Add($"-A {Forward} -o {BridgePrefix}+ -m conntrack --ctstate DNAT -j ACCEPT");
        rules.Add($"-A {Forward} -o {BridgePrefix}+ -j DROP");
        return Render("filter", [Input, Forward], rules);
    }

    /// <param name="protocol">Needed when the port changes: netfilter rewrites ports only for a named protocol.</param>
    private static IEnumerable<string> RoundRobin(string chain, IReadOnlyList<string> backends, string? protocol, int? port)
    {
        var match = protocol is null ? "" : $" -p {protocol}";
        for (var i = 0; i < backends.Count; i++)
        {
            var target = port is { } p ? $"{backends[i]}:{p}" : backends[i];
            var remaining = backends.Count - i;
            yield return remaining > 1
                ? $"-A {chain}{match} -m statistic --mode nth --every {remaining} --packet 0 -j DNAT --to-destination {target}"
                : $"-A {chain}{match} -j DNAT --to-destination {target}";
        }
    }

    private static string Render(string table, IEnumerable<string> chains, IEnumerable<string> rules)
    {
        var text = new StringBuilder().Append('*').Append(table).Append('\n');
        foreach (var chain in chains) text.Append(':').Append(chain).Append(" - [0:0]\n");
        foreach (var rule in rules) text.Append(rule).Append('\n');
        return text.Append("COMMIT\n").ToString();
    }
}
