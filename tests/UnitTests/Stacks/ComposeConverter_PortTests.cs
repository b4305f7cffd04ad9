using EventSwarm.Domain.Networking;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_PortTests
{
    private static IEnumerable<PortConfig> Ports(string ports) => Service($$"""{"image": "nginx", "ports": {{ports}}}""").Endpoint.Ports;

    [Theory]
    [InlineData("\"8080:80\"", PortProtocol.Tcp, 80, 8080)]
    [InlineData("\"80\"", PortProtocol.Tcp, 80, 0)]
    [InlineData("80", PortProtocol.Tcp, 80, 0)]
    [InlineData("\"53:53/udp\"", PortProtocol.Udp, 53, 53)]
    [InlineData("\"0.0.0.0:8080:80\"", PortProtocol.Tcp, 80, 8080)]
    public void The_short_syntax_publishes_in_ingress_mode(string port, PortProtocol protocol, int target, int published)
    {
        Assert.Equal<PortConfig>([new PortConfig(protocol, target, published, PublishMode.Ingress)], Ports($"[{port}]"));
    }

    [Fact]
    public void Ranges_publish_one_port_per_target()
    {
        Assert.Equal<PortConfig>(
            [new PortConfig(PortProtocol.Tcp, 80, 8000), new PortConfig(PortProtocol.Tcp, 81, 8001)],
            Ports("""["8000-8001:80-81"]"""));
    }

    [Fact]
    public void A_published_range_for_one_target_publishes_each_port()
    {
        Assert.Equal<int>([9000, 9001, 9002], Ports("""["9000-9002:80"]""").Select(p => p.PublishedPort));
    }

    [Fact]
    public void Ranges_of_different_lengths_are_refused()
    {
        Assert.Equal("service web: invalid ranges specified for container and host Ports: 80-82 and 8000-8001",
            Refused("""{"image": "nginx", "ports": ["8000-8001:80-82"]}"""));
    }

    [Fact]
    public void An_ip_address_is_ignored_with_dockers_warning()
    {
        var converted = ConvertService("""{"image": "nginx", "ports": ["127.0.0.1:8080:80"]}""");

        Assert.Equal(8080, converted.Spec.Services[0].Endpoint.Ports[0].PublishedPort);
        Assert.Equal<string>(["ignoring IP-address (127.0.0.1:8080:80/tcp) service will listen on '0.0.0.0'"], converted.Warnings);
    }

    [Fact]
    public void The_long_syntax_keeps_protocol_and_host_mode()
    {
        Assert.Equal<PortConfig>([new PortConfig(PortProtocol.Udp, 53, 5353, PublishMode.Host)],
            Ports("""[{"target": 53, "published": 5353, "protocol": "udp", "mode": "host"}]"""));
    }

    [Fact]
    public void The_long_syntax_without_mode_is_ingress()
    {
        Assert.Equal<PortConfig>([new PortConfig(PortProtocol.Tcp, 80, 8080, PublishMode.Ingress)], Ports("""[{"target": 80, "published": 8080}]"""));
    }

    [Fact]
    public void Ports_are_sorted_by_published_then_target()
    {
        Assert.Equal<int>([0, 443, 8080], Ports("""["8080:80", {"target": 9000}, "443:443"]""").Select(p => p.PublishedPort));
    }

    [Fact]
    public void Sctp_is_refused_eventswarm_publishes_tcp_and_udp()
    {
        Assert.Contains("invalid protocol 'sctp'", Refused("""{"image": "nginx", "ports": ["132:132/sctp"]}"""));
    }

    [Fact]
    public void A_port_that_is_not_a_number_is_refused()
    {
        Assert.Equal("service web: invalid containerPort: http", Refused("""{"image": "nginx", "ports": ["8080:http"]}"""));
    }
}
