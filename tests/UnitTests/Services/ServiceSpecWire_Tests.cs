extern alias node;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Application;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Api.Services;
using ServiceEndpoint = EventSwarm.Domain.Networking.ServiceEndpoint;
using VirtualIp = EventSwarm.Domain.Networking.VirtualIp;

namespace EventSwarm.UnitTests.Services;

public sealed class ServiceSpecWire_Tests
{
    private static ServiceSpec Parse(string json) =>
        ServiceWire.ToDomain(JsonSerializer.Deserialize<ServiceSpecJson>(json, DockerJson.Options)!);

    private static JsonNode Write(ServiceSpec spec) => JsonSerializer.SerializeToNode(ServiceWire.ToWire(spec), DockerJson.Options)!;

    [Fact]
    public void A_spec_with_every_field_set_reads_back_field_for_field()
    {
        var written = Write(Parse(FullSpec.Json));

        var expected = JsonNode.Parse(FullSpec.Json)!;
        Assert.True(JsonNode.DeepEquals(expected, written), $"expected\n{expected}\nbut wrote\n{written}");
    }

    [Fact]
    public void A_spec_read_and_sent_back_unchanged_is_the_same_spec()
    {
        // What `docker service scale` does: inspect, change the replica count, send the rest back as it read it.
        // Were any default written on the way out kept on the way in, the template would look changed.
        var stored = Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox:latest", "Args": ["sleep", "3600"] } } }""");

