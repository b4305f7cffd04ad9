using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_DeployTests
{
    [Fact]
    public void Without_deploy_a_service_is_replicated_once_with_no_policies()
    {
        var service = Service("""{"image": "nginx"}""");

        Assert.Equal(ServiceMode.Replicated(1), service.Mode);
        Assert.Null(service.UpdateConfig);
        Assert.Null(service.RollbackConfig);
        Assert.Null(service.TaskTemplate.RestartPolicy);
        Assert.Null(service.TaskTemplate.Limits);
        Assert.Null(service.TaskTemplate.Reservations);
        Assert.Equal(Placement.None, service.TaskTemplate.Placement);
        Assert.Equal(EndpointSpec.Default, service.Endpoint);
        Assert.True(service.HasEndpointSpec);
    }

    [Fact]
    public void Replicas_with_global_mode_are_refused_as_docker_says()
    {
        Assert.Equal("service web: replicas can only be used with replicated or replicated-job mode",
            Refused("""{"image": "nginx", "deploy": {"mode": "global", "replicas": 2}}"""));
    }

    [Fact]
    public void Job_modes_are_refused()
    {
        Assert.Contains("job modes", Refused("""{"image": "nginx", "deploy": {"mode": "replicated-job"}}"""));
    }

    [Fact]
    public void Resources_become_limits_and_reservations_in_nano_cpus_and_bytes()
    {
        var template = Service("""
            {"image": "nginx", "deploy": {"resources": {
              "limits": {"cpus": "0.5", "memory": "512M", "pids": 100},
              "reservations": {"cpus": "0.25", "memory": "128m", "generic_resources": [{"discrete_resource_spec": {"kind": "gpu", "value": 2}}]}}}}
            """).TaskTemplate;

        Assert.Equal(new Limits(500_000_000, 512L << 20, 100), template.Limits);
        Assert.Equal(250_000_000, template.Reservations!.NanoCpus);
        Assert.Equal(128L << 20, template.Reservations.MemoryBytes);
        Assert.Equal<GenericResource>([new GenericResource("gpu", null, 2)], template.Reservations.GenericResources);
    }

    [Fact]
    public void Cpus_finer_than_a_nano_cpu_are_refused()
    {
        Assert.Equal("service web: services.web.deploy.resources.limits.cpus: value is too precise",
            Refused("""{"image": "nginx", "deploy": {"resources": {"limits": {"cpus": "0.0000000001"}}}}"""));
    }

    [Fact]
    public void A_restart_policy_without_condition_is_any_and_keeps_what_was_given()
    {
        Assert.Equal(new RestartPolicy(RestartCondition.Any, null, 0, Duration.FromSeconds(120)),
            Service("""{"image": "nginx", "deploy": {"restart_policy": {"window": "2m"}}}""").TaskTemplate.RestartPolicy);
    }

    [Theory]
    [InlineData("always", RestartCondition.Any, 0)]
    [InlineData("unless-stopped", RestartCondition.Any, 0)]
    [InlineData("on-failure", RestartCondition.OnFailure, 0)]
    [InlineData("on-failure:5", RestartCondition.OnFailure, 5)]
    public void Without_a_restart_policy_the_legacy_restart_key_gives_one(string restart, RestartCondition condition, long attempts)
    {
        Assert.Equal(new RestartPolicy(condition, null, attempts, null), Service($$"""{"image": "nginx", "restart": "{{restart}}"}""").TaskTemplate.RestartPolicy);
    }

    [Fact]
    public void Restart_no_gives_no_policy()
    {
        Assert.Null(Service("""{"image": "nginx", "restart": "no"}""").TaskTemplate.RestartPolicy);
    }

    [Fact]
    public void The_deploy_restart_policy_wins_over_the_legacy_key()
    {
        Assert.Equal(RestartCondition.None,
            Service("""{"image": "nginx", "restart": "always", "deploy": {"restart_policy": {"condition": "none"}}}""").TaskTemplate.RestartPolicy!.Condition);
    }

    [Fact]
    public void An_update_config_without_parallelism_updates_one_task_at_a_time()
    {
        Assert.Equal(new UpdateConfig { Parallelism = 1 }, Service("""{"image": "nginx", "deploy": {"update_config": {}}}""").UpdateConfig);
    }

    [Fact]
    public void Update_and_rollback_configs_keep_every_field()
    {
        var service = Service("""
            {"image": "nginx", "deploy": {
              "update_config": {"parallelism": 2, "delay": "10s", "failure_action": "rollback", "monitor": "30s", "max_failure_ratio": 0.25, "order": "start-first"},
              "rollback_config": {"parallelism": 0, "failure_action": "continue"}}}
            """);

        Assert.Equal(new UpdateConfig
        {
            Parallelism = 2,
            Delay = Duration.FromSeconds(10),
            FailureAction = UpdateFailureAction.Rollback,
            Monitor = Duration.FromSeconds(30),
            MaxFailureRatio = 0.25f,
            Order = UpdateOrder.StartFirst,
        }, service.UpdateConfig);
        Assert.Equal(new UpdateConfig { Parallelism = 0, FailureAction = UpdateFailureAction.Continue }, service.RollbackConfig);
    }

    [Fact]
    public void An_unknown_failure_action_is_refused()
    {
        Assert.Equal("service web: unrecognized update failure action retry",
            Refused("""{"image": "nginx", "deploy": {"update_config": {"failure_action": "retry"}}}"""));
    }

    [Fact]
    public void Placement_keeps_constraints_spread_preferences_and_max_replicas_per_node()
    {
        var placement = Service("""
            {"image": "nginx", "deploy": {"placement": {"constraints": ["node.role == worker"], "preferences": [{"spread": "node.labels.zone"}], "max_replicas_per_node": 2}}}
            """).TaskTemplate.Placement!;

        Assert.Equal(new Placement(["node.role == worker"]) { Preferences = [new PlacementPreference("node.labels.zone")], MaxReplicas = 2 }, placement);
    }

    [Fact]
    public void Endpoint_mode_dnsrr_is_kept()
    {
        Assert.Equal(EndpointMode.Dnsrr, Service("""{"image": "nginx", "deploy": {"endpoint_mode": "dnsrr"}}""").Endpoint.Mode);
    }
}
