extern alias node;

namespace EventSwarm.UnitTests.Cli;

/// <summary>What every verb shares: docker's help, usage errors and exit codes (docker/cli 28's wording).</summary>
public sealed class Usage_Tests
{
    public static TheoryData<string, string> Synopses => new()
    {
        { "service create", "Usage:  eventswarm service create [OPTIONS] IMAGE [COMMAND] [ARG...]" },
        { "service ls", "Usage:  eventswarm service ls [OPTIONS]" },
        { "service ps", "Usage:  eventswarm service ps [OPTIONS] SERVICE [SERVICE...]" },
        { "service scale", "Usage:  eventswarm service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]" },
        { "service rm", "Usage:  eventswarm service rm SERVICE [SERVICE...]" },
        { "service inspect", "Usage:  eventswarm service inspect [OPTIONS] SERVICE [SERVICE...]" },
        { "service update", "Usage:  eventswarm service update [OPTIONS] SERVICE" },
        { "node ls", "Usage:  eventswarm node ls [OPTIONS]" },
        { "node inspect", "Usage:  eventswarm node inspect [OPTIONS] self|NODE [NODE...]" },
        { "node update", "Usage:  eventswarm node update [OPTIONS] NODE" },
        { "node promote", "Usage:  eventswarm node promote NODE [NODE...]" },
        { "node demote", "Usage:  eventswarm node demote NODE [NODE...]" },
        { "node rm", "Usage:  eventswarm node rm [OPTIONS] NODE [NODE...]" },
        { "network create", "Usage:  eventswarm network create [OPTIONS] NETWORK" },
        { "network ls", "Usage:  eventswarm network ls [OPTIONS]" },
        { "network inspect", "Usage:  eventswarm network inspect [OPTIONS] NETWORK [NETWORK...]" },
        { "network rm", "Usage:  eventswarm network rm NETWORK [NETWORK...]" },
        { "swarm init", "Usage:  eventswarm swarm init [OPTIONS]" },
        { "swarm join", "Usage:  eventswarm swarm join [OPTIONS] HOST:PORT" },
        { "swarm join-token", "Usage:  eventswarm swarm join-token [OPTIONS] (worker|manager)" },
        { "swarm leave", "Usage:  eventswarm swarm leave [OPTIONS]" },
        { "version", "Usage:  eventswarm version" },
        { "completion", "Usage:  eventswarm completion bash|zsh" },
        { "service", "Usage:  eventswarm service COMMAND" },
        { "secret create", "Usage:  eventswarm secret create [OPTIONS] SECRET [file|-]" },
        { "secret ls", "Usage:  eventswarm secret ls [OPTIONS]" },
        { "secret inspect", "Usage:  eventswarm secret inspect [OPTIONS] SECRET [SECRET...]" },
        { "secret rm", "Usage:  eventswarm secret rm SECRET [SECRET...]" },
        { "secret rotate", "Usage:  eventswarm secret rotate SECRET file|-" },
        { "secret", "Usage:  eventswarm secret COMMAND" },
        { "config create", "Usage:  eventswarm config create [OPTIONS] CONFIG file|-" },
        { "config ls", "Usage:  eventswarm config ls [OPTIONS]" },
        { "config inspect", "Usage:  eventswarm config inspect [OPTIONS] CONFIG [CONFIG...]" },
        { "config rm", "Usage:  eventswarm config rm CONFIG [CONFIG...]" },
        { "config rotate", "Usage:  eventswarm config rotate CONFIG file|-" },
        { "config", "Usage:  eventswarm config COMMAND" },
    };

