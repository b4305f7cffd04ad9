using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using EventSwarm.Application;

namespace EventSwarm.Node.Local;

/// <summary>
/// Where this node serves the other nodes of its swarm, chosen by `swarm init` / `swarm join` as in Docker and
/// kept in the data directory so that a restarted agent listens again where it did.
/// <list type="bullet">
/// <item><c>Listen</c>: the TLS endpoint other nodes call (API, worker feed, joins); default 0.0.0.0:2377.</item>
/// <item><c>Advertise</c>: the address other nodes are told to use for it (the node's address in the swarm).</item>
/// <item><c>RaftListen</c> / <c>RaftAdvertise</c>: Raft keeps its own port beside the API: the listen IP and the
/// advertised IP, port 4377 (the agent's <c>--raft-addr</c> pins it instead).</item>
/// <item><c>DataPath</c>: where task traffic goes (Docker's --data-path-addr), kept and reported; the advertised IP
/// when not given.</item>
/// </list>
/// </summary>
public sealed record SwarmAddresses(string Listen, string Advertise, string RaftListen, string RaftAdvertise, string? DataPath = null)
{
    public const int DefaultPort = 2377;
    public const int RaftPort = 4377;
    public const string DefaultListen = "0.0.0.0:2377";

    [System.Text.Json.Serialization.JsonIgnore]
    public IPEndPoint ListenEndpoint => IPEndPoint.Parse(Listen);
    [System.Text.Json.Serialization.JsonIgnore]
    public IPEndPoint RaftListenEndpoint => IPEndPoint.Parse(RaftListen);
    [System.Text.Json.Serialization.JsonIgnore]
    public IPEndPoint RaftAdvertiseEndpoint => IPEndPoint.Parse(RaftAdvertise);
    [System.Text.Json.Serialization.JsonIgnore]
    public string AdvertiseIp => IPEndPoint.Parse(Advertise).Address.ToString();

    /// <summary>What the other managers record about this one: where to call it and where its Raft member is.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Domain.Nodes.ManagerEndpoints Manager => new(Advertise, RaftAdvertise);

    /// <summary>
    /// `swarm init`: the listen address (an IP or an interface, the port 2377 when not given); the advertise
    /// address as given, else the listen IP when it is a specific one, else the node's only address (Docker's
    /// resolveAdvertiseAddr / resolveSystemAddr, with its messages when that is ambiguous).
    /// </summary>
    public static SwarmAddresses ForInit(string? listen, string? advertise, string? dataPath, AgentOptions options)
    {
        var listenEndpoint = ResolveListen(listen, options);
        var advertiseEndpoint = ResolveAdvertise(advertise, listenEndpoint) ?? new IPEndPoint(
            listenEndpoint.Address.Equals(IPAddress.Any) || listenEndpoint.Address.Equals(IPAddress.IPv6Any) ? SystemAddress() : listenEndpoint.Address,
            listenEndpoint.Port);
        return Build(listenEndpoint, advertiseEndpoint, dataPath, options);
    }

    /// <summary>
    /// `swarm join`: as init, except that without an advertise address (and a specific listen IP) the node is
    /// known by the address it reaches the manager from, as swarmkit records the address it sees a joiner call from.
    /// </summary>
    public static (IPEndPoint Listen, IPEndPoint? Advertise) ForJoin(string? listen, string? advertise, AgentOptions options)
    {
        var listenEndpoint = ResolveListen(listen, options);
        var advertiseEndpoint = ResolveAdvertise(advertise, listenEndpoint)
            ?? (listenEndpoint.Address.Equals(IPAddress.Any) || listenEndpoint.Address.Equals(IPAddress.IPv6Any) ? null : listenEndpoint);
        return (listenEndpoint, advertiseEndpoint);
    }

    public static SwarmAddresses Build(IPEndPoint listen, IPEndPoint advertise, string? dataPath, AgentOptions options)
    {
        var dataPathIp = string.IsNullOrEmpty(dataPath) ? null : ResolveIp(dataPath, allowUnspecified: false)
            ?? throw Invalid("data path address must be a non-zero IP address or network interface (without a port number)");
        IPEndPoint raftListen, raftAdvertise;
        if (options.RaftEndpoint is { } pinned)
        {
            raftListen = pinned;
            raftAdvertise = IsUnspecified(pinned.Address) ? new IPEndPoint(advertise.Address, pinned.Port) : pinned;
        }
        else
        {
            raftListen = new IPEndPoint(listen.Address, RaftPort);
            raftAdvertise = new IPEndPoint(advertise.Address, RaftPort);
        }
        return new SwarmAddresses(listen.ToString(), advertise.ToString(), raftListen.ToString(), raftAdvertise.ToString(), dataPathIp?.ToString());
    }

    private static IPEndPoint ResolveListen(string? listen, AgentOptions options)
    {
        // The docker CLI always sends its default; the agent's --listen-addr pins what that default means here.
        if ((string.IsNullOrEmpty(listen) || listen == DefaultListen) && options.ListenEndpoint is { } pinned) return pinned;
        if (string.IsNullOrEmpty(listen)) listen = DefaultListen;
        var (host, port) = SplitHostPort(listen, DefaultPort)
            ?? throw Invalid($"could not parse listen address {listen}");
        var ip = ResolveIp(host, allowUnspecified: true)
            ?? throw Invalid("listen address must be an IP address or network interface (with optional port number)");
        return new IPEndPoint(ip, port);
    }

