namespace EventSwarm.Node.Simulation;

/// <summary>What `eventswarm simulate` runs: how many nodes, joined to which manager with which token, and what each is.</summary>
/// <param name="Manager">The manager's swarm address, HOST:PORT.</param>
/// <param name="StatsFile">Where one JSON line of figures is appended every second; null for none.</param>
public sealed record SimulationOptions(
    int Nodes,
    string Token,
    string Manager,
    int Cpus = 4,
    long MemoryBytes = 16L << 30,
    TimeSpan StartLatency = default,
    double FailureRate = 0,
    string? StatsFile = null,
    string HostnamePrefix = "sim")
{
    /// <summary>Joins in flight at once: each costs the manager a Raft commit and a certificate signature.</summary>
    public int JoinConcurrency { get; init; } = 16;

    /// <summary>The hostname of the i-th node (from 1): prefix-00001, as a fleet's hosts are named.</summary>
    public string Hostname(int i) => $"{HostnamePrefix}-{i:D5}";
}
