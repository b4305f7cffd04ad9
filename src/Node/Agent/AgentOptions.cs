using System.Net;
using EventSwarm.Application.Nodes;

namespace EventSwarm.Node.Agent;

/// <summary><c>eventswarm agent [--data-dir DIR] [--docker-host URI] [--socket PATH] [--raft-addr IP:PORT] [--heartbeat-period 5s] [--listen-addr IP:2377]</c>; without --listen-addr no other node can reach this one.</summary>
public sealed record AgentOptions(string DataDirectory, string DockerHost, string Socket, IPEndPoint RaftEndpoint, TimeSpan HeartbeatPeriod, IPEndPoint? ListenEndpoint = null)
{
    public const string DefaultSocket = "/run/eventswarm/eventswarm.sock";
    public const int DefaultRaftPort = 4377;

    /// <summary>Where this node serves others and takes part in Raft, when it can be reached (--listen-addr).</summary>
    public Domain.Nodes.ManagerEndpoints? ManagerEndpoints =>
        ListenEndpoint is { } api ? new Domain.Nodes.ManagerEndpoints(api.ToString(), RaftEndpoint.ToString()) : null;

    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        string dataDir = "/var/lib/eventswarm", dockerHost = "unix:///var/run/docker.sock", socket = DefaultSocket;
        string? raft = null;
        var heartbeat = Heartbeats.DefaultPeriod;
        string? listen = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Count ? args[++i] : null);
            if (value is null) throw new ArgumentException($"flag needs an argument: {name}");
            switch (name)
            {
                case "--data-dir": dataDir = value; break;
                case "--docker-host": dockerHost = value; break;
                case "--socket": socket = value; break;
                case "--raft-addr": raft = value; break;
                case "--listen-addr": listen = value; break;
                case "--heartbeat-period":
                    try { heartbeat = Cli.Units.ParseDuration(value, "heartbeat-period"); }
                    catch (Cli.UsageException e) { throw new ArgumentException(e.Message); }
                    break;
                default: throw new ArgumentException($"unknown flag: {name}");
            }
        }
        if (heartbeat <= TimeSpan.Zero) throw new ArgumentException("--heartbeat-period must be positive");
        IPEndPoint? listenEndpoint = null;
        if (listen is not null && (!IPEndPoint.TryParse(listen, out listenEndpoint) || listenEndpoint.Port == 0))
            throw new ArgumentException($"invalid --listen-addr '{listen}': expected IP:PORT");
        // Raft between managers listens beside the API, on the address other managers reach this node at.
        raft ??= $"{listenEndpoint?.Address ?? IPAddress.Loopback}:{DefaultRaftPort}";
        if (!IPEndPoint.TryParse(raft, out var endpoint) || endpoint.Port == 0)
            throw new ArgumentException($"invalid --raft-addr '{raft}': expected IP:PORT");
        return new AgentOptions(Path.GetFullPath(dataDir), dockerHost, Path.GetFullPath(socket), endpoint, heartbeat, listenEndpoint);
    }
}
