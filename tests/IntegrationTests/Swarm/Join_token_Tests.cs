using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Swarm;

public sealed class Join_token_Tests
{
    [Fact]
    public async Task Swarm_init_prints_the_join_command_and_rotation_changes_the_token_without_a_secret_in_the_log()
    {
        await using var agent = await LocalAgent.StartAsync();
        var init = (await agent.EventSwarm("swarm", "init", "--advertise-addr", "127.0.0.1")).ShouldSucceed().Output;
        var worker = System.Text.RegularExpressions.Regex.Match(init, $@"eventswarm swarm join --token (SWMTKN-1-[0-9a-z]{{50}}-[0-9a-z]{{25}}) {System.Text.RegularExpressions.Regex.Escape(agent.ListenAddress)}").Groups[1].Value;
        Assert.NotEmpty(worker);
        var manager = (await agent.EventSwarm("swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        Assert.NotEqual(worker, manager);
        Assert.Equal(worker[..59], manager[..59]);

        (await agent.Docker("swarm", "join-token", "--rotate", "worker")).ShouldSucceed();
        var rotated = (await agent.EventSwarm("swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        Assert.NotEqual(worker, rotated);
        Assert.Equal(manager, (await agent.Docker("swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim());

        using var http = agent.Http();
        var log = await http.GetStringAsync("/eventswarm/v1/events");
        Assert.Contains("join-token-rotated", log);
        Assert.Contains("BEGIN CERTIFICATE", log);
        foreach (var token in new[] { worker, manager, rotated }) Assert.DoesNotContain(token[^25..], log);
        Assert.DoesNotContain("PRIVATE KEY", log);

        var key = Path.Combine(agent.DataDirectory, "certificates", "ca.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(agent.DataDirectory, "certificates", "join-secrets.json")));
    }
}
