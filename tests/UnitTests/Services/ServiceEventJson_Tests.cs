extern alias node;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Infrastructure.Log;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Api.Services;

namespace EventSwarm.UnitTests.Services;

public sealed class ServiceEventJson_Tests
{
    private static ServiceSpec Full => ServiceWire.ToDomain(JsonSerializer.Deserialize<ServiceSpecJson>(FullSpec.Json, DockerJson.Options)!);

    private static EventBatch Batch(params DomainEvent[] events) => new("b1", new EventMetadata(T0, "test", "Test", "c1"), events);

    [Fact]
    public void ServiceCreated_with_every_field_is_written_to_the_log_and_read_back_unchanged()
    {
        var created = new ServiceCreated("web", Full, At(1));

        var json = EventJson.Serialize(Batch(created));
        var read = EventJson.DeserializeBatch(json);

        Assert.Equal(created, Assert.Single(read.Events));
        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(EventJson.Serialize(read)));
        // Read back through the wire too: nothing was lost on the way through the log.
        var readSpec = ((ServiceCreated)read.Events[0]).Spec;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FullSpec.Json), JsonSerializer.SerializeToNode(ServiceWire.ToWire(readSpec), DockerJson.Options)));
    }

    [Fact]
    public void Durations_are_logged_as_exact_nanoseconds()
    {
        var json = JsonNode.Parse(EventJson.Serialize(Batch(new ServiceCreated("web", Full, At(1)))))!;

        var spec = json["events"]![0]!["spec"]!;
        Assert.Equal(5, spec["taskTemplate"]!["restartPolicy"]!["delay"]!.GetValue<long>());
        Assert.Equal(7_000_000_005, spec["taskTemplate"]!["container"]!["stopGracePeriod"]!.GetValue<long>());
    }

    /// <summary>A ServiceCreated as logs before exact durations held it: TimeSpan strings and none of the new fields.</summary>
    [Fact]
    public void A_log_written_before_the_full_spec_still_reads()
    {
        var batch = JsonNode.Parse(EventJson.Serialize(Batch(new ServiceCreated("web", Spec("web"), At(1)))))!;
        batch["events"]![0]!["spec"] = JsonNode.Parse("""
            {
              "name": "web", "labels": {}, "mode": { "kind": "replicated", "replicas": 2 },
              "taskTemplate": {
                "networks": [{ "target": "n1", "aliases": ["a"] }],
                "container": { "image": "nginx:1", "command": [], "args": [], "env": [], "labels": {}, "mounts": [], "stopGracePeriod": "00:00:10" },
                "restartPolicy": { "condition": "on-failure", "delay": "00:00:05", "maxAttempts": 3, "window": "00:01:00" },
                "placement": { "constraints": ["node.role==worker"] },
                "reservations": { "nanoCpus": 0, "memoryBytes": 1048576 },
                "forceUpdate": 0
              },
              "endpoint": { "mode": "vip", "ports": [] }
            }
            """);

        var spec = ((ServiceCreated)Assert.Single(EventJson.DeserializeBatch(Encoding.UTF8.GetBytes(batch.ToJsonString())).Events)).Spec;

        Assert.Equal(Duration.FromSeconds(5), spec.TaskTemplate.RestartPolicy!.Delay);
        Assert.Equal(Duration.FromSeconds(60), spec.TaskTemplate.RestartPolicy!.Window);
        Assert.Equal(Duration.FromSeconds(10), spec.TaskTemplate.Container.StopGracePeriod);
        Assert.Equal(["node.role==worker"], spec.TaskTemplate.Placement!.Constraints.ToArray());
        Assert.Equal([new ServiceNetwork("n1", ["a"])], spec.TaskTemplate.Networks.ToArray());
        Assert.Null(spec.TaskTemplate.Limits);
        Assert.Equal(new Reservations(0, 1048576), spec.TaskTemplate.Reservations);
        Assert.Null(spec.UpdateConfig);
        Assert.Empty(spec.TaskTemplate.Container.Hosts);
    }
}
