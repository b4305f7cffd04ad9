extern alias node;
using node::EventSwarm.Node.Api.Stacks;
using node::EventSwarm.Node.Cli.Stacks;

namespace EventSwarm.UnitTests.Cli.Stacks;

/// <summary>
/// <c>stack deploy</c>'s flags and docker's refusals before any file is read, and the lines it prints for what the
/// manager says a deploy changed. Reading and converting real compose files: <see cref="StackDeploy_compose_Tests"/>.
/// </summary>
public sealed class StackDeploy_Tests
{
    private static string Lines(string text) => text.ReplaceLineEndings("\n");

    private static StackObjectChangeJson Change(string kind, string name, string action, string id = "") => new(kind, name, id, action);

    [Fact]
    public void Compose_files_are_repeated_or_comma_separated_as_dockers_string_slice()
    {
        var (verb, result) = Cli.Parse<StackDeployCommand>("stack", "deploy", "-c", "a.yml,b.yml", "--compose-file", "c.yml", "--compose-file=-", "web");
        Assert.Equal(["a.yml", "b.yml", "c.yml", "-"], verb.ComposeFiles(result));
        Assert.Equal(["web"], verb.Args(result));
        Assert.False(verb.Prune(result));
        var (up, pruned) = Cli.Parse<StackDeployCommand>("stack", "up", "--prune", "--with-registry-auth", "--resolve-image", "never", "-c", "a.yml", "web");
        Assert.True(up.Prune(pruned));
    }

    [Fact]
    public async Task Without_a_compose_file_it_is_dockers_error_and_nothing_is_sent()
    {
        using var manager = new FakeManager();
        var (code, output, error) = await manager.RunAsync(null, "stack", "deploy", "wordpress");
        Assert.Equal((1, ""), (code, output));
        Assert.Equal("specify a Compose file (with --compose-file)\n", Lines(error));
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task A_compose_file_flag_without_its_value_is_pflags_error()
    {
        Assert.StartsWith("flag needs an argument: 'c' in -c", await Cli.RefusedAsync(125, "stack", "deploy", "web", "-c"));
    }

    [Fact]
    public async Task An_unknown_resolve_image_value_is_dockers_error()
    {
        using var manager = new FakeManager();
        var (code, _, error) = await manager.RunAsync(null, "stack", "deploy", "-c", "x.yml", "--resolve-image", "sometimes", "wordpress");
        Assert.Equal((1, "invalid option sometimes for flag --resolve-image\n"), (code, Lines(error)));
        Assert.Empty(manager.Requests);
    }

    [Fact]
    public async Task Deploy_takes_exactly_one_stack_name_which_may_not_be_blank()
    {
        Assert.StartsWith("eventswarm: 'eventswarm stack deploy' requires 1 argument\n\nUsage:  eventswarm stack deploy [OPTIONS] STACK",
            Lines(await Cli.RefusedAsync(1, "stack", "deploy", "-c", "x.yml")));
        Assert.Equal("invalid stack name: \"\\\"\\\"\"\n", Lines(await Cli.RefusedAsync(1, "stack", "deploy", "-c", "x.yml", "\"\"")));
    }

    [Fact]
    public async Task Deploy_help_lists_dockers_flags_with_detach_on_by_default()
    {
        var help = Lines(await Cli.HelpAsync("stack", "deploy"));
        Assert.StartsWith("Usage:  eventswarm stack deploy [OPTIONS] STACK\n\nDeploy a new stack or update an existing stack\n\nAliases:\n  eventswarm stack deploy, eventswarm stack up\n", help);
        foreach (var flag in new[] { "-c, --compose-file strings", "-d, --detach", "--prune", "-q, --quiet", "--resolve-image string", "--with-registry-auth" })
            Assert.Contains(flag, help);
        Assert.Contains("converge (default true)", help);
    }

    [Fact]
    public void A_deploys_changes_print_as_docker_pruned_services_first_then_networks_secrets_configs_then_services()
    {
        var result = new StackDeployResultJson(2,
        [
            Change("service", "wp_web", "updated", "svc-web"),
            Change("service", "wp_old", "removed"),
            Change("config", "wp_conf", "created"),
            Change("service", "wp_mysql", "unchanged", "svc-mysql"),
            Change("secret", "wp_pw", "created"),
            Change("network", "wp_my-network", "created"),
            Change("service", "wp_cache", "created"),
            Change("network", "wp_default", "unchanged"),
        ]);
        using var output = new StringWriter();
        StackVerbs.WriteDeploy(result, output);
        Assert.Equal(
            "Removing service wp_old\n" +
            "Creating network wp_my-network\n" +
            "Creating secret wp_pw\n" +
            "Creating config wp_conf\n" +
            "Creating service wp_cache\n" +
            "Updating service wp_web (id: svc-web)\n", Lines(output.ToString()));
    }

    [Fact]
    public void Objects_the_files_no_longer_name_are_removed_last_with_stack_rms_words()
    {
        using var output = new StringWriter();
        StackVerbs.WriteDeploy(new StackDeployResultJson(3, [Change("network", "wp_back", "removed"), Change("secret", "wp_old", "removed"), Change("service", "wp_web", "created")]), output);
        Assert.Equal("Creating service wp_web\nRemoving secret wp_old\nRemoving network wp_back\n", Lines(output.ToString()));
    }

    [Fact]
    public void Services_print_in_natural_order()
    {
        using var output = new StringWriter();
        StackVerbs.WriteDeploy(new StackDeployResultJson(1, [Change("service", "s_web10", "created"), Change("service", "s_web2", "created")]), output);
        Assert.Equal("Creating service s_web2\nCreating service s_web10\n", Lines(output.ToString()));
    }
}
