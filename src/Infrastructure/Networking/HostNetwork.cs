using System.Diagnostics;
using EventSwarm.Application.Networking;
using EventSwarm.Domain.Networking;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Networking;

/// <summary>
/// Makes the node's kernel match a plan: host routes to task addresses on other nodes (routed per-address over
/// the nodes' own network: no encapsulation, no MTU loss), proxy ARP and the VIPs on each network's bridge, and
/// the netfilter rules. Runs `ip` and `iptables-restore` in the agent's network namespace.
/// </summary>
public sealed class HostNetwork(ILogger<HostNetwork> logger)
{
    /// <summary>The routing protocol number that marks EventSwarm's routes, so it can find and remove its own.</summary>
    private const string RouteProtocol = "149";

    private static readonly (string Table, string Chain, string Jump)[] Jumps =
    [
        ("nat", "PREROUTING", IptablesRules.Prerouting),
        ("nat", "OUTPUT", IptablesRules.Output),
        ("nat", "POSTROUTING", IptablesRules.Postrouting),
        ("filter", "FORWARD", IptablesRules.Forward),
        ("filter", "INPUT", IptablesRules.Input),
    ];

    // What was last made so: a change of backends must cost one iptables-restore, not a dozen processes.
    private string? _appliedRules;
    private IReadOnlyCollection<string> _chains = [];
    private IReadOnlyList<RemoteAddress>? _appliedRoutes;
    private IReadOnlyList<LocalNetwork>? _appliedBridges;
    // The interfaces EventSwarm's routes to other nodes leave by, read back after each change of routes.
    private IReadOnlySet<string> _routeDevices = new HashSet<string>();
    // Where route_localnet was last turned on, to turn it off again where the mesh no longer sends loopback traffic.
    private IReadOnlySet<string>? _localnetDevices;

    /// <param name="verify">Read back the kernel's state instead of trusting what this process last wrote (start-up, periodic repair).</param>
    public async Task ApplyAsync(NodeNetworkPlan plan, bool verify, CancellationToken ct)
    {
        if (verify) (_appliedRules, _appliedRoutes, _appliedBridges) = (null, null, null);
        // The rotations first: they are what a task starting or stopping changes.
        var fresh = _appliedRules is null;
        if (fresh) _chains = IptablesRules.ChainsIn((await RunAsync("iptables-save", ["-t", "nat"], null, ct)).Output);
        var nat = IptablesRules.Nat(plan, _chains);
        var filter = IptablesRules.Filter(plan);
        if (nat + filter != _appliedRules) await ApplyRulesAsync(plan, nat, filter, checkJumps: fresh, ct);
        if (_appliedBridges is null || !_appliedBridges.SequenceEqual(plan.Networks, BridgeComparer))
        {
            await WriteSysctlAsync("net/ipv4/ip_forward", "1");
            // Containers on one bridge reach a VIP through the node and get the answer from the task directly:
            // only with bridged traffic passing netfilter is that answer un-NATed.
            await WriteSysctlAsync("net/bridge/bridge-nf-call-iptables", "1");
            foreach (var network in plan.Networks) await ConfigureBridgeAsync(network, ct);
            _appliedBridges = plan.Networks;
        }
        if (_appliedRoutes is null || !_appliedRoutes.SequenceEqual(plan.Routes))
        {
            await ApplyRoutesAsync(plan, ct);
            _appliedRoutes = plan.Routes;
        }
        await ApplyRouteLocalnetAsync(plan, verify);
    }

    /// <summary>
    /// `curl 127.0.0.1:PORT` on a node answers as on a Docker Swarm node. The mesh's DNAT sends such a connection
    /// from 127.0.0.1 to a task, out of the ingress bridge (a local task) or the interface towards another node
    /// (a remote one); the kernel drops a packet with a loopback address leaving or entering by any other interface
    /// than lo unless route_localnet is on there (Docker sets it on docker_gwbridge, where its mesh sends such traffic).
    /// On exactly those interfaces while ports are published, off again when none is (swarm left, last port removed);
    /// the address is masqueraded on the way out (IptablesRules) and strangers' loopback packets dropped on the way in.
    /// </summary>
    private async Task ApplyRouteLocalnetAsync(NodeNetworkPlan plan, bool verify)
    {
        var wanted = plan.Mesh.IsEmpty
            ? new HashSet<string>()
            : plan.Networks.Where(n => n.Ingress).Select(n => IptablesRules.BridgeName(n.Id)).Concat(_routeDevices).ToHashSet();
        if (!verify && _localnetDevices is not null && _localnetDevices.SetEquals(wanted)) return;
        foreach (var device in wanted) await WriteSysctlAsync($"net/ipv4/conf/{device}/route_localnet", "1");
        foreach (var device in (_localnetDevices ?? new HashSet<string>()).Except(wanted))
            await WriteSysctlAsync($"net/ipv4/conf/{device}/route_localnet", "0");
        _localnetDevices = wanted;
    }

    private static readonly IEqualityComparer<LocalNetwork> BridgeComparer = EqualityComparer<LocalNetwork>.Create(
        (a, b) => a!.Id == b!.Id && a.VirtualIps.SequenceEqual(b.VirtualIps), n => n.Id.GetHashCode());

