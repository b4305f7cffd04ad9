using EventSwarm.IntegrationTests.Cluster;
using EventSwarm.IntegrationTests.Swarm;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Autolock on three real managers: the unlock key is the swarm's (every manager shows the same one and wraps its
/// own keys under it), a restarted manager is locked until unlocked and then rejoins the Raft cluster, and a key
/// rotated on one manager is the one the others need after their next restart.
/// </summary>
public sealed class Autolock_managers_Tests
{
    private const string LockedMessage = "Swarm is encrypted and needs to be unlocked before it can be used.";

    private static string Socket(int node) => $"unix:///run/eventswarm-cluster/n{node}/eventswarm.sock";

    private static bool Wrapped(int node) =>
        File.ReadAllText(Path.Combine(NamespaceCluster.DataDirectory(node), "certificates", "data-key")).StartsWith("eventswarm-wrapped-v1:", StringComparison.Ordinal);

    [Fact]
    public async Task A_restarted_manager_stays_locked_until_unlocked_then_rejoins_and_a_rotated_key_reaches_every_manager()
    {
        await using var cluster = await NamespaceCluster.StartAsync(3);
        var init = (await cluster.EventSwarm(1, "swarm", "init", "--advertise-addr", NamespaceCluster.Address(1), "--autolock")).ShouldSucceed();
        var key = Autolock_Tests.KeyPattern().Match(init.Output).Value;
        var token = (await cluster.EventSwarm(1, "swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        for (var node = 2; node <= 3; node++)
            (await cluster.EventSwarm(node, "swarm", "join", "--token", token, $"{NamespaceCluster.Address(1)}:2377")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3, TimeSpan.FromSeconds(60), "3 managers Ready");
        await Eventually.True(() => Task.FromResult(Wrapped(2) && Wrapped(3)), TimeSpan.FromSeconds(30), "the joined managers wrapped their keys");
        Assert.Equal(key, (await cluster.Docker(3, "swarm", "unlock-key", "-q")).ShouldSucceed().Output.Trim());

        await cluster.KillAgentAsync(2);
        await cluster.RestartMissingAgentsAsync();
        (await cluster.Docker(2, "node", "ls")).ShouldFailWith(LockedMessage);
        Assert.Contains("Swarm: locked", (await cluster.Docker(2, "info")).Output);
        (await Autolock_Tests.WithInputAsync(key + "\n", "eventswarm", Socket(2), "swarm", "unlock")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(2, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(60), "the unlocked manager rejoined and answers node ls itself");

        // Rotated through n1; n3 applies it from the log, and needs the new key after its restart.
        var rotated = (await cluster.EventSwarm(1, "swarm", "unlock-key", "--rotate", "-q")).ShouldSucceed().Output.Trim();
        Assert.NotEqual(key, rotated);
        await Eventually.True(async () => (await cluster.Docker(3, "swarm", "unlock-key", "-q")).Output.Trim() == rotated, TimeSpan.FromSeconds(30), "n3 sees the new key");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await cluster.KillAgentAsync(3);
        await cluster.RestartMissingAgentsAsync();
        (await Autolock_Tests.WithInputAsync(key + "\n", "docker", Socket(3), "swarm", "unlock")).ShouldFailWith("swarm could not be unlocked: invalid key provided");
        (await Autolock_Tests.WithInputAsync(rotated + "\n", "docker", Socket(3), "swarm", "unlock")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(3, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == 3,
            TimeSpan.FromSeconds(60), "n3 rejoined after unlock");
    }
}
