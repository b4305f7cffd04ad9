using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

/// <summary>
/// A service created over the Engine API with every field v1.41 accepts (raw JSON on the agent's socket, so no
/// client model drops anything) reads back field for field, its tasks carry the same template, and the container
/// on the real engine has what the spec asks of a container. The service is created once for the class
/// (<see cref="FullSpecService"/>) and each test reads one part of it.
/// </summary>
public sealed class Full_spec_Tests(FullSpecService fixture) : IClassFixture<FullSpecService>
{
    // Every field set to a value that is not its default, and that the engine on this machine can run.
    internal const string Spec = """
    {
      "Name": "fullspec",
      "Labels": { "team": "a" },
      "TaskTemplate": {
        "ContainerSpec": {
          "Image": "busybox:latest",
          "Labels": { "c": "1" },
          "Command": ["/bin/sh", "-c"],
          "Args": ["sleep 600"],
          "Hostname": "web-host",
          "Env": ["A=1"],
          "Dir": "/tmp",
          "User": "1000",
          "Groups": ["1234", "5678"],
          "Privileges": { "CredentialSpec": null, "SELinuxContext": { "Disable": true, "User": "", "Role": "", "Type": "", "Level": "" } },
          "Init": true,
          "StopSignal": "SIGINT",
          "TTY": true,
          "OpenStdin": true,
          "ReadOnly": true,
          "Mounts": [{ "Type": "tmpfs", "Target": "/run", "TmpfsOptions": { "SizeBytes": 1048576, "Mode": 448 } }],
          "StopGracePeriod": 3000000005,
          "Healthcheck": { "Test": ["CMD-SHELL", "true"], "Interval": 1000000000, "Timeout": 2000000000, "StartPeriod": 3000000000, "Retries": 4 },
          "Hosts": ["10.1.2.3 db.local", "10.1.2.4 cache.local cache"],
          "DNSConfig": { "Nameservers": ["10.0.0.53"], "Search": ["example.org"], "Options": ["ndots:2"] },
          "Isolation": "default",
          "Sysctls": { "net.ipv4.ip_forward": "1" },
          "CapabilityAdd": ["CAP_NET_ADMIN"],
          "CapabilityDrop": ["CAP_MKNOD"],
          "Ulimits": [{ "Name": "nofile", "Hard": 2048, "Soft": 1024 }]
        },
        "Resources": {
          "Limits": { "NanoCPUs": 500000000, "MemoryBytes": 67108864, "Pids": 100 },
          "Reservations": { "NanoCPUs": 100000000, "MemoryBytes": 33554432, "GenericResources": [{ "DiscreteResourceSpec": { "Kind": "gpu", "Value": 2 } }] }
        },
        "RestartPolicy": { "Condition": "on-failure", "Delay": 5, "MaxAttempts": 3, "Window": 60000000007 },
        "Placement": {
          "Constraints": ["node.role==manager"],
          "Preferences": [{ "Spread": { "SpreadDescriptor": "node.labels.zone" } }],
          "MaxReplicas": 2,
          "Platforms": [{ "Architecture": "amd64", "OS": "linux" }]
        },
        "Networks": [{ "Target": "fullspec-back", "Aliases": ["api"], "DriverOpts": { "com.example.opt": "1" } }],
        "LogDriver": { "Name": "json-file", "Options": { "max-size": "1m" } },
        "ForceUpdate": 3,
        "Runtime": "container"
      },
      "Mode": { "Replicated": { "Replicas": 1 } },
      "UpdateConfig": { "Parallelism": 2, "Delay": 11, "FailureAction": "rollback", "Monitor": 13, "MaxFailureRatio": 0.25, "Order": "start-first" },
      "RollbackConfig": { "Parallelism": 1, "Delay": 17, "FailureAction": "continue", "Monitor": 19, "MaxFailureRatio": 0.5, "Order": "stop-first" },
      "Networks": [{ "Target": "fullspec-front", "Aliases": ["www"] }],
      "EndpointSpec": { "Mode": "vip" }
    }
    """;

    [Fact]
    public async Task Every_field_reads_back_as_sent_with_the_template_s_networks_as_IDs()
    {
        // The template's network names are recorded as IDs, as Docker does; the deprecated top-level networks are
        // kept as sent and not used while the template names networks (Docker's rule); the rest reads back as sent.
        var service = JsonNode.Parse(await fixture.Http.GetStringAsync($"/v1.41/services/{fixture.Id}"))!;
        AssertSameJson(fixture.Expected, service["Spec"]!, "Spec");
    }

