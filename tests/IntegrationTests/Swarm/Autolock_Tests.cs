using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Swarm;

/// <summary>
/// Swarm's autolock on a real agent: a manager restarted with autolock on is locked (Docker's 503 on every swarm
/// route, LocalNodeState "locked"), refuses a wrong key, and with the right one comes back with its state, its
/// secrets and its running containers; with autolock turned off it restarts unlocked.
/// </summary>
public sealed partial class Autolock_Tests
{
    private const string LockedMessage = "Swarm is encrypted and needs to be unlocked before it can be used.";

    [GeneratedRegex(@"SWMKEY-1-\S+")]
    internal static partial Regex KeyPattern();

    [Fact]
    public async Task Autolocked_manager_restarts_locked_refuses_a_wrong_key_and_unlocks_with_the_right_one()
    {
        await using var agent = await LocalAgent.StartAsync();
        var init = (await agent.EventSwarm("swarm", "init", "--advertise-addr", "127.0.0.1", "--autolock")).ShouldSucceed();
        Assert.Contains("To unlock a swarm manager after it restarts, run the `eventswarm swarm unlock`", init.Output);
        var key = KeyPattern().Match(init.Output).Value;
        Assert.Equal(key, (await agent.Docker("swarm", "unlock-key", "-q")).ShouldSucceed().Output.Trim());
        Assert.Contains("Autolock Managers: true", (await agent.Docker("info")).Output);
        using (var http = agent.Http())
        {
            var created = await http.PostAsync("/v1.41/secrets/create", new StringContent(
                $$"""{"Name": "locked-pw", "Data": "{{Convert.ToBase64String("adminadmin"u8)}}"}""", Encoding.UTF8, "application/json"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }
        (await agent.Docker("service", "create", "-d", "--name", "locked-web", "busybox", "sleep", "3600")).ShouldSucceed();
        await Eventually.True(async () => (await agent.Docker("service", "ls")).Output.Contains("1/1"), TimeSpan.FromSeconds(60), "locked-web is 1/1");
        var containers = (await Engine.ContainersOfNodeAsync(agent.NodeId)).Select(c => c.ID).ToList();

        await agent.KillAsync();
        await agent.StartProcessAsync();

        using (var http = agent.Http())
        {
            foreach (var path in new[] { "/v1.41/services", "/v1.41/secrets", "/v1.41/nodes", "/v1.41/swarm", "/eventswarm/v1/events" })
            {
                var refused = await http.GetAsync(path);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.StartsWith(LockedMessage, (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["message"]);
            }
            Assert.Equal("locked", (string?)JsonNode.Parse(await http.GetStringAsync("/v1.41/info"))!["Swarm"]!["LocalNodeState"]);
        }
        (await agent.Docker("node", "ls")).ShouldFailWith(LockedMessage);
        // The node's own engine is not the swarm's: as with dockerd, `docker ps` still answers.
        (await agent.Docker("ps")).ShouldSucceed();
        (await agent.Docker("service", "create", "--name", "refused", "busybox", "sleep", "1")).ShouldFailWith(LockedMessage);
        // The containers of its tasks keep running: the worker does not act on the empty state of a locked node.
        Assert.Equal(containers.Order(), (await Engine.ContainersOfNodeAsync(agent.NodeId)).Select(c => c.ID).Order());

        (await WithInputAsync("SWMKEY-1-" + new string('A', 43) + "\n", "docker", agent, "swarm", "unlock"))
            .ShouldFailWith("swarm could not be unlocked: invalid key provided");
        (await WithInputAsync("not-a-key\n", "eventswarm", agent, "swarm", "unlock")).ShouldFailWith("invalid key string");
        (await agent.Docker("service", "ls")).ShouldFailWith(LockedMessage);

        (await WithInputAsync(key + "\n", "eventswarm", agent, "swarm", "unlock")).ShouldSucceed();

        Assert.Contains("locked-pw", (await agent.Docker("secret", "ls")).ShouldSucceed().Output);
        await Eventually.True(async () => (await agent.Docker("service", "ls")).Output.Contains("1/1"), TimeSpan.FromSeconds(30), "locked-web is 1/1 after unlock");
        (await agent.Docker("swarm", "unlock")).ShouldFailWith("swarm is not locked");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(containers.Order(), (await Engine.ContainersOfNodeAsync(agent.NodeId)).Select(c => c.ID).Order());

        // Autolock off: the keys are in clear again and the next start is unlocked.
        (await agent.Docker("swarm", "update", "--autolock=false")).ShouldSucceed();
        Assert.Equal("", (await agent.Docker("swarm", "unlock-key", "-q")).Output.Trim());
        await agent.KillAsync();
        await agent.StartProcessAsync();
        Assert.Contains("locked-pw", (await agent.Docker("secret", "ls")).ShouldSucceed().Output);
        Assert.Contains("Swarm: active", (await agent.Docker("info")).Output);
    }

    [Fact]
    public async Task Update_turns_autolock_on_and_a_rotated_key_replaces_the_old_one()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        (await agent.EventSwarm("swarm", "unlock-key")).ShouldFailWith("no unlock key is set");
        (await agent.EventSwarm("swarm", "unlock-key", "--rotate")).ShouldFailWith("cannot rotate because autolock is not turned on");

        var on = (await agent.EventSwarm("swarm", "update", "--autolock=true")).ShouldSucceed();
        Assert.StartsWith("Swarm updated.\nTo unlock a swarm manager after it restarts", on.Output);
        var first = KeyPattern().Match(on.Output).Value;
        var rotated = (await agent.Docker("swarm", "unlock-key", "--rotate")).ShouldSucceed();
        Assert.Contains("Successfully rotated manager unlock key.", rotated.Output);
        var second = KeyPattern().Match(rotated.Output).Value;
        Assert.NotEqual(first, second);
        // The log holds the key sealed only: neither key appears in the audit trail.
        using (var http = agent.Http())
        {
            var events = await http.GetStringAsync("/eventswarm/v1/events");
            Assert.Contains("manager-unlock-key-rotated", events);
            Assert.DoesNotContain(first, events);
            Assert.DoesNotContain(second, events);
        }

        await agent.KillAsync();
        await agent.StartProcessAsync();
        (await WithInputAsync(first + "\n", "docker", agent, "swarm", "unlock")).ShouldFailWith("swarm could not be unlocked: invalid key provided");
        (await WithInputAsync(second + "\n", "docker", agent, "swarm", "unlock")).ShouldSucceed();
        (await agent.Docker("node", "ls")).ShouldSucceed();
        Assert.DoesNotContain(second, agent.AgentLog);

        // A locked manager may still leave when forced, as Docker's may; unforced it is refused as locked.
        await agent.KillAsync();
        await agent.StartProcessAsync();
        (await agent.Docker("swarm", "leave")).ShouldFailWith(LockedMessage);
        (await agent.Docker("swarm", "leave", "--force")).ShouldSucceed();
        Assert.Contains("Swarm: inactive", (await agent.Docker("info")).Output);
        Assert.False(Directory.Exists(Path.Combine(agent.DataDirectory, "certificates")));
    }

    /// <summary>A CLI run with its standard input given (a pipe: docker and eventswarm then read one line, no prompt).</summary>
    private static Task<CommandResult> WithInputAsync(string input, string cli, LocalAgent agent, params string[] args) => WithInputAsync(input, cli, agent.Host, args);

    /// <inheritdoc cref="WithInputAsync(string, string, LocalAgent, string[])"/>
    internal static async Task<CommandResult> WithInputAsync(string input, string cli, string host, params string[] args)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (cli == "eventswarm")
        {
            info.FileName = "dotnet";
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "eventswarm.dll"), "--host", host }) info.ArgumentList.Add(arg);
        }
        else info.Environment["DOCKER_HOST"] = host;
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new CommandResult($"{cli} {string.Join(' ', args)}", process.ExitCode, await output, await error);
    }
}
