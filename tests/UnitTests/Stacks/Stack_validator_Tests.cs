using System.Collections.Immutable;
using EventSwarm.Application;
using EventSwarm.Application.Stacks;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Stacks;
using static EventSwarm.UnitTests.Stacks.StackGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class Stack_validator_Tests
{
    private static readonly Caller Someone = new("uid:1000", "c1");

    private static IReadOnlyList<string> Problems(StackSpec spec) =>
        [.. new DeployStackValidator().Validate(new DeployStackCommand(spec, false, Someone)).Errors.Select(e => e.ErrorMessage)];

    [Fact]
    public void The_tutorials_stack_is_valid()
    {
        Assert.Empty(Problems(Wordpress()));
    }

    [Fact]
    public void A_service_without_an_image_is_refused_naming_the_service()
    {
        var spec = Wordpress();
        spec = spec with { Services = [spec.Services[0].WithImage(""), spec.Services[1]] };

        Assert.Equal(["service wp_web: ContainerSpec: image reference must be provided"], Problems(spec));
    }

    [Fact]
    public void An_empty_stack_name_is_refused_as_docker_does()
    {
        Assert.Contains("invalid stack name: \"\"", Problems(Wordpress() with { Name = " " }).Concat(Problems(Wordpress() with { Name = "" })));
    }

    [Fact]
    public void A_secret_without_data_or_with_a_bad_name_is_refused_naming_it()
    {
        var spec = Wordpress() with { Secrets = [Secret("wp_pw", ""), Secret("-bad", "x")] };

        var problems = Problems(spec);

        Assert.Contains("secret wp_pw: secret data must be larger than 0 and less than 512000 bytes", problems);
        Assert.Contains(problems, p => p.StartsWith("secret -bad: invalid name", StringComparison.Ordinal));
    }

    [Fact]
    public void A_network_with_a_gateway_but_no_subnet_and_a_service_declared_twice_are_refused()
    {
        var spec = Wordpress();
        spec = spec with
        {
            Networks = [new NetworkSpec { Name = "wp_net", Gateway = "10.0.0.1" }],
            Services = [.. spec.Services, spec.Services[0]],
        };

        var problems = Problems(spec);

        Assert.Contains("network wp_net: every ip-range or gateway must have a corresponding subnet", problems);
        Assert.Contains("service wp_web: declared more than once in the stack", problems);
    }

    [Fact]
    public void A_refusal_never_echoes_a_secrets_data()
    {
        var spec = Wordpress() with { Secrets = [new StackFileObject("wp_pw", ImmutableDictionary<string, string>.Empty, [.. new byte[600 * 1024]])] };

        Assert.All(Problems(spec), p => Assert.DoesNotContain("AAAA", p));
    }

    [Fact]
    public void A_rollback_to_version_0_is_refused()
    {
        var problems = new RollbackStackValidator().Validate(new RollbackStackCommand("wp", 0, Someone)).Errors.Select(e => e.ErrorMessage);

        Assert.Equal(["invalid version 0: a stack's versions are numbered from 1"], problems);
    }
}
