using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Three real nodes (one manager, two workers, 1 s heartbeats) joined as a user joins them: n2 first tries a token
/// whose secret is wrong (its answer kept for the test that checks it), then joins through the docker CLI, n3
/// through EventSwarm's. Shared by the worker join and node failure tests: each runs its own service, and a test
/// that cuts, kills or removes a node brings it back and waits until every node is Ready again.
/// </summary>
public sealed class WorkersJoinedWithTokens : IAsyncLifetime
{
    public NamespaceCluster Cluster { get; private set; } = null!;
    public string WorkerToken { get; private set; } = "";

    /// <summary>n2's first `docker swarm join`, with the right token's secret replaced.</summary>
    public CommandResult WrongSecretJoin { get; private set; } = null!;

    public static string Manager => $"{NamespaceCluster.Address(1)}:2377";

    public async Task InitializeAsync()
    {
        Cluster = await NamespaceCluster.StartAsync(3);
        (await Cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1))).ShouldSucceed();
        WorkerToken = (await Cluster.EventSwarm(1, "swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        WrongSecretJoin = await Cluster.Docker(2, "swarm", "join", "--token", WorkerToken[..^25] + new string('x', 25), Manager);
        (await Cluster.Docker(2, "swarm", "join", "--token", WorkerToken, Manager)).ShouldSucceed();
        (await Cluster.EventSwarm(3, "swarm", "join", "--token", WorkerToken, Manager)).ShouldSucceed();
        await AllReadyAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public Task AllReadyAsync() =>
        Eventually.True(async () => (await Cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(30), "three nodes are Ready");

    public Task NodeIsAsync(int node, string status) =>
        Eventually.True(async () => (await Cluster.EventSwarm(1, "node", "ls")).Rows.Any(r => r.Contains($" n{node} ") && r.Contains(status)),
            TimeSpan.FromSeconds(30), $"n{node} is {status}");

    /// <summary>The service's six tasks run, desired and current state both Running (the replacement's container has started), only on these nodes.</summary>
    public Task TasksRunOnlyOnAsync(string service, int[] nodes) =>
        Eventually.True(async () =>
        {
            var tasks = (await Cluster.EventSwarm(1, "service", "ps", service)).Rows.Where(r => !r.Contains("\\_")).ToList();
            return tasks.Count == 6 && tasks.All(r => Regex.IsMatch(r, @"Running\s+Running") && nodes.Any(n => r.Contains($" n{n} ")));
        }, TimeSpan.FromSeconds(60), $"{service}'s six tasks run on {string.Join(", ", nodes.Select(n => $"n{n}"))}");

    /// <summary>Across every engine of the cluster, each of the service's six slots has exactly one running container.</summary>
    public async Task OneContainerPerSlotAsync(string service)
    {
        var names = new List<string>();
        foreach (var node in Enumerable.Range(1, Cluster.Nodes))
            names.AddRange((await Cluster.Engine(node, "ps", "--format", "{{.Names}}", "--filter", $"label=eventswarm.service.name={service}")).ShouldSucceed()
                .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var slots = names.GroupBy(n => n.Split('.')[1]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, slots.Count);
        Assert.All(slots, slot => Assert.Equal(1, slot.Value));
    }

    /// <summary>A service of six replicas, two per node while all three are Ready and active.</summary>
    public async Task CreateSixReplicasAsync(string service) =>
        (await Cluster.EventSwarm(1, "service", "create", "--name", service, "--replicas", "6", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
}

[CollectionDefinition(Name)]
public sealed class WorkersJoinedWithTokensCollection : ICollectionFixture<WorkersJoinedWithTokens>
{
    public const string Name = "Three nodes joined with tokens";
}
