using System.Globalization;
using System.Text.RegularExpressions;
using EventSwarm.Application.Log;

namespace EventSwarm.Application.History;

/// <summary>
/// An instant of the cluster's history as an operator names it: a log index ("1234", the sequence of an event),
/// a time ("2026-11-27T10:02:00Z", or unix seconds with a fraction as docker sends them, "1764237720.5"), or a
/// duration before now ("-10m", "10m", "1h30m": Docker's `--since 10m` means ten minutes ago). A plain integer is
/// always an index: times are written with a date or a fraction.
/// </summary>
public abstract partial record PointInHistory
{
    public sealed record AtIndex(long Sequence) : PointInHistory;

    public sealed record AtTime(DateTimeOffset Time) : PointInHistory;

    /// <summary>Parses <paramref name="text"/>; <paramref name="what"/> names the option in the error ("--at").</summary>
    public static PointInHistory Parse(string text, DateTimeOffset now, string what)
    {
        var value = text.Trim();
        if (value.Length == 0) throw new BadRequestException($"{what}: an instant is expected (a log index, a time such as 2026-11-27T10:02:00Z, or a duration before now such as -10m)");
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return new AtIndex(index);
        if (UnixSeconds().IsMatch(value) && decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            return new AtTime(DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((long)(seconds * TimeSpan.TicksPerSecond)));
        if (TryParseDuration(value.TrimStart('-'), out var ago)) return new AtTime(now - ago);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)) return new AtTime(time);
        throw new BadRequestException($"{what}: '{text}' is not an instant: a log index (1234), a time (2026-11-27T10:02:00Z or unix seconds such as 1764237720.5) or a duration before now (-10m, 1h30m) is expected");
    }

    /// <summary>
    /// The log index this instant stands for in <paramref name="history"/>: the last event at or before it.
    /// An instant before the first event, after the last index or in the future is refused, naming the range held.
    /// </summary>
    public long Resolve(IEventHistory history, DateTimeOffset now, string what)
    {
        if (history.LastSequence == 0) throw new BadRequestException($"{what}: the history is empty: no event has been committed yet");
        var range = $"the history held here runs from index {history.FirstSequence} ({Format(history.FirstAt)}) to index {history.LastSequence}";
        switch (this)
        {
            case AtIndex { Sequence: var sequence }:
                if (sequence < history.FirstSequence) throw new BadRequestException($"{what}: index {sequence} is before the first event held: {range}");
                if (sequence > history.LastSequence) throw new BadRequestException($"{what}: index {sequence} is after the last event: {range}");
                return sequence;
            case AtTime { Time: var time }:
                // A second of tolerance: a client's clock a little ahead of the manager's still means "now".
                if (time > now + TimeSpan.FromSeconds(1)) throw new BadRequestException($"{what}: {Format(time)} is in the future (it is {Format(now)} on this manager)");
                if (history.FirstAt is { } first && time < first) throw new BadRequestException($"{what}: {Format(time)} is before the first event: {range}");
                return Math.Max(history.SequenceAt(time), history.FirstSequence);
            default:
                throw new InvalidOperationException(GetType().Name);
        }
    }

    /// <summary>Go's duration syntax as docker takes it: "10m", "1h30m", "90s", "1.5h", "500ms".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = GoDuration().Match(text);
        if (!match.Success || text.Length == 0) return false;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = Regex.Match(part.Value, "[a-zµ]+$").Value;
            var number = double.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
            duration += unit switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                "us" or "µs" => TimeSpan.FromMicroseconds(number),
                _ => TimeSpan.FromTicks((long)(number / 100)),
            };
        }
        return true;
    }

    private static string Format(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "no event";

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex UnixSeconds();

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$")]
    private static partial Regex GoDuration();
}
