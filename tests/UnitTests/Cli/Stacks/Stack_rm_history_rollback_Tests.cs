extern alias node;
using node::EventSwarm.Node.Api.Stacks;
using node::EventSwarm.Node.Cli.Stacks;
using StackFile = EventSwarm.Domain.Stacks.StackFile;

namespace EventSwarm.UnitTests.Cli.Stacks;

/// <summary>
/// <c>stack rm</c> (one request per stack, docker's lines in docker's order), and EventSwarm's <c>stack history</c> and
/// <c>stack rollback</c>, against a fake manager.
/// </summary>
public sealed class Stack_rm_history_rollback_Tests
{
    private const string Removed = """
        {"Version":2,"Changes":[
          {"Kind":"network","Name":"wordpress_my-network","Id":"net1","Action":"removed"},
          {"Kind":"service","Name":"wordpress_web","Id":"svc2","Action":"removed"},
          {"Kind":"secret","Name":"wordpress_pw","Id":"sec1","Action":"removed"},
          {"Kind":"config","Name":"wordpress_conf","Id":"cfg1","Action":"removed"},
          {"Kind":"service","Name":"wordpress_mysql","Id":"svc1","Action":"removed"}]}
        """;

    private const string History = """
        [{"Version":2,"At":"2026-11-27T23:55:00Z","Who":"alice","Command":"DeployStack","Files":[{"Path":"docker-compose.yml","Digest":"fedcba9876543210fedcba"}],
          "Changes":["service wordpress_web: Image: wordpress -> wordpress:6"]},
         {"Version":1,"At":"2026-11-27T22:00:00Z","Who":"root","Command":"DeployStack","Files":[{"Path":"docker-compose.yml","Digest":"0123456789abcdef0123"},
          {"Path":"override.yml","Digest":"aaaaaaaaaaaaaaaaaaaa"}],"Changes":["created"]}]
        """;

    private const string RolledBack = """
        {"Version":3,"Changes":[
          {"Kind":"service","Name":"wordpress_web","Id":"svc2","Action":"updated"},
          {"Kind":"service","Name":"wordpress_mysql","Id":"svc1","Action":"unchanged"},
          {"Kind":"network","Name":"wordpress_my-network","Id":"net1","Action":"unchanged"}]}
        """;

    private static string Lines(string text) => text.ReplaceLineEndings("\n");

