using System.Net;
using EventSwarm.Application.Nodes;

namespace EventSwarm.Node.Local;

/// <summary>
/// What a node runs with: <c>eventswarm agent [--data-dir DIR] [--docker-host URI] [--socket PATH] [--group NAME] [--heartbeat-period 5s] [--listen-addr IP:PORT] [--raft-addr IP:PORT]</c>,
/// parsed by the CLI (<c>Cli/Agent/AgentCommand</c>).
/// As with dockerd, addresses belong to `swarm init` / `swarm join` (see <see cref="SwarmAddresses"/>); the two
/// address flags only pin what those would choose by default: <c>--listen-addr</c> replaces a request's default
/// listen address (0.0.0.0:2377), <c>--raft-addr</c> the Raft endpoint (otherwise the listen IP, port 4377).
/// The socket is root's alone (0600) unless <c>--group NAME</c> lets a group use it (root:NAME 0660), as
/// dockerd's <c>-G docker</c> does for docker.sock.
/// The two remedies for a damaged log (see <see cref="LogDamage"/>): <c>--recover-from-peers</c> sets the log aside
/// and catches up from the leader; <c>--force-new-cluster</c> cuts it back before the damage and leads alone, as
/// swarmkit's <c>swarmd --force-new-cluster</c> ("force the creation of a new cluster from data directory").
/// <c>--archive "Host=…;Database=…"</c> names the PostgreSQL database the leader copies the log into (Marten).
/// </summary>
public sealed record AgentOptions(string DataDirectory, string DockerHost, string Socket, TimeSpan HeartbeatPeriod, IPEndPoint? ListenEndpoint = null, IPEndPoint? RaftEndpoint = null, string? Group = null,
    bool RecoverFromPeers = false, bool ForceNewCluster = false, string? Archive = null)
{
    public const string DefaultSocket = "/run/eventswarm/eventswarm.sock";

    /// <summary>Where the web view listens unless <c>--web-addr</c> says otherwise (etcd's client port + 1: nothing of Docker's).</summary>
    public static readonly IPEndPoint DefaultWebEndpoint = new(IPAddress.Loopback, 2380);

    /// <summary><c>--web-addr IP:PORT</c>: the web view's listener (managers only); null with <c>--web-addr none</c>.</summary>
    public IPEndPoint? WebEndpoint { get; init; } = DefaultWebEndpoint;

    /// <summary><c>--metrics-addr IP:PORT</c>: /metrics on TCP as well as on the socket, as dockerd's flag; null when not given.</summary>
    public IPEndPoint? MetricsEndpoint { get; init; }
}
