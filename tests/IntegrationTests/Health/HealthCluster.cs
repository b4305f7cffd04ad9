using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Health;

/// <summary>
/// One real node in a swarm of its own (a namespace node: its own engine, networking and routing), with an overlay
/// network and an image whose HEALTHCHECK passes 3 s after the container starts (built here FROM busybox, no
/// registry). The tests each create their own uniquely named services.
/// </summary>
public sealed class HealthCluster : IAsyncLifetime
{
    /// <summary>HEALTHCHECK every second on /tmp/healthy, which its command creates 3 s after it starts.</summary>
    public const string LateImage = "eventswarm-health:late";

    public const string Network = "healthnet";

    public NamespaceCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await BuildAsync(LateImage, """
            FROM busybox:latest
            HEALTHCHECK --interval=1s --timeout=1s --retries=3 CMD test -f /tmp/healthy
            CMD ["sh", "-c", "sleep 3; touch /tmp/healthy; exec sleep 3600"]
            """);
        Cluster = await NamespaceCluster.StartJoinedAsync(1);
        await Cluster.LoadImagesAsync(1, LateImage);
        (await Cluster.EventSwarm(1, "network", "create", "-d", "overlay", Network)).ShouldSucceed();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Builds an image on this machine's engine from a Dockerfile in a temporary directory.</summary>
    private static async Task BuildAsync(string tag, string dockerfile)
    {
        var dir = Directory.CreateTempSubdirectory("eventswarm-health-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "Dockerfile"), dockerfile);
            (await CommandResult.RunAsync("docker", ["build", "-q", "-t", tag, dir], new Dictionary<string, string>())).ShouldSucceed();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The service's tasks as the API shows them (every state, history included).</summary>
    public async Task<IReadOnlyList<TaskView>> TasksAsync(string service)
    {
        var filter = Uri.EscapeDataString($"{{\"service\":{{\"{service}\":true}}}}");
        var result = await CommandResult.RunAsync("curl", ["-sf", "--max-time", "5", "--unix-socket", "/run/eventswarm-cluster/n1/eventswarm.sock",
            $"http://node/tasks?filters={filter}"], new Dictionary<string, string>());
        using var json = JsonDocument.Parse(result.ShouldSucceed().Output);
        return [.. json.RootElement.EnumerateArray().Select(TaskView.Of)];
    }

    /// <summary>When the node's engine started the container.</summary>
    public async Task<DateTimeOffset> StartedAtAsync(string containerId) =>
        DateTimeOffset.Parse((await Cluster.Engine(1, "inspect", "-f", "{{.State.StartedAt}}", containerId)).ShouldSucceed().Output.Trim(),
            System.Globalization.CultureInfo.InvariantCulture);

    public Task<CommandResult> Inspect(string containerId, string format) => Cluster.Engine(1, "inspect", "-f", format, containerId);
}

public sealed record TaskView(string Id, long Slot, string State, string DesiredState, DateTimeOffset Timestamp, string Message, string Error, string ContainerId)
{
    public static TaskView Of(JsonElement task)
    {
        var status = task.GetProperty("Status");
        return new TaskView(
            task.GetProperty("ID").GetString()!,
            task.TryGetProperty("Slot", out var slot) ? slot.GetInt64() : 0,
            status.GetProperty("State").GetString()!,
            task.GetProperty("DesiredState").GetString()!,
            status.GetProperty("Timestamp").GetDateTimeOffset(),
            status.TryGetProperty("Message", out var message) ? message.GetString() ?? "" : "",
            status.TryGetProperty("Err", out var err) ? err.GetString() ?? "" : "",
            status.TryGetProperty("ContainerStatus", out var container) && container.ValueKind == JsonValueKind.Object
                && container.TryGetProperty("ContainerID", out var id) ? id.GetString() ?? "" : "");
    }
}
