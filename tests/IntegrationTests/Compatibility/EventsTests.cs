using System.Globalization;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// `docker events --filter scope=swarm` on both sides after the same commands (service create, scale, image update
/// and rm; secret create and rm; network create and rm): the same sequence of (Type, Action, attributes). What depends
/// on timing is left aside on both: updates naming nothing but the object (swarmkit's allocator writes the service
/// again) and the update state's progress, which the updater reports when it gets there.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class EventsTests(OracleFixture fixture)
{
    private async Task<IReadOnlyList<CommandResult>> BothAsync(params string[] args)
    {
        var results = new List<CommandResult>();
        foreach (var side in fixture.Sides) results.Add(await side.Cli(args));
        return results;
    }

    [Fact]
    public async Task Swarm_events_of_the_same_commands_are_Docker_Swarms()
    {
        await fixture.InSwarmAsync();
        await BothAsync("service", "rm", "evo");
        await BothAsync("secret", "rm", "evo-s");
        await BothAsync("network", "rm", "evo-net");
        var secretFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(secretFile, "evo-secret-data");
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // `since` is whole seconds: nothing before this test falls in it
        try
        {
            Assert.All(await BothAsync("service", "create", "--name", "evo", "--replicas", "1", "--detach", "--no-resolve-image", "busybox", "sleep", "3600"), r => r.ShouldSucceed());
            Assert.All(await BothAsync("service", "scale", "--detach", "evo=2"), r => r.ShouldSucceed());
            Assert.All(await BothAsync("service", "update", "--detach", "--no-resolve-image", "--image", "busybox:1.36", "evo"), r => r.ShouldSucceed());
            Assert.All(await BothAsync("service", "rm", "evo"), r => r.ShouldSucceed());
            Assert.All(await BothAsync("secret", "create", "evo-s", secretFile), r => r.ShouldSucceed());
            Assert.All(await BothAsync("secret", "rm", "evo-s"), r => r.ShouldSucceed());
            Assert.All(await BothAsync("network", "create", "-d", "overlay", "evo-net"), r => r.ShouldSucceed());
            Assert.All(await BothAsync("network", "rm", "evo-net"), r => r.ShouldSucceed());
        }
        finally
        {
            File.Delete(secretFile);
        }
        // dockerd publishes swarm events from a watch of the store: let the last ones arrive.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var listed = await BothAsync("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until, "--filter", "scope=swarm", "--format", "{{json .}}");
        var sequences = listed.Select(r => Deterministic(r.ShouldSucceed().Output)).ToList();
        Assert.Equal(sequences[0], sequences[1]);
        Assert.Contains("service update name=evo replicas.new=2 replicas.old=1", sequences[1]);
    }

    private static List<string> Deterministic(string output) =>
    [
        .. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Type: e.GetProperty("Type").GetString(), Action: e.GetProperty("Action").GetString(),
                Attributes: e.GetProperty("Actor").GetProperty("Attributes").EnumerateObject()
                    .Where(a => !a.Name.StartsWith("updatestate.", StringComparison.Ordinal))
                    .Select(a => $"{a.Name}={a.Value.GetString()}").Order(StringComparer.Ordinal).ToList()))
            // The node's own updates (its status, its description) differ by how long each side has run.
            .Where(e => e.Type != "node")
            .Where(e => e.Action != "update" || e.Attributes.Count > 1)
            .Select(e => $"{e.Type} {e.Action} {string.Join(" ", e.Attributes)}"),
    ];
}