    [Fact]
    public async Task Stack_rm_sends_one_delete_and_prints_services_secrets_configs_then_networks_as_docker()
    {
        using var manager = new FakeManager().On("DELETE", "/eventswarm/v1/stacks/wordpress", 200, Removed);
        var (code, output, error) = await manager.RunAsync(null, "stack", "rm", "wordpress");
        Assert.True(code == 0, error);
        Assert.Equal(
            "Removing service wordpress_mysql\n" +
            "Removing service wordpress_web\n" +
            "Removing secret wordpress_pw\n" +
            "Removing config wordpress_conf\n" +
            "Removing network wordpress_my-network\n", Lines(output));
        Assert.Equal([("DELETE", "/eventswarm/v1/stacks/wordpress")], manager.Requests.Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public async Task Stack_rm_of_a_stack_with_nothing_says_so_and_goes_on_to_the_next()
    {
        using var manager = new FakeManager()
            .On("DELETE", "/eventswarm/v1/stacks/empty", 200, """{"Version":0,"Changes":[]}""")
            .On("DELETE", "/eventswarm/v1/stacks/wordpress", 200, Removed);
        var (code, output, error) = await manager.RunAsync(null, "stack", "down", "empty", "unknown", "wordpress");
        Assert.Equal(0, code);
        Assert.Equal("Nothing found in stack: empty\nNothing found in stack: unknown\n", Lines(error));
        Assert.StartsWith("Removing service wordpress_mysql\n", Lines(output));
    }

    [Fact]
    public async Task A_refused_removal_is_reported_the_others_still_run_and_the_exit_is_1()
    {
        using var manager = new FakeManager()
            .On("DELETE", "/eventswarm/v1/stacks/busy", 409, """{"message":"network busy_net is in use by service other"}""")
            .On("DELETE", "/eventswarm/v1/stacks/wordpress", 200, Removed);
        var (code, output, error) = await manager.RunAsync(null, "stack", "rm", "busy", "wordpress");
        Assert.Equal(1, code);
        Assert.Equal("Error response from daemon: network busy_net is in use by service other\n", Lines(error));
        Assert.Contains("Removing network wordpress_my-network\n", Lines(output));
    }

    [Fact]
    public async Task Stack_rm_needs_a_stack_and_has_dockers_aliases()
    {
        Assert.StartsWith("eventswarm: 'eventswarm stack rm' requires at least 1 argument\n\nUsage:  eventswarm stack rm [OPTIONS] STACK [STACK...]",
            Lines(await Cli.RefusedAsync(1, "stack", "rm")));
        Assert.Contains("eventswarm stack rm, eventswarm stack remove, eventswarm stack down", await Cli.HelpAsync("stack", "rm"));
    }

    [Fact]
    public async Task Stack_rm_without_detach_waits_until_the_stacks_tasks_have_ended()
    {
        using var manager = new FakeManager()
            .On("DELETE", "/eventswarm/v1/stacks/wordpress", 200, Removed)
            .On("GET", "/v1.41/tasks", 200, """[{"ID":"t1","DesiredState":"shutdown","Status":{"State":"shutdown"}}]""");
        var (code, _, error) = await manager.RunAsync(null, "stack", "rm", "--detach=false", "wordpress");
        Assert.True(code == 0, error);
        Assert.Contains("com.docker.stack.namespace=wordpress",
            Uri.UnescapeDataString(Assert.Single(manager.Requests, r => r.Method == "GET").Path));
    }

    [Fact]
    public void History_is_a_table_of_deploys_oldest_first_with_each_files_digest()
    {
        using var output = new StringWriter();
        StackHistoryCommand.Write(StackVerbs.Read<List<StackVersionJson>>(History), new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), output);
        Assert.Equal(
            "VERSION   UPDATED         BY        FILES                                                            CHANGES\n" +
            "1         2 hours ago     root      docker-compose.yml (0123456789ab), override.yml (aaaaaaaaaaaa)   created\n" +
            "2         5 minutes ago   alice     docker-compose.yml (fedcba987654)                                service wordpress_web: Image: wordpress -> wordpress:6\n",
            Lines(output.ToString()));
    }

    [Fact]
    public async Task Stack_history_asks_the_stacks_history_route()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/stacks/wordpress/history", 200, History);
        var (code, output, error) = await manager.RunAsync(null, "stack", "history", "wordpress");
        Assert.True(code == 0, error);
        Assert.StartsWith("VERSION   UPDATED", output);
        using var other = new FakeManager();
        var (missing, _, refused) = await other
            .On("GET", "/eventswarm/v1/stacks/nope/history", 404, """{"message":"stack nope not found"}""")
            .RunAsync(null, "stack", "history", "nope");
        Assert.Equal((1, "Error response from daemon: stack nope not found\n"), (missing, Lines(refused)));
    }

    [Fact]
    public async Task Stack_rollback_posts_to_the_rollback_route_and_prints_what_changed()
    {
        using var manager = new FakeManager().On("POST", "/eventswarm/v1/stacks/wordpress/rollback", 200, RolledBack);
        var (code, output, error) = await manager.RunAsync(null, "stack", "rollback", "wordpress");
        Assert.True(code == 0, error);
        Assert.Equal("Updating service wordpress_web (id: svc2)\n", Lines(output));
        Assert.Equal("/eventswarm/v1/stacks/wordpress/rollback", Assert.Single(manager.Requests).Path);
    }

    [Fact]
    public async Task Stack_rollback_to_a_version_sends_it_in_the_query()
    {
        var (verb, result) = Cli.Parse<StackRollbackCommand>("stack", "rollback", "--to-version", "1", "wordpress");
        Assert.Equal("/eventswarm/v1/stacks/wordpress/rollback?to-version=1", verb.Path(result, "wordpress"));
        Assert.StartsWith("invalid argument \"-1\" for \"--to-version\" flag: strconv.ParseUint",
            await Cli.RefusedAsync(125, "stack", "rollback", "--to-version", "-1", "wordpress"));
        using var manager = new FakeManager()
            .On("POST", "/eventswarm/v1/stacks/wordpress/rollback?to-version=7", 400, """{"message":"stack wordpress has no version 7"}""");
        var (code, output, error) = await manager.RunAsync(null, "stack", "rollback", "--to-version", "7", "wordpress");
        Assert.Equal((1, "", "Error response from daemon: stack wordpress has no version 7\n"), (code, output, Lines(error)));
    }

    [Fact]
    public void Stack_files_in_history_may_be_short_digests()
    {
        using var output = new StringWriter();
        StackHistoryCommand.Write([new StackVersionJson(1, DateTimeOffset.UnixEpoch, null, null, [new StackFile("-", "ab")], [])], DateTimeOffset.UnixEpoch.AddSeconds(30), output);
        Assert.Contains("1         30 seconds ago   ", Lines(output.ToString()));
        Assert.Contains("- (ab)", output.ToString());
    }
}
