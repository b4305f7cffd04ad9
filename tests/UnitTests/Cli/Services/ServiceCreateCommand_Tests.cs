extern alias node;
using node::EventSwarm.Node.Cli.Services;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary><c>service create</c>: the spec a command line becomes, as sent to the manager.</summary>
public sealed class ServiceCreateCommand_Tests
{
    private static Docker.DotNet.Models.ServiceSpec Spec(params string[] args)
    {
        var (verb, result) = Cli.Parse<ServiceCreateCommand>(["service", "create", .. args]);
        return verb.Spec(result);
    }

    [Fact]
    public void Flags_stop_at_the_image_and_the_rest_is_the_containers_command()
    {
        var spec = Spec("--name", "demo", "--replicas", "3", "busybox", "sh", "-c", "while true;do sleep 3600;done");
        Assert.Equal(("demo", 3UL), (spec.Name, spec.Mode.Replicated.Replicas));
        Assert.Equal("busybox", spec.TaskTemplate.ContainerSpec.Image);
        Assert.Equal(["sh", "-c", "while true;do sleep 3600;done"], spec.TaskTemplate.ContainerSpec.Args);
    }

    [Fact]
    public void Defaults_are_one_replica_vip_and_no_update_config()
    {
        var spec = Spec("busybox");
        Assert.Equal(1UL, spec.Mode.Replicated.Replicas);
        Assert.Equal("vip", spec.EndpointSpec.Mode);
        Assert.Null(spec.UpdateConfig);
        Assert.Null(spec.TaskTemplate.ContainerSpec.Args);
    }

    [Fact]
    public void Zero_replicas_is_sent_as_asked()
    {
        Assert.Equal(0UL, Spec("--replicas", "0", "busybox").Mode.Replicated.Replicas);
    }

    [Fact]
    public void Long_and_short_forms_and_repeated_flags_fill_the_spec()
    {
        var spec = Spec("-d", "--name=web", "-e", "A=1", "--env", "B=2", "-l", "tier=front", "--constraint", "node.role==manager",
            "-p", "8000:80", "--network", "name=backend,alias=api", "--mount", "type=volume,source=data,target=/data,readonly",
            "--restart-condition", "on-failure", "--restart-delay", "2s", "--stop-grace-period", "1m30s", "--limit-memory", "64M",
            "--reserve-cpu", "0.5", "--update-parallelism", "2", "--hostname", "h", "--host", "db:10.0.0.2", "--ulimit", "nofile=1024:2048", "nginx");
        var container = spec.TaskTemplate.ContainerSpec;
        Assert.Equal("web", spec.Name);
        Assert.Equal(["A=1", "B=2"], container.Env);
        Assert.Equal("front", spec.Labels["tier"]);
        Assert.Equal(["node.role==manager"], spec.TaskTemplate.Placement.Constraints);
        Assert.Equal((8000U, 80U, "tcp"), (spec.EndpointSpec.Ports[0].PublishedPort!.Value, spec.EndpointSpec.Ports[0].TargetPort!.Value, spec.EndpointSpec.Ports[0].Protocol));
        Assert.Equal(("backend", "api"), (spec.TaskTemplate.Networks[0].Target, spec.TaskTemplate.Networks[0].Aliases.Single()));
        Assert.Equal(("data", "/data", true), (container.Mounts[0].Source, container.Mounts[0].Target, container.Mounts[0].ReadOnly == true));
        Assert.Equal(("on-failure", TimeSpan.FromSeconds(2)), (spec.TaskTemplate.RestartPolicy.Condition, spec.TaskTemplate.RestartPolicy.Delay!.Value));
        Assert.Equal(TimeSpan.FromSeconds(90), container.StopGracePeriod);
        Assert.Equal(64L << 20, spec.TaskTemplate.Resources.Limits.MemoryBytes);
        Assert.Equal(500_000_000L, spec.TaskTemplate.Resources.Reservations.NanoCPUs);
        Assert.Equal((2UL, "stop-first"), (spec.UpdateConfig.Parallelism, spec.UpdateConfig.Order));
        Assert.Equal(["10.0.0.2 db"], container.Hosts);
        Assert.Equal((1024L, 2048L), (container.Ulimits[0].Soft, container.Ulimits[0].Hard));
    }

    [Fact]
    public void A_global_service_has_no_replicas()
    {
        Assert.NotNull(Spec("--mode", "global", "busybox").Mode.Global);
        Assert.Contains("replicas can only be used with replicated mode",
            Assert.Throws<node::EventSwarm.Node.Cli.UsageException>(() => Spec("--mode", "global", "--replicas", "2", "busybox")).Message);
    }

    [Fact]
    public void A_malformed_port_is_a_flag_error()
    {
        var refusal = Assert.Throws<node::EventSwarm.Node.Cli.UsageException>(() => Spec("-p", "80/sctp", "busybox"));
        Assert.Equal(125, refusal.ExitCode);
        Assert.StartsWith("invalid argument \"80/sctp\" for \"-p, --publish\" flag", refusal.Message);
    }

    [Fact]
    public async Task The_spec_rules_are_the_managers_the_CLI_only_parses()
    {
        // A name docker's rule refuses still parses: the manager's validator answers (Error response from daemon: …).
        Assert.Equal("bad name!", Spec("--name", "bad name!", "busybox").Name);
        Assert.StartsWith("unknown flag: --bogus", await Cli.RefusedAsync(125, "service", "create", "--bogus", "busybox"));
    }
}
