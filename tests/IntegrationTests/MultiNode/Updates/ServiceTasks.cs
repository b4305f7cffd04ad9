using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode.Updates;

/// <summary>One task of a service as the API lists it: the slot it fills, its image, where it stands and is wanted.</summary>
public sealed record ServiceTask(string Id, int Slot, string Image, string State, string DesiredState, string NodeId)
{
    public bool IsRunning => State == "running";

    /// <summary>
    /// A node's answer to GET /tasks for the service (curl over its socket), or null when it does not answer, e.g.
    /// while it has no leader to read from.
    /// </summary>
    public static async Task<IReadOnlyList<ServiceTask>?> ListAsync(int node, string service)
    {
        var filters = Uri.EscapeDataString($"{{\"service\":{{\"{service}\":true}}}}");
        var result = await CommandResult.RunAsync("curl", ["-sf", "--max-time", "5", "--unix-socket", $"/run/eventswarm-cluster/n{node}/eventswarm.sock",
            $"http://node/tasks?filters={filters}"], new Dictionary<string, string>());
        if (result.ExitCode != 0) return null;
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.EnumerateArray().Select(t => new ServiceTask(
            t.GetProperty("ID").GetString()!,
            t.TryGetProperty("Slot", out var slot) && slot.ValueKind == JsonValueKind.Number ? slot.GetInt32() : 0,
            t.GetProperty("Spec").GetProperty("ContainerSpec").GetProperty("Image").GetString()!,
            t.GetProperty("Status").GetProperty("State").GetString()!,
            t.GetProperty("DesiredState").GetString()!,
            t.TryGetProperty("NodeID", out var nodeId) ? nodeId.GetString() ?? "" : "")).ToList();
    }

    /// <summary>The service's UpdateStatus.State as a node's `service inspect` shows it ("" when it has none).</summary>
    public static async Task<string> UpdateStateAsync(NamespaceCluster cluster, int node, string service)
    {
        var result = await cluster.Docker(node, "service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", service);
        return result.ExitCode == 0 ? result.Output.Trim() : $"(inspect failed: {result.Error.Trim()})";
    }

    /// <summary>Slot by slot, for a failure message: "1: running python-hello-world:2.0, shutdown python-hello-world:1.0; 2: …".</summary>
    public static string Describe(IEnumerable<ServiceTask> tasks) =>
        string.Join("; ", tasks.GroupBy(t => t.Slot).OrderBy(g => g.Key)
            .Select(g => $"{g.Key}: " + string.Join(", ", g.Select(t => $"{t.State}/{t.DesiredState} {t.Image} on {t.NodeId[..Math.Min(6, t.NodeId.Length)]}"))));
}
