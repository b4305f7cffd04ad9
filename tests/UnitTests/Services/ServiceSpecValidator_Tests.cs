using EventSwarm.Application;
using EventSwarm.Application.Services;

namespace EventSwarm.UnitTests.Services;

/// <summary>The shape checks that run before any decision (through CreateServiceValidator, as the API runs them).</summary>
public sealed class ServiceSpecValidator_Tests
{
    private static IReadOnlyList<string> Errors(ServiceSpec spec) =>
        new CreateServiceValidator().Validate(new CreateServiceCommand(spec, new Caller("test", "c1")))
            .Errors.Select(e => e.ErrorMessage).ToList();

    private static void AssertOneError(ServiceSpec spec, string expected)
    {
        var errors = Errors(spec);
        Assert.True(errors.Count == 1, $"expected one error containing \"{expected}\", got [{string.Join(" | ", errors)}]");
        Assert.Contains(expected, errors[0]);
    }

    [Fact]
    public void A_valid_spec_passes()
    {
        var spec = Spec("web_api-2", replicas: 3)
            .WithMounts(new Mount(MountType.Volume, "data", "/data"), new Mount(MountType.Bind, "/srv", "/srv", ReadOnly: true),
                new Mount(MountType.Tmpfs, null, "/tmp"))
            .WithConstraints("node.role==worker", "node.labels.zone!=b")
            .WithRestart(RestartCondition.OnFailure, delaySeconds: 0, maxAttempts: 3);

        Assert.Empty(Errors(spec));
    }

    [Fact]
    public void A_name_of_63_characters_passes()
    {
        Assert.Empty(Errors(Spec(new string('a', 63))));
    }

    [Fact]
    public void Empty_name_is_refused()
    {
        AssertOneError(Spec(""), "service name must not be empty");
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("bad-")]
    [InlineData("a b")]
    [InlineData("web.1")]
    public void Invalid_name_is_refused(string name)
    {
        AssertOneError(Spec(name), $"name must be valid as a DNS name component: '{name}'");
    }

    [Fact]
    public async Task Invalid_name_is_refused_in_linear_time()
    {
        // Swarm's regex, ported from Go's linear-time RE2 to .NET's backtracking engine, is (a+)* in disguise: each
        // extra letter before a bad character doubles the work (28 letters take about 8 s). One API call can pin a core.
        var name = new string('a', 62) + "!";

        var errors = await System.Threading.Tasks.Task.Run(() => Errors(Spec(name))).WaitAsync(TimeSpan.FromSeconds(2));

        Assert.Contains($"name must be valid as a DNS name component: '{name}'", Assert.Single(errors));
    }

    [Fact]
    public void Name_of_64_characters_is_refused()
    {
        var name = new string('a', 64);

        AssertOneError(Spec(name), "name must be 63 characters or fewer");
    }

    [Fact]
    public void Empty_image_is_refused()
    {
        AssertOneError(Spec(image: ""), "ContainerSpec: image reference must be provided");
    }

    [Fact]
    public void Negative_replicas_are_refused()
    {
        AssertOneError(Spec(replicas: -1), "invalid replicas value -1");
    }

    [Fact]
    public void Relative_mount_target_is_refused()
    {
        AssertOneError(Spec().WithMounts(new Mount(MountType.Volume, "data", "data")), "invalid mount target 'data': must be an absolute path");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("srv")]
    public void Bind_mount_without_an_absolute_source_is_refused(string? source)
    {
        AssertOneError(Spec().WithMounts(new Mount(MountType.Bind, source, "/srv")), "invalid bind mount source");
    }

    [Fact]
    public void Tmpfs_mount_with_a_source_is_refused()
    {
        AssertOneError(Spec().WithMounts(new Mount(MountType.Tmpfs, "/x", "/tmp")), "invalid tmpfs mount");
    }

    [Fact]
    public void Negative_restart_settings_are_refused()
    {
        var spec = Spec() with
        {
            TaskTemplate = Spec().TaskTemplate with { RestartPolicy = new RestartPolicy(RestartCondition.Any, Duration.FromSeconds(-1), -1, Duration.FromSeconds(-1)) },
        };

        Assert.Equal(["TaskSpec: restart-delay cannot be negative", "restart max attempts must not be negative", "TaskSpec: restart-window cannot be negative"], Errors(spec));
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        var errors = Errors(Spec("-bad", replicas: -2, image: ""));

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void An_update_config_outside_Swarms_ranges_is_refused_by_field()
    {
        var spec = Spec() with { UpdateConfig = new UpdateConfig { MaxFailureRatio = 1.5f, Delay = new Duration(-1) } };

        Assert.Equal(["TaskSpec: update-delay cannot be negative", "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"], Errors(spec));
    }

    [Fact]
    public void A_health_check_interval_below_a_millisecond_is_refused_as_Docker_does()
    {
        var spec = Spec() with
        {
            TaskTemplate = Spec().TaskTemplate with
            {
                Container = Spec().TaskTemplate.Container with { Healthcheck = new Healthcheck { Test = ["CMD", "true"], Interval = new Duration(5) } },
            },
        };

        AssertOneError(spec, "Interval in Healthcheck cannot be less than 1ms");
    }

    [Fact]
    public void A_memory_limit_below_4_MiB_and_a_hosts_line_without_a_name_are_refused()
    {
        var spec = Spec() with
        {
            TaskTemplate = Spec().TaskTemplate with
            {
                Limits = new Limits(0, 1024, 0),
                Container = Spec().TaskTemplate.Container with { Hosts = ["10.0.0.1"] },
            },
        };

        Assert.Equal(["invalid memory limit 1024: must be at least 4MiB", "invalid host entry '10.0.0.1': expected \"IP HOSTNAME\""], Errors(spec));
    }
}
