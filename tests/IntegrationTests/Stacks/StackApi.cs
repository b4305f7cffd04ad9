using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Stacks;
using EventSwarm.IntegrationTests.Cluster;
using EventSwarm.Node.Api.Stacks;

namespace EventSwarm.IntegrationTests.Stacks;

/// <summary>The native stack endpoints called as the CLI calls them, and stacks of busybox built as the converter builds them.</summary>
internal static class StackApi
{
    public static ServiceSpec BusyboxService(string stack, string name, string image = "busybox", string? network = null, string? secret = null, int publish = 0) => new()
    {
        Name = $"{stack}_{name}",
        Labels = ImmutableDictionary<string, string>.Empty.Add(StackSpec.NamespaceLabel, stack),
        Mode = ServiceMode.Replicated(1),
        TaskTemplate = new TaskTemplate
        {
            Container = new ContainerSpec
            {
                Image = image,
                Command = ["sleep", "3600"],
                Secrets = secret is null ? [] : [new SecretReference("", secret, new FileTarget(secret, "0", "0", FileTarget.DefaultMode))],
            },
            Networks = network is null ? [] : [new ServiceNetwork(network, [name])],
        },
        Endpoint = publish == 0 ? EndpointSpec.Default : new EndpointSpec(EndpointMode.Vip, [new PortConfig(PortProtocol.Tcp, 80, publish)]),
    };

    public static StackFileObject Secret(string name, string data) =>
        new(name, ImmutableDictionary<string, string>.Empty.Add(StackSpec.NamespaceLabel, name.Split('_')[0]), [.. Encoding.UTF8.GetBytes(data)]);

    public static async Task<(HttpStatusCode Status, JsonElement Body, string Text)> SendAsync(this LocalAgent agent, HttpMethod method, string path, string? body = null)
    {
        using var http = agent.Http();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement json = default;
        try { json = JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { }
        return (response.StatusCode, json, text);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body, string Text)> DeployAsync(this LocalAgent agent, StackSpec spec, bool prune = false) =>
        agent.SendAsync(HttpMethod.Post, $"/eventswarm/v1/stacks/{spec.Name}/deploy", StackWire.ToRequest(spec, prune).ToJsonString());

    public static string Message(this JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "";
}
