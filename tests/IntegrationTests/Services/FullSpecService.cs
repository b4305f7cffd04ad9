using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

/// <summary>
/// One agent in a swarm of its own with the full-spec service (<see cref="Full_spec_Tests.Spec"/>) created over the
/// Engine API as raw JSON, its task's container running on the real engine and inspected once. The tests read it.
/// </summary>
public sealed class FullSpecService : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The service's ID, as the create answered it.</summary>
    public string Id { get; private set; } = "";

    /// <summary>The spec as sent, with the template's network name replaced by the network's ID.</summary>
    public JsonNode Expected { get; private set; } = null!;

    /// <summary>The task's container as the engine inspects it.</summary>
    public ContainerInspectResponse Container { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Agent = await LocalAgent.StartSwarmAsync();
        (await Agent.Docker("network", "create", "-d", "overlay", "fullspec-back")).ShouldSucceed();
        (await Agent.Docker("network", "create", "-d", "overlay", "fullspec-front")).ShouldSucceed();
        Http = Agent.Http();
        var back = JsonNode.Parse(await Http.GetStringAsync("/v1.41/networks/fullspec-back"))!["Id"]!.GetValue<string>(); // the Engine API's field name

        var created = await Http.PostAsync("/v1.41/services/create", new StringContent(Full_spec_Tests.Spec, Encoding.UTF8, "application/json"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        Id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["ID"]!.GetValue<string>();
        Expected = JsonNode.Parse(Full_spec_Tests.Spec)!;
        Expected["TaskTemplate"]!["Networks"]![0]!["Target"] = back;

        await Eventually.True(async () => JsonNode.Parse(await Http.GetStringAsync($"/v1.41/tasks?filters={Uri.EscapeDataString("{\"service\":[\"fullspec\"]}")}"))!.AsArray().Count > 0,
            TimeSpan.FromSeconds(30), "the service has a task");
        using var docker = Engine.Client();
        try
        {
            await Eventually.True(async () =>
            {
                var list = await Engine.ContainersOfServiceAsync(Agent.NodeId, "fullspec");
                if (list.Count == 0) return false;
                Container = await docker.Containers.InspectContainerAsync(list[0].ID);
                return Container.State.Running;
            }, TimeSpan.FromSeconds(60), "the task's container runs");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var log = Agent.AgentLog;
            Assert.Fail($"{e.Message}\ntasks: {await Http.GetStringAsync("/v1.41/tasks")}\nagent log: {log[Math.Max(0, log.Length - 4000)..]}");
        }
    }

    /// <summary>The engine's own JSON of the container, so that no client model's unit conversion hides a wrong value.</summary>
    public async Task<JsonNode> RawContainerAsync() =>
        JsonNode.Parse((await CommandResult.RunAsync("docker", ["inspect", Container.ID], new Dictionary<string, string>())).Output)!.AsArray()[0]!;

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Agent is not null) await Agent.DisposeAsync();
    }
}
