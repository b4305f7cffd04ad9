extern alias node;
using Docker.DotNet.Models;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Services;
using ContainerSpec = Docker.DotNet.Models.ContainerSpec;
using Mount = Docker.DotNet.Models.Mount;
using Placement = Docker.DotNet.Models.Placement;
using PlacementPreference = Docker.DotNet.Models.PlacementPreference;
using ReplicatedService = Docker.DotNet.Models.ReplicatedService;
using ServiceMode = Docker.DotNet.Models.ServiceMode;
using ServiceSpec = Docker.DotNet.Models.ServiceSpec;
using TaskSpec = Docker.DotNet.Models.TaskSpec;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary>
/// The flags <c>service update</c> shares with <c>create</c> and its -add/-rm pairs, applied to a current spec as
/// docker's updateService applies them; the CLI-side refusals in pflag's words.
/// </summary>
public sealed class ServiceUpdate_flags_Tests
{
    private static ServiceSpec Current() => new()
    {
        Name = "web",
        Labels = new Dictionary<string, string> { ["tier"] = "front", ["old"] = "1" },
        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 2 } },
        TaskTemplate = new TaskSpec
        {
            ContainerSpec = new ContainerSpec
            {
                Image = "nginx:1",
                Env = ["A=1", "B=1"],
                Labels = new Dictionary<string, string> { ["c"] = "1" },
                Mounts = [new Mount { Type = "volume", Source = "data", Target = "/data" }, new Mount { Type = "volume", Source = "logs", Target = "/logs" }],
                Healthcheck = new HealthcheckConfig { Test = ["NONE"] },
            },
            Placement = new Placement
            {
                Constraints = ["node.role==worker", "node.labels.zone==a"],
                Preferences = [new PlacementPreference { Spread = new SpreadOver { SpreadDescriptor = "node.labels.zone" } }],
            },
        },
    };

    private static ServiceSpec Updated(params string[] flags)
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>(["service", "update", .. flags, "web"]);
        var spec = Current();
        verb.Apply(result, spec);
        return spec;
    }

    private static UsageException Refused(params string[] flags) => Assert.Throws<UsageException>(() => Updated(flags));

    [Fact]
    public void Update_config_flags_start_from_swarms_defaults_and_change_only_what_is_given()
    {
        var spec = Updated("--update-parallelism", "2", "--update-delay", "10s", "--update-order", "start-first");
        var update = spec.UpdateConfig;
        Assert.Equal((2UL, TimeSpan.FromSeconds(10), "pause", TimeSpan.FromSeconds(5), 0f, "start-first"),
            (update.Parallelism, update.Delay, update.FailureAction, update.Monitor, update.MaxFailureRatio, update.Order));
        Assert.Null(spec.RollbackConfig);
    }

    [Fact]
    public void Rollback_config_flags_fill_the_rollback_config_alone()
    {
        var spec = Updated("--rollback-parallelism", "0", "--rollback-monitor", "20s", "--rollback-failure-action", "continue", "--rollback-max-failure-ratio", "0.25");
        Assert.Equal((0UL, TimeSpan.FromSeconds(20), "continue", 0.25f, "stop-first"),
            (spec.RollbackConfig.Parallelism, spec.RollbackConfig.Monitor, spec.RollbackConfig.FailureAction, spec.RollbackConfig.MaxFailureRatio, spec.RollbackConfig.Order));
        Assert.Null(spec.UpdateConfig);
    }

    [Fact]
    public void Update_config_flags_change_an_existing_config_in_place()
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>("service", "update", "--update-failure-action", "rollback", "web");
        var spec = Current();
        spec.UpdateConfig = new SwarmUpdateConfig { Parallelism = 3, Delay = TimeSpan.FromSeconds(7), FailureAction = "pause", Monitor = TimeSpan.FromSeconds(9), Order = "start-first" };
        verb.Apply(result, spec);
        Assert.Equal((3UL, TimeSpan.FromSeconds(7), "rollback", TimeSpan.FromSeconds(9), "start-first"),
            (spec.UpdateConfig.Parallelism, spec.UpdateConfig.Delay, spec.UpdateConfig.FailureAction, spec.UpdateConfig.Monitor, spec.UpdateConfig.Order));
    }

    [Fact]
    public void Create_takes_the_same_update_and_rollback_flags()
    {
        var (verb, result) = Cli.Parse<ServiceCreateCommand>("service", "create", "--update-monitor", "1m", "--rollback-order", "start-first", "busybox");
        var spec = verb.Spec(result);
        Assert.Equal((1UL, "pause", TimeSpan.FromMinutes(1)), (spec.UpdateConfig.Parallelism, spec.UpdateConfig.FailureAction, spec.UpdateConfig.Monitor));
        Assert.Equal("start-first", spec.RollbackConfig.Order);
    }

    [Theory]
    [InlineData("--update-parallelism", "-1", "invalid argument \"-1\" for \"--update-parallelism\" flag: strconv.ParseUint: parsing \"-1\": invalid syntax")]
    [InlineData("--rollback-parallelism", "two", "invalid argument \"two\" for \"--rollback-parallelism\" flag: strconv.ParseUint: parsing \"two\": invalid syntax")]
    [InlineData("--update-delay", "soon", "invalid argument \"soon\" for \"--update-delay\" flag: time: invalid duration \"soon\"")]
    [InlineData("--update-monitor", "5", "invalid argument \"5\" for \"--update-monitor\" flag: time: invalid duration \"5\"")]
    [InlineData("--update-max-failure-ratio", "half", "invalid argument \"half\" for \"--update-max-failure-ratio\" flag: strconv.ParseFloat: parsing \"half\": invalid syntax")]
    [InlineData("--health-interval", "-5s", "invalid argument \"-5s\" for \"--health-interval\" flag: duration cannot be negative")]
    [InlineData("--replicas-max-per-node", "x", "invalid argument \"x\" for \"--replicas-max-per-node\" flag: strconv.ParseUint: parsing \"x\": invalid syntax")]
    public async Task A_value_that_does_not_parse_is_refused_as_pflag_words_it_before_anything_is_sent(string flag, string value, string expected)
    {
        Assert.StartsWith(expected + "\n\nUsage:  eventswarm service update [OPTIONS] SERVICE",
            (await Cli.RefusedAsync(125, "service", "update", flag, value, "web")).ReplaceLineEndings("\n"));
        Assert.StartsWith(expected, (await Cli.RefusedAsync(125, "service", "create", flag, value, "busybox")).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_negative_monitor_and_an_unknown_failure_action_or_order_are_the_managers_to_refuse()
    {
        // docker's CLI sends them as typed (DurationVar takes a sign; the strings are not checked): dockerd refuses.
        var spec = Updated("--update-monitor", "-1s", "--update-failure-action", "explode", "--update-order", "sideways");
        Assert.Equal((TimeSpan.FromSeconds(-1), "explode", "sideways"), (spec.UpdateConfig.Monitor, spec.UpdateConfig.FailureAction, spec.UpdateConfig.Order));
    }

    [Fact]
    public void Labels_and_container_labels_are_removed_by_key_then_added()
    {
        var spec = Updated("--label-rm", "old", "--label-add", "tier=back", "--label-add", "new", "--container-label-rm", "c", "--container-label-add", "d=2");
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "back", ["new"] = "" }, spec.Labels);
        Assert.Equal(new Dictionary<string, string> { ["d"] = "2" }, spec.TaskTemplate.ContainerSpec.Labels);
    }

    [Fact]
    public void Env_rm_takes_a_variable_out_by_name()
    {
        Assert.Equal(["B=1", "C=3"], Updated("--env-rm", "A", "--env-add", "C=3").TaskTemplate.ContainerSpec.Env);
    }

    [Fact]
    public void Constraints_are_added_removed_and_sorted_as_docker_sorts_them()
    {
        var placement = Updated("--constraint-rm", "node.role==worker", "--constraint-add", "node.hostname!=n1").TaskTemplate.Placement;
        Assert.Equal(["node.hostname!=n1", "node.labels.zone==a"], placement.Constraints);
    }

    [Fact]
    public void Placement_preferences_are_removed_by_descriptor_and_added_last()
    {
        var prefs = Updated("--placement-pref-rm", "spread=node.labels.zone", "--placement-pref-add", "spread=node.labels.rack").TaskTemplate.Placement.Preferences;
        Assert.Equal("node.labels.rack", Assert.Single(prefs).Spread.SpreadDescriptor);
        Assert.Contains("unsupported placement preference binpack (only spread is supported)", Refused("--placement-pref-add", "binpack=x").Message);
        Assert.Contains("placement preference must be of the format \"<strategy>=<arg>\"", Refused("--placement-pref-add", "spread").Message);
    }

    [Fact]
    public void Replicas_max_per_node_limits_and_reservations_fill_placement_and_resources()
    {
        var task = Updated("--replicas-max-per-node", "2", "--limit-cpu", "1.5", "--limit-memory", "128M", "--reserve-cpu", "0.25", "--reserve-memory", "64M").TaskTemplate;
        Assert.Equal(2UL, task.Placement.MaxReplicas);
        Assert.Equal((1_500_000_000L, 128L << 20), (task.Resources.Limits.NanoCPUs, task.Resources.Limits.MemoryBytes));
        Assert.Equal((250_000_000L, 64L << 20), (task.Resources.Reservations.NanoCPUs, task.Resources.Reservations.MemoryBytes));
    }

    [Fact]
    public void Args_and_entrypoint_are_split_into_words_as_a_shell_would()
    {
        var container = Updated("--args", "sh -c 'echo hi; sleep 1' \"a b\"", "--entrypoint", "/bin/tini --").TaskTemplate.ContainerSpec;
        Assert.Equal(["sh", "-c", "echo hi; sleep 1", "a b"], container.Args);
        Assert.Equal(["/bin/tini", "--"], container.Command);
        Assert.Contains("EOF found when expecting closing quote", Refused("--args", "sh -c 'oops").Message);
    }

    [Fact]
    public void Mounts_are_replaced_by_target_removed_by_target_and_sorted_by_source()
    {
        var mounts = Updated("--mount-rm", "/logs", "--mount-add", "type=volume,source=cache,target=/data", "--mount-add", "type=bind,source=/etc,target=/cfg").TaskTemplate.ContainerSpec.Mounts;
        Assert.Equal([("/etc", "/cfg"), ("cache", "/data")], mounts.Select(m => (m.Source, m.Target)));
        Assert.Equal("duplicate mount target", Refused("--mount-add", "source=a,target=/x", "--mount-add", "source=b,target=/x").Message);
    }

    [Fact]
    public void Restart_flags_start_from_swarms_policy_when_the_service_has_none()
    {
        var policy = Updated("--restart-condition", "on-failure", "--restart-max-attempts", "3").TaskTemplate.RestartPolicy;
        Assert.Equal(("on-failure", TimeSpan.FromSeconds(5), 3UL), (policy.Condition, policy.Delay!.Value, policy.MaxAttempts!.Value));
        var windowed = Updated("--restart-delay", "1s", "--restart-window", "1m").TaskTemplate.RestartPolicy;
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), (windowed.Delay!.Value, windowed.Window!.Value));
    }

    [Fact]
    public void Container_fields_change_only_when_given()
    {
        var container = Updated("--stop-grace-period", "30s", "--hostname", "h1", "--user", "1000:1000", "--workdir", "/srv", "--image", "nginx:2").TaskTemplate.ContainerSpec;
        Assert.Equal((TimeSpan.FromSeconds(30), "h1", "1000:1000", "/srv", "nginx:2"), (container.StopGracePeriod!.Value, container.Hostname, container.User, container.Dir, container.Image));
        var untouched = Updated("--force").TaskTemplate.ContainerSpec;
        Assert.Equal((null, null, null, "nginx:1"), (untouched.Hostname, untouched.User, untouched.Dir, untouched.Image));
        Assert.Equal(["NONE"], untouched.Healthcheck.Test);
    }

    [Fact]
    public void Health_flags_follow_dockers_updateHealthcheck()
    {
        // A "NONE" test is dropped when a --health-* flag is given; the command becomes CMD-SHELL.
        var check = Updated("--health-cmd", "curl -f localhost", "--health-interval", "2s", "--health-retries", "3").TaskTemplate.ContainerSpec.Healthcheck;
        Assert.Equal(["CMD-SHELL", "curl -f localhost"], check.Test);
        Assert.Equal((TimeSpan.FromSeconds(2), 3L), (check.Interval!.Value, check.Retries!.Value));
        Assert.Null(Updated("--health-timeout", "1s").TaskTemplate.ContainerSpec.Healthcheck.Test);
        Assert.Equal(["NONE"], Updated("--no-healthcheck").TaskTemplate.ContainerSpec.Healthcheck.Test);
        Assert.Equal("--no-healthcheck conflicts with --health-* options", Refused("--no-healthcheck", "--health-retries", "2").Message);
    }

    [Fact]
    public void An_empty_health_cmd_removes_the_command_and_keeps_the_timings()
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>("service", "update", "--health-cmd", "", "web");
        var spec = Current();
        spec.TaskTemplate.ContainerSpec.Healthcheck = new HealthcheckConfig { Test = ["CMD-SHELL", "true"], Interval = TimeSpan.FromSeconds(4) };
        verb.Apply(result, spec);
        Assert.Equal((null, TimeSpan.FromSeconds(4)), (spec.TaskTemplate.ContainerSpec.Healthcheck.Test, spec.TaskTemplate.ContainerSpec.Healthcheck.Interval!.Value));
    }

    [Fact]
    public void Create_refuses_a_health_setting_with_no_healthcheck_and_a_per_node_limit_on_a_global_service()
    {
        var (verb, result) = Cli.Parse<ServiceCreateCommand>("service", "create", "--no-healthcheck", "--health-cmd", "true", "busybox");
        Assert.Equal("--no-healthcheck conflicts with --health-* options", Assert.Throws<UsageException>(() => verb.Spec(result)).Message);
        var (global, parsed) = Cli.Parse<ServiceCreateCommand>("service", "create", "--mode", "global", "--replicas-max-per-node", "1", "busybox");
        Assert.Equal("replicas-max-per-node can only be used with replicated or replicated-job mode", Assert.Throws<UsageException>(() => global.Spec(parsed)).Message);
    }

    [Fact]
    public async Task Help_lists_the_update_flags_without_defaults_and_create_with_them()
    {
        static string Line(string help, string flag) => help.ReplaceLineEndings("\n").Split('\n').Single(l => l.Contains($"  {flag} ", StringComparison.Ordinal));
        var update = await Cli.HelpAsync("service", "update");
        Assert.EndsWith("--update-parallelism uint            Maximum number of tasks updated simultaneously (0 to update all at once)", Line(update, "--update-parallelism"));
        Assert.EndsWith("--rollback                           Rollback to previous specification", Line(update, "--rollback"));
        Assert.EndsWith("Action on rollback failure (\"pause\", \"continue\")", Line(update, "--rollback-failure-action"));
        var create = await Cli.HelpAsync("service", "create");
        Assert.EndsWith("Action on update failure (\"pause\", \"continue\", \"rollback\") (default \"pause\")", Line(create, "--update-failure-action"));
        Assert.EndsWith("Maximum number of tasks rolled back simultaneously (0 to roll back all at once) (default 1)", Line(create, "--rollback-parallelism"));
    }
}
