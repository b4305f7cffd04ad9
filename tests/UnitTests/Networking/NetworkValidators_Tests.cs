using EventSwarm.Application;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Services;
using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Networking.NetworkGiven;

namespace EventSwarm.UnitTests.Networking;

/// <summary>The shape checks of network specs and of a service's ports and networks, run before anything is decided.</summary>
public sealed class NetworkValidators_Tests
{
    private static readonly Caller Caller = new("test", "c1");

    private static IReadOnlyList<string> Errors(NetworkSpec spec) =>
        new CreateNetworkValidator().Validate(new CreateNetworkCommand(spec, Caller)).Errors.Select(e => e.ErrorMessage).ToList();

    private static IReadOnlyList<string> Errors(ServiceSpec spec) =>
        new CreateServiceValidator().Validate(new CreateServiceCommand(spec, Caller)).Errors.Select(e => e.ErrorMessage).ToList();

    [Fact]
    public void A_network_with_a_subnet_and_a_gateway_passes()
    {
        Assert.Empty(Errors(new NetworkSpec { Name = "backend", Subnet = "10.0.9.0/24", Gateway = "10.0.9.254", Attachable = true }));
    }


    [Fact]
    public void A_gateway_without_a_subnet_is_refused_as_docker_refuses_it()
    {
        Assert.Equal(["every ip-range or gateway must have a corresponding subnet"], Errors(new NetworkSpec { Name = "backend", Gateway = "10.0.9.1" }));
    }

    [Fact]
    public void A_gateway_that_is_not_an_address_is_refused()
    {
        Assert.Equal(["ipam configuration: invalid gateway 10.0.9"], Errors(new NetworkSpec { Name = "backend", Subnet = "10.0.9.0/24", Gateway = "10.0.9" }));
    }

    [Fact]
    public void Remove_needs_a_network()
    {
        Assert.Equal(["network name or ID must not be empty"],
            new RemoveNetworkValidator().Validate(new RemoveNetworkCommand("", Caller)).Errors.Select(e => e.ErrorMessage));
    }

    [Fact]
    public void A_service_publishing_ports_on_a_network_passes_and_published_port_0_asks_for_one()
    {
        Assert.Empty(Errors(Spec("web").JoiningNetworks("backend").PublishingPort(0, 80).PublishingPort(65535, 1, PublishMode.Host)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void A_target_port_outside_1_to_65535_is_refused(int target)
    {
        Assert.Equal([$"invalid target port {target}: must be between 1 and 65535"], Errors(Spec("web").PublishingPort(8080, target)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void A_published_port_outside_0_to_65535_is_refused(int published)
    {
        Assert.Contains($"invalid published port {published}", Assert.Single(Errors(Spec("web").PublishingPort(published, 80))));
    }

    [Fact]
    public void A_network_attachment_without_a_target_is_refused()
    {
        Assert.Equal(["a network attachment needs a network name or ID"], Errors(Spec("web").JoiningNetworks(" ")));
    }
}
