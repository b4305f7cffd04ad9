extern alias node;
using System.Text;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Stacks;
using static EventSwarm.UnitTests.Stacks.StackGiven;
using StackWire = node::EventSwarm.Node.Api.Stacks.StackWire;

namespace EventSwarm.UnitTests.Stacks;

public sealed class StackWire_Tests
{
    private static (StackSpec Spec, bool Prune) RoundTrip(StackSpec spec, bool prune)
    {
        var json = StackWire.ToRequest(spec, prune).ToJsonString();
        using var document = JsonDocument.Parse(json);
        return StackWire.FromRequest(document.RootElement.Clone());
    }

    [Fact]
    public void A_stack_comes_back_from_its_request_as_it_was_sent()
    {
        var spec = Wordpress() with
        {
            Networks = [new NetworkSpec { Name = "wp_net", Attachable = true, Subnet = "10.9.0.0/24", Gateway = "10.9.0.1" }],
            ExternalNetworks = ["shared"],
            ExternalSecrets = ["my-pw2"],
            Configs = [Secret("wp_conf", "listen 80;")],
        };

        var (back, prune) = RoundTrip(spec, prune: true);

        Assert.True(prune);
        Assert.Equal("wp", back.Name);
        Assert.Equal(spec.Services.Select(s => (s.Name, s.TaskTemplate.Container.Image, s.Mode.Replicas)),
            back.Services.Select(s => (s.Name, s.TaskTemplate.Container.Image, s.Mode.Replicas)));
        Assert.Equal(spec.Services[0].Labels, back.Services[0].Labels);
        Assert.Equal("wp_net", Assert.Single(back.Services[0].TaskTemplate.Networks).Target);
        Assert.Equal("wp_pw", Assert.Single(back.Services[0].TaskTemplate.Container.Secrets).SecretName);
        Assert.Equal(8080, Assert.Single(back.Services[0].Endpoint.Ports).PublishedPort);
        Assert.Equal(spec.Networks[0], Assert.Single(back.Networks));
        Assert.Equal("root", Encoding.UTF8.GetString(Assert.Single(back.Secrets).Data.AsSpan()));
        Assert.Equal("listen 80;", Encoding.UTF8.GetString(Assert.Single(back.Configs).Data.AsSpan()));
        Assert.Equal(["shared"], back.ExternalNetworks.ToList());
        Assert.Equal(["my-pw2"], back.ExternalSecrets.ToList());
        Assert.Equal(spec.Files.ToList(), back.Files.ToList());
    }

    [Fact]
    public void Services_travel_as_the_Engine_APIs_ServiceSpec()
    {
        var request = StackWire.ToRequest(Wordpress(), prune: false);

        Assert.Equal("wordpress:latest", request["Services"]![0]!["TaskTemplate"]!["ContainerSpec"]!["Image"]!.GetValue<string>());
    }

    [Fact]
    public void What_is_not_a_stack_is_a_bad_request()
    {
        using var array = JsonDocument.Parse("[1]");
        using var badType = JsonDocument.Parse("""{"Name":"wp","Services":"web"}""");

        Assert.Throws<BadRequestException>(() => StackWire.FromRequest(array.RootElement));
        Assert.StartsWith("malformed stack in request body", Assert.Throws<BadRequestException>(() => StackWire.FromRequest(badType.RootElement)).Message);
    }
}
