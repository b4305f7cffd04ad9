using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Cluster;

[CollectionDefinition(Name)]
public sealed class ClusterFaultsCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "cluster faults";
}

/// <summary>
/// Four real nodes for the cluster fault cases: n1, n2, n3 managers (Raft quorum 2 of 3), n4 a worker; 1 s
/// heartbeats, so a silent node is Down after 3 s (Swarm's grace of three periods). The cases share it and each
/// starts by restoring it (agents restarted, partitions healed, clocks reset, every node Ready), so a failed case
/// does not fail the next one. Faults are injected only with what this class adds and removes: iptables rules in a
/// node's own namespace, the clock offset file the agents' fault hook reads, kill -9 of an agent.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    public const int Worker = 4;
    public static readonly int[] Managers = [1, 2, 3];
    public static readonly int[] All = [1, 2, 3, 4];

    private readonly HashSet<int> _partitioned = [];
    private readonly HashSet<int> _clockShifted = [];

    public NamespaceCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await NamespaceCluster.StartAsync(All.Length);
        (await Cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        var managerToken = (await Cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        var workerToken = (await Cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        foreach (var node in new[] { 2, 3 })
            (await Cluster.EventSwarm(node, "swarm", "join", "--token", managerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        (await Cluster.EventSwarm(Worker, "swarm", "join", "--token", workerToken, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await EnsureHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RestoreFaultsAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }

    /// <summary>Undoes every fault this class injected and waits until all four nodes are Ready under one leader.</summary>
    public async Task EnsureHealthyAsync()
    {
        await RestoreFaultsAsync();
        await Cluster.RestartMissingAgentsAsync();
        var seen = "";
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90); ; await Task.Delay(300))
        {
            var leader = await LeaderAsync(Managers);
            var nodes = leader is null ? [] : await NodesAsync(leader.Value);
            var logs = await Task.WhenAll(Managers.Select(LogAsync));
            if (nodes.Count == All.Length && nodes.All(n => n.Status == "ready") && logs.All(l => l.Committed > 0)) return;
            seen = $"leader {(leader is null ? "none" : $"n{leader}")}; nodes {string.Join(", ", nodes.Select(n => $"{n.Hostname} {n.Status}"))}; "
                + $"commit indexes {string.Join(", ", logs.Select(l => l.Committed))}";
            if (DateTime.UtcNow > deadline) break;
        }
        // Kept for the operator: what each agent said while the cluster would not recover.
        foreach (var node in All)
            if (File.Exists($"/run/eventswarm-cluster/n{node}/agent.log"))
                File.Copy($"/run/eventswarm-cluster/n{node}/agent.log", Path.Combine(Path.GetTempPath(), $"eventswarm-faults-unhealthy-n{node}.log"), overwrite: true);
        Assert.Fail($"the cluster did not recover within 90 s (every node Ready, one leader, managers answering); last seen: {seen}");
    }

    private async Task RestoreFaultsAsync()
    {
        foreach (var node in _partitioned.ToList()) await HealAsync(node);
        foreach (var node in _clockShifted.ToList()) SetClockOffset(node, TimeSpan.Zero);
    }

    public HttpClient Http(int node, TimeSpan? timeout = null) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/run/eventswarm-cluster/n{node}/eventswarm.sock"), ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://eventswarm"), Timeout = timeout ?? TimeSpan.FromSeconds(15) };

    /// <summary>
    /// The manager among <paramref name="askNodes"/> that sees itself as Raft's leader, or null. Asked of the leader
    /// itself: a follower's view can lag an election it has not heard of yet.
    /// </summary>
    public async Task<int?> LeaderAsync(IEnumerable<int> askNodes)
    {
        foreach (var node in askNodes)
            if ((await NodesAsync(node)).Any(n => n.Leader && n.Hostname == $"n{node}"))
                return node;
        return null;
    }

    /// <summary>Nodes as one manager lists them (empty when it does not answer).</summary>
    public async Task<IReadOnlyList<(string Hostname, string Status, bool Leader)>> NodesAsync(int via)
    {
        try
        {
            using var http = Http(via, TimeSpan.FromSeconds(5));
            using var json = JsonDocument.Parse(await http.GetStringAsync("/v1.41/nodes"));
            return json.RootElement.EnumerateArray().Select(n => (
                n.GetProperty("Description").GetProperty("Hostname").GetString()!,
                n.GetProperty("Status").GetProperty("State").GetString()!,
                n.TryGetProperty("ManagerStatus", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("Leader", out var l) && l.GetBoolean())).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException or SocketException)
        {
            return [];
        }
    }

    /// <summary>A manager's view of the log: Raft commit index, events applied, digest of its projection; (-1, -1, "") when it does not answer.</summary>
    public async Task<(long Committed, long Sequence, string Digest)> LogAsync(int node)
    {
        try
        {
            using var http = Http(node, TimeSpan.FromSeconds(5));
            using var json = JsonDocument.Parse(await http.GetStringAsync("/eventswarm/v1/log"));
            return (json.RootElement.GetProperty("committedIndex").GetInt64(), json.RootElement.GetProperty("lastSequence").GetInt64(),
                json.RootElement.GetProperty("stateDigest").GetString()!);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException or SocketException)
        {
            return (-1, -1, "");
        }
    }

    /// <summary>The names of the services a manager lists.</summary>
    public async Task<IReadOnlyList<string>> ServiceNamesAsync(int node)
    {
        using var http = Http(node, TimeSpan.FromSeconds(30));
        using var json = JsonDocument.Parse(await http.GetStringAsync("/v1.41/services"));
        return json.RootElement.EnumerateArray().Select(s => s.GetProperty("Spec").GetProperty("Name").GetString()!).ToList();
    }

    /// <summary>Creates a service through the Engine API; true when acknowledged (2xx).</summary>
    public async Task<bool> CreateServiceAsync(int via, string name, int replicas = 0)
    {
        var body = JsonSerializer.Serialize(new
        {
            Name = name,
            TaskTemplate = new { ContainerSpec = new { Image = "busybox:latest", Command = new[] { "sleep", "3600" }, StopGracePeriod = 1_000_000_000L } },
            Mode = new { Replicated = new { Replicas = replicas } },
        });
        try
        {
            using var http = Http(via);
            using var response = await http.PostAsync("/v1.41/services/create", new StringContent(body, Encoding.UTF8, "application/json"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Cuts a node off from every other node: DROP rules in its own namespace for the cluster subnet on its only
    /// link, so nothing crosses either way and no connection is closed (only missing heartbeats tell).
    /// </summary>
    public async Task PartitionAsync(int node)
    {
        _partitioned.Add(node);
        foreach (var rule in Rules())
            (await IptablesAsync(node, ["-I", .. rule])).ShouldSucceed();
    }

    public async Task HealAsync(int node)
    {
        foreach (var rule in Rules())
            while ((await IptablesAsync(node, ["-C", .. rule])).ExitCode == 0)
                (await IptablesAsync(node, ["-D", .. rule])).ShouldSucceed();
        _partitioned.Remove(node);
    }

    private static IEnumerable<string[]> Rules() =>
    [
        ["INPUT", "-i", "eth0", "-s", "10.200.0.0/24", "-m", "comment", "--comment", "eventswarm-fault", "-j", "DROP"],
        ["OUTPUT", "-o", "eth0", "-d", "10.200.0.0/24", "-m", "comment", "--comment", "eventswarm-fault", "-j", "DROP"],
    ];

    private static Task<CommandResult> IptablesAsync(int node, string[] args) =>
        CommandResult.RunAsync("nsenter", [$"--net=/var/run/netns/es-n{node}", "iptables", "-w", .. args], new Dictionary<string, string>());

    /// <summary>Shifts one node's wall clock through the agents' fault hook (read at most once a second); zero removes it.</summary>
    public void SetClockOffset(int node, TimeSpan offset)
    {
        var file = $"/run/eventswarm-cluster/n{node}/clock-offset";
        if (offset == TimeSpan.Zero)
        {
            File.Delete(file);
            _clockShifted.Remove(node);
        }
        else
        {
            _clockShifted.Add(node);
            File.WriteAllText(file, offset.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Waits until the three managers show the same events applied and the same state digest; returns how long it took.</summary>
    public async Task<TimeSpan> ManagersConvergeAsync(TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        await Eventually.True(async () =>
        {
            var logs = await Task.WhenAll(Managers.Select(LogAsync));
            return logs[0].Sequence > 0 && logs.All(l => l.Sequence == logs[0].Sequence && l.Digest == logs[0].Digest);
        }, within, "the three managers hold the same state (same events applied, same digest)");
        return watch.Elapsed;
    }
}

/// <summary>
/// Concurrent writers, each creating services with unique names through a rotating set of managers and recording
/// which were acknowledged (2xx) and when each request was sent and answered.
/// </summary>
public sealed class WriteLoad
{
    private readonly FaultCluster _cluster;
    private readonly string _prefix;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers;
    private readonly List<(string Name, long SentAt, long AnsweredAt, bool Acknowledged)> _results = [];

    public WriteLoad(FaultCluster cluster, string prefix, Func<int[]> targets, int writers = 2)
    {
        _cluster = cluster;
        _prefix = prefix;
        _writers = Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w, targets))).ToList();
    }

    public IReadOnlyList<string> Acknowledged
    {
        get { lock (_results) return _results.Where(r => r.Acknowledged).Select(r => r.Name).ToList(); }
    }

    public int Failed
    {
        get { lock (_results) return _results.Count(r => !r.Acknowledged); }
    }

    /// <summary>How long after <paramref name="since"/> (a Stopwatch timestamp) the first write sent after it was acknowledged.</summary>
    public TimeSpan? FirstAcknowledgedAfter(long since)
    {
        lock (_results)
            return _results.Where(r => r.Acknowledged && r.SentAt >= since).Select(r => (long?)r.AnsweredAt).Min() is { } at
                ? Stopwatch.GetElapsedTime(since, at)
                : null;
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_writers);
    }

    private async Task WriteAsync(int writer, Func<int[]> targets)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var nodes = targets();
            var name = $"{_prefix}-w{writer}-{i}";
            var sent = Stopwatch.GetTimestamp();
            // Never cancelled midway: a request is either answered or times out, and only a 2xx counts.
            var ok = await _cluster.CreateServiceAsync(nodes[(i + writer) % nodes.Length], name);
            lock (_results) _results.Add((name, sent, Stopwatch.GetTimestamp(), ok));
            await Task.Delay(ok ? 50 : 200);
        }
    }
}