        Assert.Equal(stored, Parse(Write(stored).ToJsonString()));
    }

    [Fact]
    public void Durations_are_exact_to_the_nanosecond()
    {
        var spec = Parse(FullSpec.Json);

        Assert.Equal(new Duration(5), spec.TaskTemplate.RestartPolicy!.Delay);
        Assert.Equal(new Duration(7_000_000_005), spec.TaskTemplate.Container.StopGracePeriod);
        Assert.Equal(new Duration(11), spec.UpdateConfig!.Delay);
        Assert.Equal(5, Write(spec)["TaskTemplate"]!["RestartPolicy"]!["Delay"]!.GetValue<long>());
    }

    [Fact]
    public void Null_on_the_wire_means_the_default()
    {
        var withNulls = Parse("""
            {
              "Name": "web", "Labels": null, "Mode": null, "UpdateConfig": null, "RollbackConfig": null, "Networks": null, "EndpointSpec": null,
              "TaskTemplate": {
                "ContainerSpec": {
                  "Image": "busybox", "Labels": null, "Command": null, "Args": null, "Hostname": null, "Env": null, "Dir": null,
                  "User": null, "Groups": null, "Privileges": null, "Init": null, "StopSignal": null, "TTY": null, "OpenStdin": null,
                  "ReadOnly": null, "Mounts": null, "StopGracePeriod": null, "Healthcheck": null, "Hosts": null, "DNSConfig": null,
                  "Secrets": null, "Configs": null, "Isolation": null, "Sysctls": null, "CapabilityAdd": null, "CapabilityDrop": null, "Ulimits": null
                },
                "Resources": null, "RestartPolicy": null, "Placement": null, "Networks": null, "LogDriver": null, "Runtime": null
              }
            }
            """);

        // Every part is at its default; the endpoint is remembered as not sent only so that it reads back absent, as in Docker.
        var defaults = new ServiceSpec { Name = "web", TaskTemplate = new TaskTemplate { Container = new ContainerSpec { Image = "busybox" } }, HasEndpointSpec = false };
        Assert.Equal(defaults, withNulls);
        Assert.Equal(EventSwarm.Domain.Networking.EndpointSpec.Default, withNulls.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(5), withNulls.TaskTemplate.EffectiveRestartPolicy.EffectiveDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), withNulls.TaskTemplate.Container.EffectiveStopGracePeriod);
        Assert.Null(withNulls.TaskTemplate.Container.Init);
    }

    [Fact]
    public void Fields_left_out_are_left_out_on_the_way_back_as_Docker_omits_empty_ones()
    {
        var written = Write(Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } } }"""));

        var container = written["TaskTemplate"]!["ContainerSpec"]!.AsObject();
        Assert.Equal(["Image", "Isolation"], container.Select(p => p.Key));
        Assert.Equal("default", container["Isolation"]!.GetValue<string>());
        Assert.Equal(["ContainerSpec", "ForceUpdate", "Runtime"], written["TaskTemplate"]!.AsObject().Select(p => p.Key).Order());
        Assert.Null(written["UpdateConfig"]);
        Assert.Null(written["Networks"]);
        Assert.Null(written["EndpointSpec"]);
        Assert.Equal("""{"Mode":"vip"}""", Write(Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } }, "EndpointSpec": {} }"""))["EndpointSpec"]!.ToJsonString());
    }

    [Fact]
    public void Empty_parts_read_back_with_the_members_Docker_always_writes()
    {
        var written = Write(Parse("""
            {
              "Name": "web",
              "TaskTemplate": {
                "ContainerSpec": { "Image": "busybox", "Privileges": {}, "Healthcheck": {}, "DNSConfig": {} },
                "RestartPolicy": {}, "Placement": {}, "Resources": { "Limits": {}, "Reservations": {} }
              }
            }
            """));

        // What Docker 20.10 answered for the same request, part by part.
        var container = written["TaskTemplate"]!["ContainerSpec"]!;
        Assert.Equal("""{"CredentialSpec":null,"SELinuxContext":null}""", container["Privileges"]!.ToJsonString());
        Assert.Equal("{}", container["Healthcheck"]!.ToJsonString());
        Assert.Equal("{}", container["DNSConfig"]!.ToJsonString());
        // Docker writes a restart policy's condition and max attempts always, its delay and window only when given.
        Assert.Equal("""{"Condition":"any","MaxAttempts":0}""", written["TaskTemplate"]!["RestartPolicy"]!.ToJsonString());
        Assert.Equal("{}", written["TaskTemplate"]!["Placement"]!.ToJsonString());
        Assert.Equal("""{"Limits":{},"Reservations":{}}""", written["TaskTemplate"]!["Resources"]!.ToJsonString());
    }

    [Fact]
    public void An_update_config_reads_back_with_Dockers_defaults_filled_in()
    {
        var written = Write(Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } }, "UpdateConfig": {} }"""));

        Assert.Equal("""{"Parallelism":0,"FailureAction":"pause","MaxFailureRatio":0,"Order":"stop-first"}""", written["UpdateConfig"]!.ToJsonString());
    }

    [Fact]
    public void A_published_ports_name_is_kept_but_a_name_alone_replaces_no_task()
    {
        var named = Parse("""
            { "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } },
              "EndpointSpec": { "Ports": [{ "Name": "http", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host" }] } }
            """);
        var renamed = named with { Endpoint = named.Endpoint with { Ports = [named.Endpoint.Ports[0] with { Name = "www" }] } };

        Assert.Equal("http", Write(named)["EndpointSpec"]!["Ports"]![0]!["Name"]!.GetValue<string>());
        Assert.NotEqual(named, renamed);
        Assert.False(renamed.TasksDifferFrom(named));
        Assert.True((renamed with { Endpoint = renamed.Endpoint with { Ports = [renamed.Endpoint.Ports[0] with { PublishedPort = 8081 }] } }).TasksDifferFrom(named));
    }

    [Fact]
    public void The_runtime_endpoint_spec_echoes_the_sent_endpoint_once_allocated_and_is_empty_otherwise()
    {
        var without = Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } } }""");
        var dnsrr = Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } }, "EndpointSpec": { "Mode": "dnsrr" } }""");
        var allocated = new ServiceEndpoint([new VirtualIp("net", "10.0.0.2")], []);

        string Endpoint(ServiceSpec spec, ServiceEndpoint endpoint) => JsonSerializer.Serialize(ServiceWire.ToWireEndpoint(spec, endpoint), DockerJson.Options);
        Assert.Equal("{}", Endpoint(without, allocated));
        Assert.Equal("{}", Endpoint(dnsrr, ServiceEndpoint.None));
        Assert.Equal("""{"Mode":"dnsrr"}""", Endpoint(dnsrr, allocated));
    }

    [Fact]
    public void Insert_defaults_fills_in_Swarms_defaults_for_what_was_not_sent()
    {
        var spec = Parse("""{ "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } }, "UpdateConfig": { "Parallelism": 2 } }""");

        var written = JsonSerializer.SerializeToNode(ServiceWire.ToWireWithDefaults(spec), DockerJson.Options)!;

        Assert.Equal("""{"Parallelism":1,"FailureAction":"pause","Monitor":5000000000,"MaxFailureRatio":0,"Order":"stop-first"}""", written["RollbackConfig"]!.ToJsonString());
        Assert.Equal(2, written["UpdateConfig"]!["Parallelism"]!.GetValue<int>());
        // Given without a monitor (as `docker stack deploy` sends update_config): Swarm's 5 s is filled in too.
        Assert.Equal(5_000_000_000, written["UpdateConfig"]!["Monitor"]!.GetValue<long>());
        Assert.Equal("""{"Condition":"any","Delay":5000000000,"MaxAttempts":0}""", written["TaskTemplate"]!["RestartPolicy"]!.ToJsonString());
        Assert.Equal(10_000_000_000, written["TaskTemplate"]!["ContainerSpec"]!["StopGracePeriod"]!.GetValue<long>());
        Assert.Equal("{}", written["TaskTemplate"]!["Resources"]!.ToJsonString());
        Assert.Equal("{}", written["TaskTemplate"]!["Placement"]!.ToJsonString());
        Assert.Null(Write(spec)["RollbackConfig"]);
    }

    [Fact]
    public void Two_readings_of_the_same_spec_are_equal_and_hash_alike()
    {
        var a = Parse(FullSpec.Json);
        var b = Parse(FullSpec.Json);

        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    /// <summary>Every field takes part in equality: a spec differing in any one leaf is a different spec.</summary>
    [Fact]
    public void A_change_to_any_single_field_makes_a_different_spec()
    {
        var original = Parse(FullSpec.Json);
        var leaves = Leaves(JsonNode.Parse(FullSpec.Json)!, "").ToList();
        Assert.True(leaves.Count > 80, $"only {leaves.Count} leaves found");

        foreach (var path in leaves)
        {
            var changed = JsonNode.Parse(FullSpec.Json)!;
            if (!Mutate(changed, path)) continue;
            Assert.True(original != Parse(changed.ToJsonString()), $"changing {path} gave an equal spec");
        }
    }

    [Fact]
    public void A_secret_reference_by_name_alone_reads_with_an_empty_ID_for_the_decider_to_resolve()
    {
        var spec = Parse("""
            { "Name": "web", "TaskTemplate": { "ContainerSpec": { "Image": "busybox", "Secrets": [{ "SecretName": "s" }] } } }
            """);

        Assert.Equal(new Domain.Secrets.SecretReference("", "s", null), Assert.Single(spec.TaskTemplate.Container.Secrets));
    }

    private static IEnumerable<string> Leaves(JsonNode node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value!, $"{path}/{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Leaves(item!, $"{path}/{i}")),
        _ => [path],
    };

    /// <summary>Changes the leaf at the path to another valid value; false for leaves with one valid value only.</summary>
    private static bool Mutate(JsonNode root, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var parent = root;
        foreach (var part in parts[..^1]) parent = parent is JsonArray a ? a[int.Parse(part)]! : parent[part]!;
        var key = parts[^1];
        var value = parent is JsonArray array ? array[int.Parse(key)]! : parent[key]!;
        JsonNode? replacement = key switch
        {
            "Runtime" or "Type" => null,
            "Condition" => "any",
            "FailureAction" => "pause",
            "Order" => (string)value! == "stop-first" ? "start-first" : "stop-first",
            "Protocol" => "udp",
            "PublishMode" => "host",
            "Mode" when value.GetValueKind() == JsonValueKind.String => "dnsrr",
            _ => value.GetValueKind() switch
            {
                JsonValueKind.String => (string)value! + "x",
                JsonValueKind.Number when key == "MaxFailureRatio" => 0.75,
                JsonValueKind.Number => value.GetValue<long>() + 1,
                JsonValueKind.True => false,
                JsonValueKind.False => true,
                _ => null,
            },
        };
        if (replacement is null) return false;
        if (parent is JsonArray list) list[int.Parse(key)] = replacement;
        else parent[key] = replacement;
        return true;
    }
}
