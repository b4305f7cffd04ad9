using System.Globalization;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// Issue 15's "must hold", on three real nodes: the seed's steps (create, two scales, an update, a removal), then
/// every node's agent killed and started again. What changed, who did it and what the swarm looked like in between
/// must all still be answered: dockerd forgets its 256 events on restart, the log does not.
/// </summary>
public sealed class History_after_a_restart_Tests
{
    private const string Forever = "while true;do sleep 3600;done";

    private static string Attribute(JsonElement e, string name) =>
        e.GetProperty("Actor").GetProperty("Attributes").TryGetProperty(name, out var value) ? value.GetString()! : "";

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public async Task After_the_seed_steps_and_a_restart_of_every_node_events_audit_at_and_diff_tell_what_happened()
    {
        await using var cluster = await NamespaceCluster.StartJoinedAsync(3);
        async Task ReplicasAsync(string expected) => await Eventually.True(async () =>
            (await cluster.EventSwarm(1, "service", "ls")).Rows.Any(r => r.Contains(" hist-web ") && r.Contains($" {expected}/{expected} ")),
            TimeSpan.FromSeconds(90), $"hist-web runs {expected}/{expected}");

        (await cluster.Docker(1, "service", "create", "--name", "hist-web", "--detach", "--no-resolve-image", "busybox", "sh", "-c", Forever)).ShouldSucceed();
        await ReplicasAsync("1");
        (await cluster.Docker(1, "service", "scale", "--detach", "hist-web=3")).ShouldSucceed();
        await ReplicasAsync("3");
        // An instant strictly between the two scales, a second clear of each (the times of batches are what --at compares).
        await Task.Delay(1100);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(1100);
        (await cluster.EventSwarm(1, "service", "scale", "hist-web=5")).ShouldSucceed();
        await ReplicasAsync("5");
        await Task.Delay(1100);
        var afterScales = DateTimeOffset.UtcNow;
        (await cluster.Docker(1, "service", "update", "--detach", "--env-add", "STEP=updated", "hist-web")).ShouldSucceed();
        (await cluster.Docker(1, "service", "rm", "hist-web")).ShouldSucceed();

        for (var node = 1; node <= cluster.Nodes; node++) await cluster.KillAgentAsync(node);
        await cluster.RestartMissingAgentsAsync();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "node", "ls")).Rows.Count(r => r.Contains("Ready")) == cluster.Nodes,
            TimeSpan.FromSeconds(60), "every node is Ready again after the restart");
        await Task.Delay(1100); // `until` is whole seconds: the last change must be strictly before it

        // docker events: every service change and every node's joining, in order, from a log that outlived the restart.
        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var listed = (await cluster.Docker(1, "events", "--since", "0", "--until", until, "--filter", "scope=swarm", "--format", "{{json .}}")).ShouldSucceed();
        var events = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var nodesCreated = events.Select((e, i) => (e, i)).Where(p => Text(p.e, "Type") == "node" && Text(p.e, "Action") == "create").Select(p => p.i).ToList();
        Assert.True(nodesCreated.Count == cluster.Nodes, $"{nodesCreated.Count} node create events in:\n{listed.Output}");
        var web = events.Select((e, i) => (e, i)).Where(p => Text(p.e, "Type") == "service" && Attribute(p.e, "name") == "hist-web").ToList();
        int Only(Func<JsonElement, bool> what, string name)
        {
            var found = web.Where(p => what(p.e)).Select(p => p.i).ToList();
            Assert.True(found.Count == 1, $"{found.Count} {name} events in:\n{listed.Output}");
            return found[0];
        }
        var created = Only(e => Text(e, "Action") == "create", "create");
        var firstScale = Only(e => Attribute(e, "replicas.old") == "1" && Attribute(e, "replicas.new") == "3", "scale 1 → 3");
        var secondScale = Only(e => Attribute(e, "replicas.old") == "3" && Attribute(e, "replicas.new") == "5", "scale 3 → 5");
        var removed = Only(e => Text(e, "Action") == "remove", "remove");
        var updates = web.Where(p => Text(p.e, "Action") == "update" && p.i > secondScale && p.i < removed).ToList();
        Assert.True(updates.Count >= 1, $"no update between the second scale and the removal in:\n{listed.Output}");
        Assert.True(nodesCreated.Max() < created && created < firstScale && firstScale < secondScale && secondScale < removed, listed.Output);

        // The audit names the caller of each command: the unix peer the kernel reported, for both CLIs.
        var audit = (await cluster.EventSwarm(1, "audit", "--service", "hist-web")).ShouldSucceed().Output;
        // A scale reads "scaled service hist-web 1 → 3" or, sent by docker as a whole spec, "updated service hist-web: replicas 1 → 3".
        foreach (var change in new[] { "created service hist-web", "1 → 3", "3 → 5", "STEP", "removed service hist-web" })
        {
            var row = audit.Split('\n').FirstOrDefault(l => l.Contains("hist-web", StringComparison.Ordinal) && l.Contains(change, StringComparison.Ordinal) && !l.TrimStart().StartsWith('└'));
            Assert.True(row is not null && row.Contains("unix:root(uid=0", StringComparison.Ordinal), $"no row '{change}' naming its caller in:\n{audit}");
        }

        // The swarm as it was between the scales, though the service is gone now.
        var then = between.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var past = (await cluster.EventSwarm(1, "--at", then, "service", "ls")).ShouldSucceed();
        Assert.Contains(past.Rows, r => r.Contains(" hist-web ") && r.Contains(" 3/3 "));
        Assert.DoesNotContain((await cluster.EventSwarm(1, "service", "ls")).ShouldSucceed().Rows, r => r.Contains(" hist-web "));

        var diff = (await cluster.EventSwarm(1, "diff", "--from", then, "--to", afterScales.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))).ShouldSucceed().Output;
        Assert.Contains("~ service hist-web: replicas 3 → 5", diff);
    }
}
