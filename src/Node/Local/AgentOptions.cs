using System.Net;
using EventSwarm.Application.Nodes;

namespace EventSwarm.Node.Local;

/// <summary>
/// <c>eventswarm agent [--data-dir DIR] [--docker-host URI] [--socket PATH] [--group NAME] [--heartbeat-period 5s] [--listen-addr IP:PORT] [--raft-addr IP:PORT]</c>.
/// As with dockerd, addresses belong to `swarm init` / `swarm join` (see <see cref="SwarmAddresses"/>); the two
/// address flags only pin what those would choose by default: <c>--listen-addr</c> replaces a request's default
/// listen address (0.0.0.0:2377), <c>--raft-addr</c> the Raft endpoint (otherwise the listen IP, port 4377).
/// The socket is root's alone (0600) unless <c>--group NAME</c> lets a group use it (root:NAME 0660), as
/// dockerd's <c>-G docker</c> does for docker.sock.
/// The two remedies for a damaged log (see <see cref="LogDamage"/>): <c>--recover-from-peers</c> sets the log aside
/// and catches up from the leader; <c>--force-new-cluster</c> cuts it back before the damage and leads alone, as
/// swarmkit's <c>swarmd --force-new-cluster</c> ("force the creation of a new cluster from data directory").
/// </summary>
public sealed record AgentOptions(string DataDirectory, string DockerHost, string Socket, TimeSpan HeartbeatPeriod, IPEndPoint? ListenEndpoint = null, IPEndPoint? RaftEndpoint = null, string? Group = null,
    bool RecoverFromPeers = false, bool ForceNewCluster = false)
{
    public const string DefaultSocket = "/run/eventswarm/eventswarm.sock";

    public const string Usage = "usage: eventswarm agent [--data-dir DIR] [--docker-host URI] [--socket PATH] [--group NAME] [--heartbeat-period DURATION] [--listen-addr IP:PORT] [--raft-addr IP:PORT] [--recover-from-peers | --force-new-cluster]";

    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        string dataDir = "/var/lib/eventswarm", dockerHost = "unix:///var/run/docker.sock", socket = DefaultSocket;
        string? raft = null;
        var heartbeat = Heartbeats.DefaultPeriod;
        string? listen = null, group = null;
        bool recoverFromPeers = false, forceNewCluster = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--recover-from-peers") { recoverFromPeers = true; continue; }
            if (args[i] == "--force-new-cluster") { forceNewCluster = true; continue; }
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Count ? args[++i] : null);
            if (value is null) throw new ArgumentException($"flag needs an argument: {name}");
            switch (name)
            {
                case "--data-dir": dataDir = value; break;
                case "--docker-host": dockerHost = value; break;
                case "--socket": socket = value; break;
                case "--group": group = value.Length > 0 ? value : throw new ArgumentException("--group needs a group name"); break;
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
        if (recoverFromPeers && forceNewCluster) throw new ArgumentException("--recover-from-peers and --force-new-cluster exclude each other");
        IPEndPoint? listenEndpoint = null, raftEndpoint = null;
        if (listen is not null && (!IPEndPoint.TryParse(listen, out listenEndpoint) || listenEndpoint.Port == 0))
            throw new ArgumentException($"invalid --listen-addr '{listen}': expected IP:PORT");
        if (raft is not null && (!IPEndPoint.TryParse(raft, out raftEndpoint) || raftEndpoint.Port == 0))
            throw new ArgumentException($"invalid --raft-addr '{raft}': expected IP:PORT");
        return new AgentOptions(Path.GetFullPath(dataDir), dockerHost, Path.GetFullPath(socket), heartbeat, listenEndpoint, raftEndpoint, group,
            recoverFromPeers, forceNewCluster);
    }
}
