extern alias node;
using System.Text.Json;
using EventSwarm.Application.Services;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Api.Services;

namespace EventSwarm.UnitTests.Input;

/// <summary>A null in a list or a map of strings reads as Go reads it, the zero value, so the validators name what is wrong.</summary>
public sealed class Null_elements_Tests
{
    private static ServiceSpec Parse(string json) => ServiceWire.ToDomain(JsonSerializer.Deserialize<ServiceSpecJson>(json, DockerJson.Options)!);

    private static IEnumerable<string> Errors(ServiceSpec spec) => new ServiceSpecValidator().Validate(spec).Errors.Select(e => e.ErrorMessage);

    [Fact]
    public void Null_strings_in_lists_and_maps_are_empty_strings()
    {
        var spec = Parse("""{"Name":"a","Labels":{"k":null},"TaskTemplate":{"ContainerSpec":{"Image":"busybox","Args":[null,"x"],"Env":[null]}}}""");
        Assert.Equal(["", "x"], spec.TaskTemplate.Container.Args.ToArray());
        Assert.Equal("", spec.Labels["k"]);
        Assert.Contains("invalid environment variable '': expected KEY=VALUE", Errors(spec));
    }

    [Fact]
    public void A_null_mount_port_or_network_is_an_empty_one_refused_by_name()
    {
        var spec = Parse("""
            {"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"busybox","Mounts":[{"Type":"volume","Target":"/x"},null]},"Networks":[null]},
             "EndpointSpec":{"Ports":[null]}}
            """);
        var errors = Errors(spec).ToList();
        Assert.Contains("invalid mount target '': must be an absolute path", errors);
        Assert.Contains("a network attachment needs a network name or ID", errors);
        Assert.Contains("invalid target port 0: must be between 1 and 65535", errors);
    }

    [Fact]
    public void A_value_of_a_string_map_that_is_not_a_string_is_malformed_JSON() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ServiceSpecJson>("""{"Labels":{"k":1}}""", DockerJson.Options));

    [Fact]
    public void Lists_and_maps_write_as_before() =>
        Assert.Equal("""{"Labels":{"b":"1","a":""},"Args":["x",""]}""",
            JsonSerializer.Serialize(new { Labels = (IDictionary<string, string>)new Dictionary<string, string> { ["b"] = "1", ["a"] = "" }, Args = new List<string> { "x", "" } }, DockerJson.Options));
}
