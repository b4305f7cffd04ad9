using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.History;

/// <summary>
/// Commands through the stock docker CLI and through eventswarm's on a real agent: the audit names the caller of
/// each (the unix peer the kernel reported) and groups the control loops' reactions under the command that caused them.
/// </summary>
public sealed class Audit_on_a_real_agent_Tests
{
    [Fact]
    public async Task Audit_names_the_caller_of_each_command_and_groups_the_loops_reactions_under_it()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.Docker("service", "create", "--name", "audited", "--stop-grace-period", "1s", "busybox", "sleep", "3600")).ShouldSucceed();
        (await agent.EventSwarm("service", "scale", "audited=3")).ShouldSucceed();
        (await agent.Docker("service", "update", "--env-add", "LOG_LEVEL=debug", "audited")).ShouldSucceed();

        JsonElement[] entries = [];
        await Eventually.True(async () =>
        {
            var json = (await agent.EventSwarm("audit", "--service", "audited", "--format", "json")).ShouldSucceed().Output;
            entries = [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.Clone())];
            var scale = entries.FirstOrDefault(e => e.GetProperty("command").GetString() == "ScaleService");
            return scale.ValueKind == JsonValueKind.Object && scale.GetProperty("reactions").EnumerateArray()
                .Any(r => r.GetProperty("summary").GetString()!.Contains("2 tasks created") && r.GetProperty("summary").GetString()!.Contains("running"));
        }, TimeSpan.FromSeconds(60), "the scale's reactions (2 tasks created, running) are grouped under it");

        var commands = entries.Where(e => e.GetProperty("caused").GetBoolean()).ToList();
        Assert.Equal(["CreateService", "ScaleService", "UpdateService"], commands.Select(e => e.GetProperty("command").GetString()));
        // Both CLIs ran as this test's user: the kernel's word for the peer of the unix socket.
        Assert.All(commands, e => Assert.StartsWith("unix:", e.GetProperty("who").GetString()));
        Assert.All(commands, e => Assert.Contains($"uid={GetUid()}", e.GetProperty("who").GetString()));
        Assert.StartsWith("created service audited (busybox", commands[0].GetProperty("changes")[0].GetString());
        Assert.EndsWith(", 1 replica)", commands[0].GetProperty("changes")[0].GetString());
        Assert.Equal("scaled service audited 1 → 3", commands[1].GetProperty("changes")[0].GetString());
        Assert.Equal("updated service audited: env +LOG_LEVEL", commands[2].GetProperty("changes")[0].GetString());
        Assert.All(commands, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("correlationId").GetString())));

        // The table: a row per command, its reactions indented under it.
        var table = (await agent.EventSwarm("audit", "--service", "audited")).ShouldSucceed().Output;
        Assert.Contains("scaled service audited 1 → 3", table);
        Assert.Contains("└ audited: ", table);
        // A bad --since is refused, naming the problem.
        var refused = await agent.EventSwarm("audit", "--since", "yesterday-ish");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("since: 'yesterday-ish' is not an instant", refused.Error);
        var unknown = await agent.EventSwarm("explain", "task", "nosuchtask");
        Assert.Contains("no such task: nosuchtask", unknown.Error);
        (await agent.Docker("service", "rm", "audited")).ShouldSucceed();
    }

    private static string GetUid() => File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
}
