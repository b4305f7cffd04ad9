extern alias node;
using Docker.DotNet.Models;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Services;
using ContainerSpec = Docker.DotNet.Models.ContainerSpec;
using EndpointSpec = Docker.DotNet.Models.EndpointSpec;
using GlobalService = Docker.DotNet.Models.GlobalService;
using NetworkAttachmentConfig = Docker.DotNet.Models.NetworkAttachmentConfig;
using PortConfig = Docker.DotNet.Models.PortConfig;
using ReplicatedService = Docker.DotNet.Models.ReplicatedService;
using ServiceMode = Docker.DotNet.Models.ServiceMode;
using ServiceSpec = Docker.DotNet.Models.ServiceSpec;
using TaskSpec = Docker.DotNet.Models.TaskSpec;
using TaskState = Docker.DotNet.Models.TaskState;
using TaskStatus = Docker.DotNet.Models.TaskStatus;
using UpdateStatus = Docker.DotNet.Models.UpdateStatus;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary><c>service scale</c>, <c>update</c>, <c>rm</c>, <c>inspect</c>.</summary>
public sealed class ServiceScale_and_update_Tests
{
    [Fact]
    public void Scale_takes_service_replicas_pairs_and_leaves_the_count_to_each_service()
    {
        var (verb, result) = Cli.Parse<ServiceScaleCommand>("service", "scale", "-d", "web=5", "api=abc");
        Assert.Equal([("web", "5"), ("api", "abc")], verb.Pairs(result));
        Assert.Equal(5UL, ServiceScaleCommand.Replicas("5"));
        // docker's strconv.ParseUint: not a count, negative included; that service fails, the others scale.
        Assert.Null(ServiceScaleCommand.Replicas("abc"));
        Assert.Null(ServiceScaleCommand.Replicas("-1"));
    }

    [Fact]
    public async Task A_pair_without_equals_is_an_invalid_scale_specifier_as_docker_words_it()
    {
        var error = await Cli.RefusedAsync(1, "service", "scale", "web");
        Assert.StartsWith("invalid scale specifier 'web'.\nSee 'eventswarm service scale --help'.\n\nUsage:  eventswarm service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]",
            error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Update_applies_its_flags_to_the_current_spec()
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>("service", "update", "--image", "nginx:2", "--replicas", "4", "--env-add", "A=2", "--force",
            "--publish-rm", "8000:8000", "--publish-add", "8080:8000", "web");
        var spec = new ServiceSpec
        {
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "nginx:1", Env = ["A=1", "B=1"] }, ForceUpdate = 3 },
            EndpointSpec = new EndpointSpec { Mode = "vip", Ports = [new PortConfig { Protocol = "tcp", TargetPort = 8000, PublishedPort = 8000, PublishMode = "ingress" }] },
        };
        verb.Apply(result, spec);
        Assert.Equal(("nginx:2", 4UL, 4UL), (spec.TaskTemplate.ContainerSpec.Image, spec.Mode.Replicated.Replicas, spec.TaskTemplate.ForceUpdate));
        Assert.Equal(["B=1", "A=2"], spec.TaskTemplate.ContainerSpec.Env);
        Assert.Equal(8080U, Assert.Single(spec.EndpointSpec.Ports).PublishedPort);
    }

    [Fact]
    public void Update_of_replicas_on_a_global_service_is_refused_before_sending()
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>("service", "update", "--replicas", "2", "agent");
        var global = new ServiceSpec { Mode = new ServiceMode { Global = new GlobalService() } };
        Assert.Throws<UsageException>(() => verb.Apply(result, global));
    }

    [Fact]
    public async Task Update_takes_exactly_one_service_and_rm_at_least_one()
    {
        Assert.StartsWith("eventswarm: 'eventswarm service update' requires 1 argument", await Cli.RefusedAsync(1, "service", "update", "a", "b"));
        Assert.StartsWith("eventswarm: 'eventswarm service rm' requires at least 1 argument", await Cli.RefusedAsync(1, "service", "remove"));
        Assert.StartsWith("unknown flag: --endpoint", await Cli.RefusedAsync(125, "service", "update", "--endpoint", "web"));
    }

    [Fact]
    public void Inspect_pretty_lays_the_service_out_as_docker()
    {
        var service = new SwarmService
        {
            ID = "svc",
            Spec = new ServiceSpec
            {
                Name = "web",
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 2 } },
                TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "nginx", Args = ["-g", "daemon off;"] }, Networks = [new NetworkAttachmentConfig { Target = "n1" }] },
            },
        };
        var text = ServiceInspectCommand.Pretty(service, new Dictionary<string, string> { ["n1"] = "backend" });
        Assert.Contains("ID:\t\tsvc\nName:\t\tweb\nService Mode:\tReplicated\n Replicas:\t2\n", text);
        Assert.Contains("ContainerSpec:\n Image:\t\tnginx\n Args:\t\t-g daemon off;\n", text);
        Assert.Contains("Networks: backend \n", text);
    }

    [Fact]
    public void Inspect_pretty_shows_the_update_status_and_the_update_and_rollback_configs_as_docker()
    {
        var service = new SwarmService
        {
            ID = "svc",
            Spec = new ServiceSpec
            {
                Name = "web",
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 2 } },
                TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "nginx" } },
                UpdateConfig = new SwarmUpdateConfig { Parallelism = 2, Delay = TimeSpan.FromSeconds(10), FailureAction = "rollback", Monitor = TimeSpan.FromSeconds(5), MaxFailureRatio = 0.25f, Order = "start-first" },
                RollbackConfig = new SwarmUpdateConfig { Parallelism = 1, Delay = TimeSpan.Zero, FailureAction = "pause", Monitor = TimeSpan.FromMilliseconds(1500), Order = "stop-first" },
            },
            UpdateStatus = new UpdateStatus { State = "rollback_completed", Message = "rollback completed" },
        };
        var text = ServiceInspectCommand.Pretty(service, new Dictionary<string, string>());
        Assert.Contains(" Replicas:\t2\nUpdateStatus:\n State:\t\trollback_completed\n Message:\trollback completed\nPlacement:", text);
        Assert.Contains("UpdateConfig:\n Parallelism:\t2\n Delay:\t\t10s\n On failure:\trollback\n Monitoring Period: 5s\n Max failure ratio: 0.25\n Update order:      start-first\n", text);
        Assert.Contains("RollbackConfig:\n Parallelism:\t1\n On failure:\tpause\n Monitoring Period: 1.5s\n Max failure ratio: 0\n Rollback order:    stop-first\n", text);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(5_000, "5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(-1_000, "-1s")]
    public void Durations_print_as_go_prints_them(int milliseconds, string expected)
    {
        Assert.Equal(expected, Units.GoDuration(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Inspect_takes_its_format_as_f_and_pretty()
    {
        var (verb, result) = Cli.Parse<ServiceInspectCommand>("service", "inspect", "-f", "{{.ID}}", "--pretty", "web", "api");
        Assert.Equal(["web", "api"], verb.Args(result));
        Assert.Equal("{{.ID}}", result.GetValue<string>("--format"));
        Assert.True(result.GetValue<bool>("--pretty"));
    }
}