    private static IPEndPoint? ResolveAdvertise(string? advertise, IPEndPoint listen)
    {
        if (string.IsNullOrEmpty(advertise)) return null;
        const string bad = "advertise address must be a non-zero IP address or network interface (with optional port number)";
        var (host, port) = SplitHostPort(advertise, listen.Port) ?? throw Invalid(bad);
        return new IPEndPoint(ResolveIp(host, allowUnspecified: false) ?? throw Invalid(bad), port);
    }

    /// <summary>HOST, HOST:PORT, [V6]:PORT or a bare IPv6 address.</summary>
    private static (string Host, int Port)? SplitHostPort(string value, int defaultPort)
    {
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            if (close < 0) return null;
            var rest = value[(close + 1)..];
            if (rest.Length == 0) return (value[1..close], defaultPort);
            return rest[0] == ':' && int.TryParse(rest[1..], out var p6) && p6 is > 0 and < 65536 ? (value[1..close], p6) : null;
        }
        var colon = value.LastIndexOf(':');
        if (colon < 0 || value.IndexOf(':') != colon) return (value, defaultPort);
        return int.TryParse(value[(colon + 1)..], out var port) && port is > 0 and < 65536 ? (value[..colon], port) : null;
    }

    /// <summary>
    /// The machine's interfaces. .NET's listing throws "An invalid IP address was specified" when an interface comes or
    /// goes while it reads (containers' veths on a busy node; the integration suite saw it): read again, a few times.
    /// </summary>
    public static NetworkInterface[] Interfaces()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return NetworkInterface.GetAllNetworkInterfaces();
            }
            catch (ArgumentException) when (attempt < 5)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>An interface name first (its address, IPv4 preferred), then an IP, as Docker's resolveInputIPAddr.</summary>
    private static IPAddress? ResolveIp(string host, bool allowUnspecified)
    {
        if (Interfaces().FirstOrDefault(i => i.Name == host) is { } named)
        {
            var addresses = named.GetIPProperties().UnicastAddresses.Select(a => a.Address).Where(a => !a.IsIPv6LinkLocal).ToList();
            foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
            {
                var of = addresses.Where(a => a.AddressFamily == family).ToList();
                if (of.Count > 1)
                    throw Invalid($"interface {host} has more than one {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address ({of[0]} and {of[1]})");
                if (of.Count == 1) return of[0];
            }
            throw Invalid($"interface {host} has no usable IPv4 or IPv6 address");
        }
        return IPAddress.TryParse(host, out var ip) && (allowUnspecified || !IsUnspecified(ip)) ? ip : null;
    }

    /// <summary>
    /// The node's only address (Docker's resolveSystemAddr): one global unicast address over the interfaces,
    /// IPv4 preferred on an interface; loopback and the bridges Docker and EventSwarm make for containers do not count.
    /// </summary>
    public static IPAddress SystemAddress()
    {
        (IPAddress Address, string Interface)? chosen = null;
        foreach (var nic in Interfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || IsContainerInterface(nic.Name)) continue;
            var global = nic.GetIPProperties().UnicastAddresses.Select(a => a.Address).Where(IsGlobalUnicast).ToList();
            IPAddress? pick = null;
            foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
            {
                var of = global.Where(a => a.AddressFamily == family).ToList();
                if (of.Count > 1) throw MultipleAddresses(nic.Name, of[0], nic.Name, of[1]);
                pick ??= of.FirstOrDefault();
            }
            if (pick is null) continue;
            if (chosen is { } first) throw MultipleAddresses(first.Interface, first.Address, nic.Name, pick);
            chosen = (pick, nic.Name);
        }
        return chosen?.Address ?? throw Invalid("could not find the system's IP address");
    }

    private static bool IsContainerInterface(string name) =>
        name.StartsWith("docker") || name.StartsWith("br-") || name.StartsWith("veth") || name.StartsWith("es-");

    private static bool IsGlobalUnicast(IPAddress a) =>
        !IPAddress.IsLoopback(a) && !IsUnspecified(a) && !a.IsIPv6LinkLocal && !a.IsIPv6Multicast
        && !(a.AddressFamily == AddressFamily.InterNetwork && (a.GetAddressBytes() is [169, 254, ..] || a.GetAddressBytes()[0] >= 224));

    private static bool IsUnspecified(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    private static BadRequestException MultipleAddresses(string interfaceA, IPAddress a, string interfaceB, IPAddress b) => Invalid(interfaceA == interfaceB
        ? $"could not choose an IP address to advertise since this system has multiple addresses on interface {interfaceA} ({a} and {b})"
        : $"could not choose an IP address to advertise since this system has multiple addresses on different interfaces ({a} on {interfaceA} and {b} on {interfaceB})");

    private static BadRequestException Invalid(string message) => new(message);
}

/// <summary>The addresses of the swarm this node is in, in the data directory; none when it is in no swarm.</summary>
public sealed class SwarmAddressBook(string dataDirectory)
{
    private readonly string _file = Path.Combine(dataDirectory, "swarm-addresses.json");
    private SwarmAddresses? _current;
    private bool _loaded;

    public SwarmAddresses? Current
    {
        get
        {
            if (!_loaded)
            {
                _current = File.Exists(_file) ? JsonSerializer.Deserialize<SwarmAddresses>(File.ReadAllText(_file)) : null;
                _loaded = true;
            }
            return _current;
        }
    }

    public void Save(SwarmAddresses addresses)
    {
        File.WriteAllText(_file + ".tmp", JsonSerializer.Serialize(addresses));
        File.Move(_file + ".tmp", _file, overwrite: true);
        (_current, _loaded) = (addresses, true);
    }

    public void Clear()
    {
        File.Delete(_file);
        (_current, _loaded) = (null, true);
    }
}