    [Fact]
    public async Task Its_task_carries_the_template_without_the_service_only_Runtime()
    {
        // A task carries the service's template, without the Runtime Docker writes in a service's spec only.
        var task = JsonNode.Parse(await fixture.Http.GetStringAsync($"/v1.41/tasks?filters={Uri.EscapeDataString("{\"service\":[\"fullspec\"]}")}"))!.AsArray()[0]!;
        var expectedTask = fixture.Expected["TaskTemplate"]!.DeepClone().AsObject();
        expectedTask.Remove("Runtime");
        AssertSameJson(expectedTask, task["Spec"]!, "task Spec");
    }

    [Fact]
    public async Task The_container_has_the_spec_s_terminal_identity_directory_and_stop_settings()
    {
        var config = fixture.Container.Config;
        var host = fixture.Container.HostConfig;
        Assert.True(config.Tty);
        Assert.True(config.OpenStdin);
        Assert.Equal("web-host", config.Hostname);
        Assert.Equal("1000", config.User);
        Assert.Equal(["1234", "5678"], host.GroupAdd);
        Assert.Equal("/tmp", config.WorkingDir);
        Assert.True(host.Init);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal("c", Assert.Single(config.Labels, l => l.Key == "c").Key);
        Assert.Equal("SIGINT", config.StopSignal);
        Assert.Equal(4, config.StopTimeout is { } stop ? (int)Math.Ceiling(stop.TotalSeconds) : -1); // 3 s 5 ns, in whole seconds up
        // The engine's own JSON too, so that no client model's unit conversion hides a wrong value: seconds for the
        // stop timeout.
        Assert.Equal(4, (await fixture.RawContainerAsync())["Config"]!["StopTimeout"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_container_has_the_spec_s_health_check_with_durations_in_nanoseconds()
    {
        var health = fixture.Container.Config.Healthcheck;
        // The engine's own JSON: nanoseconds for health check durations, whatever the client model makes of them.
        Assert.Equal(1_000_000_000, (await fixture.RawContainerAsync())["Config"]!["Healthcheck"]!["Interval"]!.GetValue<long>());
        Assert.Equal(["CMD-SHELL", "true"], health.Test);
        Assert.Equal(TimeSpan.FromSeconds(1), health.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), health.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(3), health.StartPeriod);
        Assert.Equal(4, health.Retries);
    }

    [Fact]
    public void The_container_has_the_spec_s_hosts_and_DNS_after_the_node_s_service_DNS()
    {
        var host = fixture.Container.HostConfig;
        Assert.Equal(["db.local:10.1.2.3", "cache.local:10.1.2.4"], host.ExtraHosts);
        Assert.Contains("10.0.0.53", host.DNS);
        Assert.Equal(["example.org"], host.DNSSearch);
        Assert.Equal(["ndots:2"], host.DNSOptions);
        // The existing networking is untouched: the node's service DNS comes first.
        Assert.Equal("10.0.0.53", host.DNS[^1]);
    }

    [Fact]
    public void The_container_has_the_spec_s_capabilities_sysctls_ulimits_and_SELinux_option()
    {
        var host = fixture.Container.HostConfig;
        Assert.Contains("NET_ADMIN", host.CapAdd.Select(c => c.Replace("CAP_", "")));
        Assert.Contains("MKNOD", host.CapDrop.Select(c => c.Replace("CAP_", "")));
        Assert.Equal("1", host.Sysctls["net.ipv4.ip_forward"]);
        var nofile = Assert.Single(host.Ulimits);
        Assert.Equal(("nofile", 1024L, 2048L), (nofile.Name, nofile.Soft, nofile.Hard));
        Assert.Contains("label=disable", host.SecurityOpt);
    }

    [Fact]
    public void The_container_has_the_spec_s_resource_limits()
    {
        var host = fixture.Container.HostConfig;
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(67_108_864, host.Memory);
        Assert.Equal(100, host.PidsLimit);
    }

    [Fact]
    public void The_container_logs_with_the_spec_s_log_driver()
    {
        var host = fixture.Container.HostConfig;
        Assert.Equal("json-file", host.LogConfig.Type);
        Assert.Equal("1m", host.LogConfig.Config["max-size"]);
    }

    [Fact]
    public void The_container_is_on_its_task_s_one_network()
    {
        // The existing networking is untouched: the task is on its network.
        Assert.Single(fixture.Container.NetworkSettings.Networks);
    }

    [Fact]
    public async Task An_update_with_an_identical_spec_moves_the_version_and_replaces_no_task()
    {
        var http = fixture.Http;
        const string spec = """{ "Name": "same", "TaskTemplate": { "ContainerSpec": { "Image": "busybox:latest", "Args": ["sleep", "600"] } } }""";
        var created = await http.PostAsync("/v1.41/services/create", new StringContent(spec, Encoding.UTF8, "application/json"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await Eventually.True(async () => (await Engine.ContainersOfServiceAsync(fixture.Agent.NodeId, "same")).Count == 1, TimeSpan.FromSeconds(60), "the task runs");
        var before = JsonNode.Parse(await http.GetStringAsync("/v1.41/services/same"))!;
        var version = before["Version"]!["Index"]!.GetValue<long>();

        var updated = await http.PostAsync($"/v1.41/services/same/update?version={version}", new StringContent(spec, Encoding.UTF8, "application/json"));
        Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync());

        var after = JsonNode.Parse(await http.GetStringAsync("/v1.41/services/same"))!;
        Assert.True(after["Version"]!["Index"]!.GetValue<long>() > version);
        // The stale version is refused as before.
        var stale = await http.PostAsync($"/v1.41/services/same/update?version={version}", new StringContent(spec, Encoding.UTF8, "application/json"));
        Assert.False(stale.IsSuccessStatusCode);
        // No replacement: the service still has its one task, the one created first.
        var tasks = JsonNode.Parse(await http.GetStringAsync($"/v1.41/tasks?filters={Uri.EscapeDataString("{\"service\":[\"same\"]}")}"))!.AsArray();
        Assert.Single(tasks);
    }

    private static void AssertSameJson(JsonNode expected, JsonNode actual, string what)
    {
        foreach (var (path, value) in Leaves(expected, ""))
            Assert.True(JsonNode.DeepEquals(value, At(actual, path)), $"{what}{path}: expected {value?.ToJsonString()} but read {At(actual, path)?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{what}: expected\n{expected}\nbut read\n{actual}");
    }

    private static IEnumerable<(string Path, JsonNode? Value)> Leaves(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value, $"{path}/{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Leaves(item, $"{path}/{i}")),
        _ => [(path, node)],
    };

    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node switch
            {
                JsonArray a when int.TryParse(part, out var i) && i < a.Count => a[i],
                JsonObject o => o[part],
                _ => null,
            };
        return node;
    }
}
