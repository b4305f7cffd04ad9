using System.Text.Json;
using EventSwarm.Infrastructure.Docker;
using EventSwarm.Node.Api.Engine;

namespace EventSwarm.Node.Logs;

/// <summary>
/// A node's half of service logs: the log of one of its tasks' containers, read from its own Docker Engine. The
/// container is found by the task-ID label the worker puts on it (DockerContainerRuntime.TaskIdLabel), so a task that
/// has ended gives its log as long as its container is there, as swarmkit's worker does for the tasks it still holds.
/// </summary>
public sealed class NodeTaskLogs(EngineConnection engine)
{
    /// <summary>
    /// The engine's answer to <c>GET /containers/{id}/logs?{query}</c>, headers read and the body still streaming;
    /// null when this node has no container for the task.
    /// </summary>
    public async Task<HttpResponseMessage?> OpenAsync(string taskId, string engineQuery, CancellationToken ct)
    {
        // Task IDs are swarmkit's base-36 identifiers: anything else is no task of ours (and never reaches a URL).
        if (taskId.Length == 0 || !taskId.All(char.IsAsciiLetterOrDigit)) return null;
        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [$"{DockerContainerRuntime.TaskIdLabel}={taskId}"] }));
        string? containerId;
        using (var list = await engine.Http.GetAsync($"/v1.41/containers/json?all=1&filters={filters}", ct))
        {
            list.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await list.Content.ReadAsStreamAsync(ct));
            containerId = json.RootElement.EnumerateArray().Select(c => c.GetProperty("Id").GetString()).FirstOrDefault();
        }
        if (containerId is null) return null;
        var request = new HttpRequestMessage(HttpMethod.Get, $"{engine.DestinationPrefix}/v1.41/containers/{containerId}/logs?{engineQuery}");
        // The invoker has no timeout of its own: a follow lasts as long as the caller wants.
        var response = await engine.Invoker.SendAsync(request, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Removed between the list and the read.
            response.Dispose();
            return null;
        }
        response.EnsureSuccessStatusCode();
        return response;
    }
}
