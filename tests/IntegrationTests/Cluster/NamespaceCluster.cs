namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>
/// A real multi-node cluster on this machine through ops/cluster.sh: each node a network namespace with its own
/// address (10.200.0.1K), hostname, Docker Engine and agent. Agents start with no address, as dockerd does: a node
/// listens for the others (its address:2377, Raft :4377) once `swarm init` or `swarm join` made it part of a swarm.
/// Heartbeats every second, so failures show in seconds.
/// </summary>
public sealed class NamespaceCluster : IAsyncDisposable
{
    private static readonly string Repo = FindRepo();
    private static readonly string EventSwarmDll = Path.Combine(AppContext.BaseDirectory, "eventswarm.dll");

    private NamespaceCluster(int nodes) => Nodes = nodes;

    public int Nodes { get; }

    public static Task<NamespaceCluster> StartAsync(int nodes) => StartAsync(nodes, new Dictionary<string, string>());

    /// <param name="env">More settings for ops/cluster.sh up, e.g. DATA_TMPFS_NODES (nodes whose data dir is a small tmpfs).</param>
    public static async Task<NamespaceCluster> StartAsync(int nodes, IReadOnlyDictionary<string, string> env)
    {
        await Script("down");
        (await Script(env, "up", nodes.ToString())).ShouldSucceed();
        return new NamespaceCluster(nodes);
    }

    /// <summary>Where node K's agent keeps its data (the Raft log under raft/).</summary>
    public static string DataDirectory(int node) => $"/var/lib/eventswarm-cluster/n{node}/eventswarm";

    /// <summary>
    /// A cluster already in one swarm: n1 initialises it (advertising its address) and manages, the others join as
    /// workers with no address of their own (they are known by the one they reach n1 from), all Ready.
    /// </summary>
    public static async Task<NamespaceCluster> StartJoinedAsync(int nodes)
    {
        var cluster = await StartAsync(nodes);
        (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", Address(1))).ShouldSucceed();
        var token = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        for (var node = 2; node <= nodes; node++)
            (await cluster.EventSwarm(node, "swarm", "join", "--token", token, $"{Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == nodes,
            TimeSpan.FromSeconds(30), $"{nodes} nodes are Ready");
        return cluster;
    }

    /// <summary>
    /// Copies images from this machine's engine into node K's (ops/cluster.sh load). Nodes start with busybox and
    /// whoami only: the big offline images (mysql:5.7 = mysql:latest, wordpress:latest; built by ops/setup.sh) cost
    /// seconds per node, so a test loads them into the nodes that will run them, e.g. all of a service's candidates.
    /// </summary>
    public async Task LoadImagesAsync(int node, params string[] images) =>
        (await Script(["load", node.ToString(), .. images])).ShouldSucceed();

    /// <summary>Starts again whatever agent of the cluster is not running.</summary>
    public async Task RestartMissingAgentsAsync() => (await Script("up", Nodes.ToString())).ShouldSucceed();

    public static string Address(int node) => $"10.200.0.{10 + node}";

    public Task<CommandResult> EventSwarm(int node, params string[] args) =>
        CommandResult.RunAsync("dotnet", [EventSwarmDll, "--host", $"unix:///run/eventswarm-cluster/n{node}/eventswarm.sock", .. args], new Dictionary<string, string>());

    public Task<CommandResult> Docker(int node, params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = $"unix:///run/eventswarm-cluster/n{node}/eventswarm.sock" });

    /// <summary>The node's own Docker Engine, to see what really runs there.</summary>
    public Task<CommandResult> Engine(int node, params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = $"unix:///run/eventswarm-cluster/n{node}/docker.sock" });

    public async Task<int> RunningContainersAsync(int node, string service) =>
        (await Engine(node, "ps", "-q", "--filter", $"label=eventswarm.service.name={service}")).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    public Task KillAgentAsync(int node) =>
        CommandResult.RunAsync("pkill", ["-9", "-f", "--", $"--socket /run/eventswarm-cluster/n{node}/eventswarm.sock"], new Dictionary<string, string>());

    public Task KillEngineAsync(int node) =>
        CommandResult.RunAsync("bash", ["-c", $"kill -9 $(cat /run/eventswarm-cluster/n{node}/docker.pid)"], new Dictionary<string, string>());

    /// <summary>Cuts (or heals) a node's only link to the others: the host end of its veth on the cluster bridge.</summary>
    public async Task SetLinkAsync(int node, bool up) =>
        (await CommandResult.RunAsync("ip", ["link", "set", $"es-n{node}-h", up ? "up" : "down"], new Dictionary<string, string>())).ShouldSucceed();

    /// <summary>The node's view of the log: committed index, last event sequence and a digest of its projection.</summary>
    public async Task<(long LastSequence, string Digest)> LogAsync(int node)
    {
        var result = await CommandResult.RunAsync("curl", ["-sf", "--max-time", "5", "--unix-socket", $"/run/eventswarm-cluster/n{node}/eventswarm.sock", "http://node/eventswarm/v1/log"],
            new Dictionary<string, string>());
        if (result.ExitCode != 0) return (-1, "");
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        return (json.RootElement.GetProperty("lastSequence").GetInt64(), json.RootElement.GetProperty("stateDigest").GetString()!);
    }

    public async ValueTask DisposeAsync() => await Script("down");

    private static Task<CommandResult> Script(params string[] args) => Script(new Dictionary<string, string>(), args);

    private static Task<CommandResult> Script(IReadOnlyDictionary<string, string> env, params string[] args) =>
        CommandResult.RunAsync("bash", [Path.Combine(Repo, "ops", "cluster.sh"), .. args], new Dictionary<string, string>(env)
        {
            ["EVENTSWARM_BIN"] = $"dotnet {EventSwarmDll}",
            ["AGENT_ARGS"] = "--heartbeat-period 1s",
        });

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ops", "cluster.sh"))) return dir.FullName;
        throw new InvalidOperationException("ops/cluster.sh not found above the test binaries");
    }
}
