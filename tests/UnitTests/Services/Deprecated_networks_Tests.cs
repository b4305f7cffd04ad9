using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Networking.NetworkGiven;

namespace EventSwarm.UnitTests.Services;

/// <summary>
/// The top-level Spec.Networks of API versions before 1.25, as Docker 20.10 treats them (populateNetworkID): used,
/// and resolved to IDs, only when the task template names no network; otherwise kept as sent and not used.
/// </summary>
public sealed class Deprecated_networks_Tests
{
    private static readonly ClusterState Swarm = Given(SwarmWithIngress()).And(Overlay("backend", id: "backend-id"), Overlay("frontend", "10.0.2.0/24", id: "frontend-id"));

    private static ServiceSpec Created(ServiceSpec spec) =>
        Assert.IsType<ServiceCreated>(Assert.Single(ServiceDecider.Decide(new CreateService("web", spec, At(1)), Swarm).Events)).Spec;

    [Fact]
    public void Networks_given_only_at_the_top_level_are_resolved_and_joined_by_the_tasks()
    {
        var spec = Created(Spec("web") with { Networks = [new ServiceNetwork("frontend", ["www"])] });

        Assert.Equal([new ServiceNetwork("frontend-id", ["www"])], spec.Networks.ToArray());
        Assert.Empty(spec.TaskTemplate.Networks);
        Assert.Equal([new ServiceNetwork("frontend-id", ["www"])], spec.TaskTemplateForTasks.Networks.ToArray());
    }

    [Fact]
    public void With_networks_in_the_template_the_top_level_ones_are_kept_as_sent_and_not_joined()
    {
        var spec = Created(Spec("web").JoiningNetworks("backend") with { Networks = [new ServiceNetwork("frontend", ["www"])] });

        Assert.Equal([new ServiceNetwork("frontend", ["www"])], spec.Networks.ToArray());
        Assert.Equal([new ServiceNetwork("backend-id", [])], spec.TaskNetworks.ToArray());
        Assert.Equal(spec.TaskTemplate, spec.TaskTemplateForTasks);
    }

    [Fact]
    public void An_unknown_top_level_network_is_refused_as_the_engine_does_when_it_would_be_used()
    {
        var decision = ServiceDecider.Decide(new CreateService("web", Spec("web") with { Networks = [new ServiceNetwork("nope", [])] }, At(1)), Swarm);

        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }
}
