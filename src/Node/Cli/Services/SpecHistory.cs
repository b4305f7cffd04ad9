using System.Text.Json;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// One version of a service's spec as <c>GET /eventswarm/v1/services/{id}/history</c> answers it: Swarm keeps one
/// PreviousSpec, EventSwarm's log keeps every spec, with who changed it, when, by which command and what changed.
/// </summary>
/// <param name="Spec">The Engine API ServiceSpec of that version, kept as the manager sent it, so that it prints unaltered.</param>
public sealed record SpecHistoryEntry(long Version, DateTimeOffset At, string? Who, string? Command, long? SpecVersion, IReadOnlyList<string>? Changes, JsonElement Spec);

/// <summary>The history endpoint, as <c>service history</c> reads it.</summary>
public static class SpecHistory
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static async Task<IReadOnlyList<SpecHistoryEntry>> ReadAsync(CliContext context, string serviceId) =>
        Parse(await context.SendAsync(HttpMethod.Get, $"/eventswarm/v1/services/{Uri.EscapeDataString(serviceId)}/history"));

    public static IReadOnlyList<SpecHistoryEntry> Parse(string json) => JsonSerializer.Deserialize<List<SpecHistoryEntry>>(json, Options) ?? [];

    /// <summary>Version <paramref name="version"/> of the history, or the refusal naming what is missing.</summary>
    public static SpecHistoryEntry Find(IReadOnlyList<SpecHistoryEntry> history, string service, ulong version) =>
        history.FirstOrDefault(e => e.Version == (long)version)
        ?? throw new UsageException($"service {service} has no version {version} in its history");
}
