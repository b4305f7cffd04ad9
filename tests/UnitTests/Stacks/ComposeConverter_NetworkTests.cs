using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_NetworkTests
{
    [Fact]
    public void A_service_that_names_no_network_joins_the_stacks_default_overlay_network()
    {
        var spec = ConvertService("""{"image": "nginx"}""").Spec;

        Assert.Equal<ServiceNetwork>([new ServiceNetwork("app_default", ["web"])], spec.Services[0].TaskTemplate.Networks);
        var network = Assert.Single(spec.Networks);
        Assert.Equal("app_default", network.Name);
        Assert.Equal("overlay", network.Driver);
        Assert.Equal("app", network.Labels["com.docker.stack.namespace"]);
    }

    [Fact]
    public void Only_networks_some_service_joins_are_created()
    {
        var spec = ConvertService("""{"image": "nginx", "networks": ["front"]}""", """ "networks": {"front": {}, "unused": {}} """).Spec;

        Assert.Equal<string>(["app_front"], spec.Networks.Select(n => n.Name));
    }

    [Fact]
    public void An_external_network_is_looked_up_by_its_real_name_and_not_created()
    {
        var spec = ConvertService("""{"image": "nginx", "networks": ["proxy", "shared"]}""",
            """ "networks": {"proxy": {"external": true}, "shared": {"external": true, "name": "infra_shared"}} """).Spec;

        Assert.Empty(spec.Networks);
        Assert.Equal<string>(["infra_shared", "proxy"], spec.ExternalNetworks);
        Assert.Equal<string>(["infra_shared", "proxy"], spec.Services[0].TaskTemplate.Networks.Select(n => n.Target));
    }

    [Fact]
    public void The_deprecated_external_name_is_used_and_warned_about()
    {
        var converted = ConvertService("""{"image": "nginx", "networks": ["proxy"]}""", """ "networks": {"proxy": {"external": {"name": "traefik"}}} """);

        Assert.Equal<string>(["traefik"], converted.Spec.ExternalNetworks);
        Assert.Contains("network proxy: network.external.name is deprecated in favor of network.name", converted.Warnings);
    }

    [Fact]
    public void A_network_with_a_name_is_created_under_that_name()
    {
        var spec = ConvertService("""{"image": "nginx", "networks": ["front"]}""", """ "networks": {"front": {"name": "public"}} """).Spec;

        Assert.Equal("public", Assert.Single(spec.Networks).Name);
        Assert.Equal("public", spec.Services[0].TaskTemplate.Networks[0].Target);
    }

    [Fact]
    public void Aliases_from_the_file_come_first_then_the_service_name()
    {
        var service = Service("""{"image": "nginx", "networks": {"front": {"aliases": ["www", "site"]}}}""", """ "networks": {"front": {}} """);

        Assert.Equal<string>(["www", "site", "web"], service.TaskTemplate.Networks[0].Aliases);
    }

    [Fact]
    public void Attachments_are_sorted_by_target()
    {
        var service = Service("""{"image": "nginx", "networks": ["zeta", "alpha"]}""", """ "networks": {"zeta": {}, "alpha": {}} """);

        Assert.Equal<string>(["app_alpha", "app_zeta"], service.TaskTemplate.Networks.Select(n => n.Target));
    }

    [Fact]
    public void Driver_attachable_subnet_and_labels_are_kept()
    {
        var network = Assert.Single(ConvertService("""{"image": "nginx", "networks": ["back"]}""",
            """ "networks": {"back": {"driver": "overlay", "attachable": true, "ipam": {"config": [{"subnet": "10.20.0.0/24"}]}, "labels": ["team=db"]}} """).Spec.Networks);

        Assert.True(network.Attachable);
        Assert.Equal("10.20.0.0/24", network.Subnet);
        Assert.Equal("db", network.Labels["team"]);
        Assert.Equal("app", network.Labels["com.docker.stack.namespace"]);
    }

    [Fact]
    public void An_undeclared_network_is_refused_as_docker_says()
    {
        Assert.Equal("service web: undefined network \"nowhere\"", Refused("""{"image": "nginx", "networks": ["nowhere"]}"""));
    }

    [Fact]
    public void Network_options_eventswarm_cannot_hold_are_warned_about()
    {
        var converted = ConvertService("""{"image": "nginx", "networks": ["back"]}""", """ "networks": {"back": {"internal": true, "driver_opts": {"encrypted": ""}}} """);

        Assert.Contains("network back: internal is not supported by EventSwarm and is ignored", converted.Warnings);
        Assert.Contains("network back: driver_opts are not supported by EventSwarm and are ignored", converted.Warnings);
    }

    [Fact]
    public void The_engines_host_network_is_joined_by_name_without_lookup_or_alias()
    {
        var spec = ConvertService("""{"image": "nginx", "networks": ["hostnet"]}""", """ "networks": {"hostnet": {"external": true, "name": "host"}} """).Spec;

        Assert.Empty(spec.ExternalNetworks);
        Assert.Equal<ServiceNetwork>([new ServiceNetwork("host", [])], spec.Services[0].TaskTemplate.Networks);
    }
}