    private async Task ConfigureBridgeAsync(LocalNetwork network, CancellationToken ct)
    {
        var bridge = IptablesRules.BridgeName(network.Id);
        // /proc/sys/net shows the caller's network namespace (/sys/class/net shows the one sysfs was mounted in).
        if (!Directory.Exists($"/proc/sys/net/ipv4/conf/{bridge}")) return;
        // Tasks on other nodes are inside the bridge's subnet, so containers ask for them by ARP: the node answers
        // for every address it routes elsewhere, and takes the packets there.
        await WriteSysctlAsync($"net/ipv4/conf/{bridge}/proxy_arp", "1");
        // The kernel delays proxy answers by up to 0.8 s by default, in case the real owner answers first; here
        // nobody else can, and a new task's first reply to a caller on another node would wait that long.
        await WriteSysctlAsync($"net/ipv4/neigh/{bridge}/proxy_delay", "0");
        await WriteSysctlAsync($"net/ipv4/conf/{bridge}/send_redirects", "0");
        var present = (await RunAsync("ip", ["-4", "-o", "addr", "show", "dev", bridge], null, ct)).Output
            .Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 3 && f[2] == "inet").Select(f => f[3]).ToHashSet();
        var wanted = network.VirtualIps.Select(v => v + "/32").ToHashSet();
        var batch = wanted.Where(a => !present.Contains(a)).Select(a => $"addr add {a} dev {bridge}")
            .Concat(present.Where(a => a.EndsWith("/32") && !wanted.Contains(a)).Select(a => $"addr del {a} dev {bridge}"))
            .ToList();
        if (batch.Count > 0) await RunBatchAsync(batch, ct);
    }

    private async Task ApplyRoutesAsync(NodeNetworkPlan plan, CancellationToken ct)
    {
        var (present, devices) = await ReadRoutesAsync(ct);
        var wanted = plan.Routes.GroupBy(r => r.Address).ToDictionary(g => g.Key, g => g.First().NodeAddress);
        var batch = wanted.Where(w => !present.TryGetValue(w.Key, out var via) || via != w.Value)
            .Select(w => $"route replace {w.Key}/32 via {w.Value} proto {RouteProtocol}")
            .Concat(present.Keys.Where(a => !wanted.ContainsKey(a)).Select(a => $"route del {a}/32 proto {RouteProtocol}"))
            .ToList();
        if (batch.Count > 0) await RunBatchAsync(batch, ct);
        // Which interface a new node's routes leave by is known once the kernel chose it: read back only then.
        if (wanted.Values.Any(node => !devices.ContainsKey(node))) (_, devices) = await ReadRoutesAsync(ct);
        _routeDevices = wanted.Values.Where(devices.ContainsKey).Select(node => devices[node]).ToHashSet();
    }

    /// <summary>EventSwarm's routes (address -> the node it is routed to) and the interface each node is reached by.</summary>
    private static async Task<(Dictionary<string, string> Via, Dictionary<string, string> Devices)> ReadRoutesAsync(CancellationToken ct)
    {
        var (via, devices) = (new Dictionary<string, string>(), new Dictionary<string, string>());
        foreach (var line in (await RunAsync("ip", ["-4", "route", "show", "proto", RouteProtocol], null, ct)).Output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.IndexOf(fields, "via");
            if (fields.Length == 0 || at <= 0 || at + 1 >= fields.Length) continue;
            via[fields[0]] = fields[at + 1];
            var dev = Array.IndexOf(fields, "dev");
            if (dev > 0 && dev + 1 < fields.Length) devices[fields[at + 1]] = fields[dev + 1];
        }
        return (via, devices);
    }

    private async Task ApplyRulesAsync(NodeNetworkPlan plan, string nat, string filter, bool checkJumps, CancellationToken ct)
    {
        var restore = await RunAsync("iptables-restore", ["-w", "5", "--noflush"], nat + filter, ct);
        if (restore.ExitCode != 0) throw new InvalidOperationException($"iptables-restore failed: {restore.Error.Trim()}\n{nat}{filter}");
        _chains = IptablesRules.ChainsIn(nat).Where(c => !nat.Contains($"-X {c}\n")).ToList();
        // What was written is what the next plan is compared with, rendered against the chains now present
        // (without the stale ones this restore deleted).
        _appliedRules = IptablesRules.Nat(plan, _chains) + filter;
        if (!checkJumps) return;
        foreach (var (table, chain, jump) in Jumps)
        {
            if ((await RunAsync("iptables", ["-w", "5", "-t", table, "-C", chain, "-j", jump], null, ct)).ExitCode == 0) continue;
            var insert = await RunAsync("iptables", ["-w", "5", "-t", table, "-I", chain, "1", "-j", jump], null, ct);
            if (insert.ExitCode != 0) throw new InvalidOperationException($"iptables -t {table} -I {chain}: {insert.Error.Trim()}");
        }
    }

    private async Task RunBatchAsync(IReadOnlyList<string> commands, CancellationToken ct)
    {
        // -force: one stale entry must not keep the others from being applied.
        var result = await RunAsync("ip", ["-force", "-batch", "-"], string.Join('\n', commands) + "\n", ct);
        if (result.ExitCode != 0) logger.LogWarning("ip -batch: {Error}", result.Error.Trim());
    }

    private async Task WriteSysctlAsync(string key, string value)
    {
        var path = "/proc/sys/" + key;
        try
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path)).Trim() != value) await File.WriteAllTextAsync(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("cannot set {Key}={Value}: {Error}", key, value, e.Message);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, IReadOnlyList<string> args, string? input, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot run {file}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output, await error);
    }
}