    [Theory]
    [MemberData(nameof(Synopses))]
    public async Task Every_verb_has_help_that_opens_with_dockers_synopsis(string verb, string synopsis)
    {
        var help = await Cli.HelpAsync(verb.Split(' '));
        Assert.StartsWith(synopsis + "\n\n", help.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Help_lists_flags_with_their_kind_shorthand_and_default()
    {
        var help = await Cli.HelpAsync("service", "create");
        Assert.Contains("Create a new service", help);
        Assert.Matches(@"\n  -d, --detach +Exit immediately", help);
        Assert.Matches(@"\n      --replicas uint +Number of tasks", help);
        Assert.Matches(@"\n      --endpoint-mode string +Endpoint mode \(vip or dnsrr\) \(default ""vip""\)", help);
        Assert.DoesNotContain("--help", help);
    }

    [Fact]
    public async Task Aliases_are_listed_and_answer_as_the_verb()
    {
        Assert.Contains("eventswarm service ls, eventswarm service list", await Cli.HelpAsync("service", "ls"));
        Assert.Contains("eventswarm node rm, eventswarm node remove", await Cli.HelpAsync("node", "rm"));
        Assert.StartsWith("Usage:  eventswarm network rm", await Cli.HelpAsync("network", "remove"));
        Assert.Contains("eventswarm secret ls, eventswarm secret list", await Cli.HelpAsync("secret", "ls"));
        Assert.Contains("eventswarm config rm, eventswarm config remove", await Cli.HelpAsync("config", "rm"));
    }

    [Fact]
    public async Task Secret_and_service_help_carry_dockers_flags_and_kinds()
    {
        var create = await Cli.HelpAsync("secret", "create");
        Assert.Matches(@"\n  -d, --driver string +Secret driver", create);
        Assert.Matches(@"\n  -l, --label list +Secret labels", create);
        Assert.Matches(@"\n      --template-driver string +Template driver", create);
        var service = await Cli.HelpAsync("service", "create");
        Assert.Matches(@"\n      --secret secret +Specify secrets to expose to the service", service);
        Assert.Matches(@"\n      --config config +Specify configurations to expose to the service", service);
        var update = await Cli.HelpAsync("service", "update");
        Assert.Matches(@"\n      --secret-add secret +Add or update a secret on a service", update);
        Assert.Matches(@"\n      --secret-rm list +Remove a secret", update);
        Assert.Matches(@"\n      --config-add config +Add or update a config file on a service", update);
        Assert.Matches(@"\n      --config-rm list +Remove a configuration file", update);
    }

    [Fact]
    public async Task An_unknown_flag_is_a_flag_error_exit_125_with_the_usage_line()
    {
        var error = await Cli.RefusedAsync(125, "service", "create", "--x", "busybox");
        Assert.Equal("unknown flag: --x\n\nUsage:  eventswarm service create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'eventswarm service create --help' for more information\n",
            error.ReplaceLineEndings("\n"));
        Assert.StartsWith("unknown shorthand flag: 'x' in -x\n", await Cli.RefusedAsync(125, "service", "ls", "-x"));
        Assert.StartsWith("unknown flag: --bogus\n", await Cli.RefusedAsync(125, "node", "ls", "--bogus=1"));
    }

    [Fact]
    public async Task A_flag_without_its_value_or_with_a_wrong_one_reads_as_pflag()
    {
        Assert.StartsWith("flag needs an argument: --name\n", await Cli.RefusedAsync(125, "service", "create", "--name"));
        Assert.StartsWith("invalid argument \"x\" for \"--replicas\" flag: strconv.ParseUint: parsing \"x\": invalid syntax\n",
            await Cli.RefusedAsync(125, "service", "create", "--replicas", "x", "busybox"));
        Assert.StartsWith("invalid argument \"-1\" for \"--replicas\" flag: strconv.ParseUint: parsing \"-1\": invalid syntax\n",
            await Cli.RefusedAsync(125, "service", "create", "--replicas", "-1", "busybox"));
        Assert.StartsWith("invalid argument \"soon\" for \"--stop-grace-period\" flag: time: invalid duration \"soon\"\n",
            await Cli.RefusedAsync(125, "service", "create", "--stop-grace-period", "soon", "busybox"));
    }

    [Fact]
    public async Task Missing_or_extra_arguments_read_as_docker_with_exit_1()
    {
        Assert.Equal("eventswarm: 'eventswarm service create' requires at least 1 argument\n\nUsage:  eventswarm service create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
            + "See 'eventswarm service create --help' for more information\n", (await Cli.RefusedAsync(1, "service", "create")).ReplaceLineEndings("\n"));
        Assert.StartsWith("eventswarm: 'eventswarm node update' requires 1 argument\n", await Cli.RefusedAsync(1, "node", "update"));
        Assert.StartsWith("eventswarm: 'eventswarm node update' requires 1 argument\n", await Cli.RefusedAsync(1, "node", "update", "a", "b"));
        Assert.StartsWith("eventswarm: 'eventswarm service ls' accepts no arguments\n", await Cli.RefusedAsync(1, "service", "ls", "web"));
    }

    [Fact]
    public async Task An_unknown_command_names_itself_and_where_to_look()
    {
        Assert.Equal("eventswarm: unknown command: eventswarm service lsx\n\nUsage:  eventswarm service\n\nRun 'eventswarm service --help' for more information\n",
            (await Cli.RefusedAsync(1, "service", "lsx")).ReplaceLineEndings("\n"));
        Assert.Equal("eventswarm: unknown command: eventswarm nodex\n\nRun 'eventswarm --help' for more information\n",
            (await Cli.RefusedAsync(1, "nodex")).ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_management_command_alone_or_no_command_prints_its_help()
    {
        var (code, output, _) = await Cli.RunAsync("service");
        Assert.Equal(0, code);
        Assert.Contains("\n  scale       Scale one or multiple replicated services", output.ReplaceLineEndings("\n"));
        (code, output, _) = await Cli.RunAsync();
        Assert.Equal(0, code);
        Assert.Contains("-H, --host string", output);
        Assert.Contains("\n  service     Manage Swarm services", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_global_host_flag_is_read_before_the_verb_only()
    {
        var result = node::EventSwarm.Node.Cli.CliApp.Parse("-H", "unix:///tmp/x.sock", "node", "ls");
        Assert.Equal("unix:///tmp/x.sock", result.GetValue<string>("--host"));
        // After the verb, --host is service create's extra-hosts flag, as in docker.
        var (verb, create) = Cli.Parse<node::EventSwarm.Node.Cli.Services.ServiceCreateCommand>("service", "create", "--host", "db:10.0.0.2", "busybox");
        Assert.Equal(["10.0.0.2 db"], verb.Spec(create).TaskTemplate.ContainerSpec.Hosts);
    }
}
