using System.Text.Json.Nodes;
using Docker.DotNet.Models;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// Services created, read back and updated on both sides with the same spec: every field of the Engine API v1.41
/// ServiceSpec must read back as Docker Swarm reads it back.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class ServiceSpecTests(OracleFixture fixture)
{
    /// <summary>
    /// Every field a v1.41 client may send. Placement never matches a node, so no task runs and the comparison is
    /// of the spec alone; the 5 ns restart delay checks that durations stay exact nanoseconds.
    /// </summary>
    private const string EveryField = """
    {
      "Name": "every-field",
      "Labels": {"com.example.service": "all"},
      "TaskTemplate": {
        "ContainerSpec": {
          "Image": "busybox:latest",
          "Labels": {"com.example.container": "c"},
          "Command": ["sh", "-c"],
          "Args": ["sleep 3600"],
          "Hostname": "every-host",
          "Env": ["A=1", "B=two"],
          "Dir": "/tmp",
          "User": "nobody",
          "Groups": ["wheel", "audio"],
          "Privileges": {"SELinuxContext": {"Disable": false, "User": "u", "Role": "r", "Type": "t", "Level": "s0"}},
          "Init": true,
          "StopSignal": "SIGINT",
          "StopGracePeriod": 7000000000,
          "TTY": true,
          "OpenStdin": true,
          "ReadOnly": true,
          "Mounts": [
            {"Type": "tmpfs", "Target": "/scratch", "TmpfsOptions": {"SizeBytes": 1048576, "Mode": 1023}},
            {"Type": "volume", "Source": "every-vol", "Target": "/data", "VolumeOptions": {"NoCopy": true, "Labels": {"v": "1"}}},
            {"Type": "bind", "Source": "/tmp", "Target": "/host", "ReadOnly": true, "BindOptions": {"Propagation": "rslave"}}
          ],
          "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000, "Timeout": 2000000000, "Retries": 3, "StartPeriod": 4000000000},
          "Hosts": ["10.0.0.1 db", "10.0.0.2 cache"],
          "DNSConfig": {"Nameservers": ["10.0.0.53"], "Search": ["example.com"], "Options": ["ndots:2"]},
          "Isolation": "default",
          "Sysctls": {"net.ipv4.tcp_syncookies": "0"},
          "CapabilityAdd": ["CAP_NET_ADMIN"],
          "CapabilityDrop": ["CAP_MKNOD"],
          "Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}]
        },
        "Resources": {
          "Limits": {"NanoCPUs": 500000000, "MemoryBytes": 67108864, "Pids": 100},
          "Reservations": {"NanoCPUs": 100000000, "MemoryBytes": 33554432,
            "GenericResources": [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 2}}, {"NamedResourceSpec": {"Kind": "fpga", "Value": "f1"}}]}
        },
        "RestartPolicy": {"Condition": "on-failure", "Delay": 5, "MaxAttempts": 3, "Window": 10000000000},
        "Placement": {
          "Constraints": ["node.labels.compat==never"],
          "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}],
          "MaxReplicas": 2,
          "Platforms": [{"Architecture": "amd64", "OS": "linux"}]
        },
        "Networks": [{"Target": "spec-net", "Aliases": ["every-alias"], "DriverOpts": {"com.example.opt": "v"}}],
        "LogDriver": {"Name": "json-file", "Options": {"max-size": "1m"}},
        "ForceUpdate": 3
      },
      "Mode": {"Replicated": {"Replicas": 2}},
      "UpdateConfig": {"Parallelism": 2, "Delay": 1000000000, "FailureAction": "rollback", "Monitor": 5000000000, "MaxFailureRatio": 0.5, "Order": "start-first"},
      "RollbackConfig": {"Parallelism": 1, "Delay": 2000000000, "FailureAction": "continue", "Monitor": 3000000000, "MaxFailureRatio": 0.25, "Order": "stop-first"},
      "EndpointSpec": {"Mode": "vip", "Ports": [{"Name": "web", "Protocol": "tcp", "TargetPort": 80, "PublishedPort": 18080, "PublishMode": "ingress"}]}
    }
    """;

    /// <summary>What SDKs send for "unset": null in every optional field.</summary>
    private const string Nulls = """
    {
      "Name": "null-fields", "Labels": null,
      "TaskTemplate": {
        "ContainerSpec": {"Image": "busybox:latest", "Labels": null, "Command": null, "Args": null, "Hostname": null, "Env": null,
          "Dir": null, "User": null, "Groups": null, "Privileges": null, "Init": null, "StopSignal": null, "StopGracePeriod": null,
          "Mounts": null, "Healthcheck": null, "Hosts": null, "DNSConfig": null, "Sysctls": null, "CapabilityAdd": null,
          "CapabilityDrop": null, "Ulimits": null},
        "Resources": null, "RestartPolicy": null, "Placement": null, "Networks": null, "LogDriver": null
      },
      "Mode": null, "UpdateConfig": null, "RollbackConfig": null, "EndpointSpec": null, "Networks": null
    }
    """;

    /// <summary>API versions before 1.25 sent networks at the top of the spec; SDKs still do.</summary>
    private const string DeprecatedNetworks = """
    {"Name": "top-networks", "TaskTemplate": {"ContainerSpec": {"Image": "busybox:latest"}}, "Mode": {"Replicated": {"Replicas": 0}},
     "Networks": [{"Target": "spec-net", "Aliases": ["top-alias"]}]}
    """;

    private async Task<IReadOnlyList<JsonNode>> CreateAndInspectAsync(string body)
    {
        await fixture.InSwarmAsync();
        var name = JsonNode.Parse(body)!["Name"]!.ToString();
        var inspected = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            await side.PostAsync("/networks/create", """{"Name":"spec-net","Driver":"overlay","Attachable":true}""");
            await side.DeleteAsync($"/services/{name}");
            (await side.PostAsync("/services/create", body)).ShouldSucceed();
        }
        // Both allocators give the service its VIPs and ports asynchronously: read back once each side has
        // allocated (bounded; a side that never does is then reported by the comparison).
        for (var attempt = 0; attempt < 50; attempt++)
        {
            inspected.Clear();
            foreach (var side in fixture.Sides) inspected.Add((await side.GetAsync($"/services/{name}")).ShouldSucceed().Json!);
            if (inspected.All(s => s["Endpoint"]?["VirtualIPs"] is not null == (inspected[0]["Endpoint"]?["VirtualIPs"] is not null))
                && inspected.All(s => s["Endpoint"]?["Ports"] is not null == (inspected[0]["Endpoint"]?["Ports"] is not null))) break;
            await Task.Delay(200);
        }
        return inspected;
    }

    [Fact]
    public async Task Service_created_with_every_field_reads_back_as_in_Docker_Swarm()
    {
        var services = await CreateAndInspectAsync(EveryField);
        JsonComparison.AssertSame("service", services[0], services[1], "service inspect of a spec with every field");
    }

    [Fact]
    public async Task Service_update_with_an_identical_spec_moves_the_version_as_in_Docker_Swarm()
    {
        var before = await CreateAndInspectAsync(EveryField);
        var after = new List<JsonNode>();
        var versions = new List<ulong>();
        foreach (var (side, service) in fixture.Sides.Zip(before))
        {
            // Swarm moves the version itself once the service's endpoint is allocated: update from the latest.
            var version = await side.VersionOfAsync("/services/every-field");
            versions.Add(version);
            var update = await side.PostAsync($"/services/every-field/update?version={version}", service["Spec"]!.ToJsonString());
            Assert.True(update.Status == 200, $"{side}: {update}");
            after.Add((await side.GetAsync("/services/every-field")).ShouldSucceed().Json!);
        }
        foreach (var (side, (version, a)) in fixture.Sides.Zip(versions.Zip(after)))
            Assert.True(a["Version"]!["Index"]!.GetValue<ulong>() > version,
                $"{side}: Version.Index did not move on an update with an identical spec ({version} -> {a["Version"]})");
        JsonComparison.AssertSame("service", after[0], after[1], "service inspect after an update with the same spec");
    }

    [Fact]
    public async Task Service_created_with_null_fields_reads_back_Docker_Swarms_defaults()
    {
        var services = await CreateAndInspectAsync(Nulls);
        JsonComparison.AssertSame("service", services[0], services[1], "service inspect of a spec of nulls");
    }

    [Fact]
    public async Task Service_created_with_the_deprecated_top_level_Networks_reads_back_as_in_Docker_Swarm()
    {
        var services = await CreateAndInspectAsync(DeprecatedNetworks);
        JsonComparison.AssertSame("service", services[0], services[1], "service inspect of a spec with top-level Networks");
    }

    [Fact]
    public async Task Service_created_through_Docker_DotNet_reads_back_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        var inspected = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            using var api = side.Api();
            await side.DeleteAsync("/services/sdk-made");
            await api.Swarm.CreateServiceAsync(new ServiceCreateParameters
            {
                Service = new ServiceSpec
                {
                    Name = "sdk-made",
                    Labels = new Dictionary<string, string> { ["made-by"] = "Docker.DotNet" },
                    Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 0 } },
                    TaskTemplate = new TaskSpec
                    {
                        ContainerSpec = new ContainerSpec
                        {
                            Image = "busybox:latest",
                            Command = ["sleep", "3600"],
                            Env = ["X=1"],
                            StopGracePeriod = TimeSpan.FromSeconds(3),
                            Healthcheck = new HealthcheckConfig { Test = ["CMD-SHELL", "true"], Interval = TimeSpan.FromSeconds(2), Retries = 2 },
                        },
                        RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromSeconds(2), MaxAttempts = 0 },
                        Resources = new ResourceRequirements { Limits = new SwarmLimit { MemoryBytes = 64 << 20, NanoCPUs = 250_000_000 } },
                    },
                    UpdateConfig = new SwarmUpdateConfig { Parallelism = 1, Order = "start-first", FailureAction = "pause" },
                    EndpointSpec = new EndpointSpec { Mode = "dnsrr" },
                },
            });
            inspected.Add((await side.GetAsync("/services/sdk-made")).ShouldSucceed().Json!);

            // The SDK's own model of the answer, as an SDK user reads it.
            var model = await api.Swarm.InspectServiceAsync("sdk-made");
            Assert.Equal("sdk-made", model.Spec.Name);
        }
        JsonComparison.AssertSame("service", inspected[0], inspected[1], "service inspect of a Docker.DotNet-made service");
    }

    [Fact]
    public async Task Service_list_and_its_tasks_read_as_in_Docker_Swarm()
    {
        await CreateAndInspectAsync(DeprecatedNetworks.Replace("top-networks", "listed"));
        var lists = new List<JsonNode?>();
        var tasks = new List<JsonNode?>();
        foreach (var side in fixture.Sides)
        {
            lists.Add((await side.GetAsync("/services?filters=" + Uri.EscapeDataString("""{"name":{"listed":true}}"""))).ShouldSucceed().Json);
            tasks.Add((await side.GetAsync("/tasks?filters=" + Uri.EscapeDataString("""{"service":{"listed":true}}"""))).ShouldSucceed().Json);
        }
        JsonComparison.AssertSame("service", lists[0], lists[1], "service ls filtered by name");
        JsonComparison.AssertSame("task", tasks[0], tasks[1], "task ls of a service of 0 replicas");
    }
}
