using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSwarm.Node.Api.History;

namespace EventSwarm.Node.Cli.History;

/// <summary>
/// <c>diff --from T1 [--to T2] [--format json]</c>, beyond docker: what changed in the swarm between two instants of
/// its history (T2 is now when not given), object by object, grouped by kind: "+" added, "-" removed, "~" changed
/// with the fields that did ("replicas 1 → 3").
/// </summary>
public sealed class DiffCommand : Verb
{
    private static readonly string[] Kinds = ["service", "task", "node", "network", "secret", "config", "stack"];

    private readonly Option<string> _from = Flags.String("--from", "The earlier instant: a log index, a time (2026-11-27T10:02:00Z) or a duration before now (-10m)", "string");
    private readonly Option<string> _to = Flags.String("--to", "The later instant (default: now)", "string");
    private readonly Option<string> _format = Flags.String("--format", "Print as text (default) or as \"json\"", "string");

    public DiffCommand() : base("diff", "--from TIME [--to TIME] [OPTIONS]", "Show what changed in the swarm between two instants")
    {
        Options.Add(_from);
        Options.Add(_to);
        Options.Add(_format);
    }

    /// <summary>The request for this line: durations turned into times here, once, as for the global --at.</summary>
    public string Route(ParseResult result, DateTimeOffset now)
    {
        var from = result.Value(_from) is { Length: > 0 } f ? PastInstant.Instant(f, "--from", now)
            : throw new UsageException("--from: the instant to compare from is required (a log index, a time, or a duration before now such as -10m)");
        var format = result.Value(_format);
        if (format is not (null or "" or "json" or "text"))
            throw new UsageException($"--format: '{format}' is not a format here: \"json\", or nothing for text");
        var path = $"/eventswarm/v1/diff?from={Uri.EscapeDataString(from)}";
        return result.Value(_to) is { Length: > 0 } t ? $"{path}&to={Uri.EscapeDataString(PastInstant.Instant(t, "--to", now))}" : path;
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var json = await context.SendAsync(HttpMethod.Get, Route(result, DateTimeOffset.UtcNow));
        if (result.Value(_format) == "json")
        {
            using var document = JsonDocument.Parse(json);
            CliApp.PrintJson(context.Out, document.RootElement);
            return 0;
        }
        Write(JsonSerializer.Deserialize<DiffJson>(json, Api.DockerJson.Options)!, context.Out);
        return 0;
    }

    /// <summary>The text: where the two instants fell in the log, then each kind's lines under its name.</summary>
    public static void Write(DiffJson diff, TextWriter output)
    {
        output.WriteLine($"From index {diff.From.Index} ({Time(diff.From.At)}) to index {diff.To.Index} ({Time(diff.To.At)})");
        if (diff.Changes.Count == 0)
        {
            output.WriteLine("No changes");
            return;
        }
        foreach (var kind in Kinds.Concat(diff.Changes.Select(c => c.Kind).Except(Kinds)))
        {
            var lines = diff.Changes.Where(c => c.Kind == kind).ToList();
            if (lines.Count == 0) continue;
            output.WriteLine();
            output.WriteLine($"{char.ToUpperInvariant(kind[0])}{kind[1..]}s:");
            foreach (var change in lines) output.WriteLine($"  {change.Line}");
        }
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "no event";
}
