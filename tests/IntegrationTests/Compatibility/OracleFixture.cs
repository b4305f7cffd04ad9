using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// The two engines every comparison talks to, started once per test run: the oracle, a throwaway Docker Engine in
/// its own network namespace (ops/oracle-engine.sh: es-oracle, 10.201.0.2), and an EventSwarm agent (LocalAgent).
/// Neither is in a swarm until a test asks for it; tests that only read share one swarm on each side.
/// </summary>
public sealed class OracleFixture : IAsyncLifetime
{
    private static readonly string Repo = FindRepo();
    private static readonly string OracleRoot = Path.Combine(Path.GetTempPath(), "eventswarm-oracle");
    private LocalAgent? _agent;

    public Side Docker { get; private set; } = null!;
    public Side EventSwarm { get; private set; } = null!;
    public LocalAgent Agent => _agent!;

    /// <summary>Both sides, Docker first: the order of every comparison's arguments.</summary>
    public IEnumerable<Side> Sides => [Docker, EventSwarm];

    public async Task InitializeAsync()
    {
        // A fresh engine every run: what a previous run left in the oracle's swarm would skew the comparisons.
        await Script("down");
        (await Script("up")).ShouldSucceed();
        Docker = new Side("docker", Path.Combine(OracleRoot, "docker.sock"), "10.201.0.2", "10.201.0.2:2377");
        _agent = await LocalAgent.StartAsync();
        EventSwarm = new Side("eventswarm", _agent.Socket, "127.0.0.1", $"127.0.0.1:{LocalAgent.FreePort()}");
    }

    public async Task DisposeAsync()
    {
        Docker?.Dispose();
        EventSwarm?.Dispose();
        if (_agent is not null) await _agent.DisposeAsync();
        await Script("down");
    }

    /// <summary>Both sides in a swarm (initialised with the standard body unless they already are).</summary>
    public async Task InSwarmAsync()
    {
        foreach (var side in Sides)
            if (await side.LocalNodeStateAsync() != "active")
                (await side.PostAsync("/swarm/init", side.InitBody())).ShouldSucceed();
    }

    /// <summary>Both sides out of any swarm, as a fresh engine.</summary>
    public async Task OutOfSwarmAsync()
    {
        foreach (var side in Sides)
            if (await side.LocalNodeStateAsync() != "inactive")
                (await side.PostAsync("/swarm/leave?force=1")).ShouldSucceed();
    }

    /// <summary>Both sides in a fresh swarm, initialised with the given extra fields of the init body.</summary>
    public async Task FreshSwarmAsync(string initExtra = "")
    {
        await OutOfSwarmAsync();
        foreach (var side in Sides) (await side.PostAsync("/swarm/init", side.InitBody(initExtra))).ShouldSucceed();
    }

    /// <summary>
    /// Copies images from this machine's engine into the oracle's (which has busybox only, and no route to a
    /// registry); EventSwarm's tasks run on this machine's engine, which has them.
    /// </summary>
    public async Task LoadImagesAsync(params string[] images) => (await Script("load", images)).ShouldSucceed();

    private static Task<CommandResult> Script(string verb, params string[] args) =>
        CommandResult.RunAsync("bash", [Path.Combine(Repo, "ops", "oracle-engine.sh"), verb, .. args], new Dictionary<string, string> { ["ORACLE_ROOT"] = OracleRoot });

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ops", "oracle-engine.sh"))) return dir.FullName;
        throw new InvalidOperationException("ops/oracle-engine.sh not found above the test binaries");
    }
}

[CollectionDefinition(Name)]
public sealed class CompatibilityCollection : ICollectionFixture<OracleFixture>
{
    public const string Name = "Compatibility";
}
