using System.Globalization;
using System.Text.RegularExpressions;

namespace EventSwarm.Node.Cli;

/// <summary>Go's duration and docker's byte-size syntax, and docker's "N seconds ago" wording.</summary>
public static partial class Units
{
    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex DurationPart();

    /// <summary>Go's time.ParseDuration (<c>1h30m</c>, <c>500ms</c>, <c>0</c>); null when the text is not one.</summary>
    public static TimeSpan? TryParseDuration(string text)
    {
        if (text == "0") return TimeSpan.Zero;
        var matches = DurationPart().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text) return null;
        var ticks = 0.0;
        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += m.Groups[2].Value switch
            {
                "ns" => n / 100,
                "us" or "µs" => n * 10,
                "ms" => n * TimeSpan.TicksPerMillisecond,
                "s" => n * TimeSpan.TicksPerSecond,
                "m" => n * TimeSpan.TicksPerMinute,
                _ => n * TimeSpan.TicksPerHour,
            };
        }
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Go's time.ParseDuration with its sign: docker's --update-delay, --update-monitor, --restart-delay … take
    /// <c>-1s</c> and leave a negative value to the manager to refuse, as Swarm does.
    /// </summary>
    public static TimeSpan? TryParseSignedDuration(string text) => text switch
    {
        ['-', .. var rest] => -TryParseDuration(rest),
        ['+', .. var rest] => TryParseDuration(rest),
        _ => TryParseDuration(text),
    };

    /// <summary>docker's RAMInBytes (<c>64M</c>, <c>1.5g</c>, <c>512</c>); null when the text is not a size.</summary>
    public static long? TryParseBytes(string text)
    {
        var m = Regex.Match(text, @"^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)[bB]?$");
        if (!m.Success) return null;
        var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var factor = m.Groups[2].Value.ToLowerInvariant() switch { "k" => 1L << 10, "m" => 1L << 20, "g" => 1L << 30, "t" => 1L << 40, _ => 1L };
        return (long)(n * factor);
    }

    /// <summary>Go's time.Duration.String, as docker prints a duration: <c>0s</c>, <c>500ms</c>, <c>5s</c>, <c>1m30s</c>, <c>1h0m0s</c>.</summary>
    public static string GoDuration(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        if (d < TimeSpan.Zero) return "-" + GoDuration(-d);
        static string Number(double n) => n.ToString("0.#########", CultureInfo.InvariantCulture);
        if (d < TimeSpan.FromSeconds(1))
            return d.Ticks >= TimeSpan.TicksPerMillisecond ? $"{Number(d.TotalMilliseconds)}ms" : $"{Number(d.Ticks / 10.0)}µs";
        var seconds = Number(d.TotalSeconds % 60);
        var hours = (long)d.TotalHours;
        return hours > 0 ? $"{hours}h{d.Minutes}m{seconds}s" : d.Minutes > 0 ? $"{d.Minutes}m{seconds}s" : $"{seconds}s";
    }

    /// <summary>docker's units.HumanDuration, as in "Running 17 seconds ago".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1) return "less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return $"{seconds} seconds";
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return $"{minutes} minutes";
        var hours = (long)Math.Round(d.TotalHours);
        if (hours == 1) return "About an hour";
        if (hours < 48) return $"{hours} hours";
        if (hours < 24 * 7 * 2) return $"{hours / 24} days";
        if (hours < 24 * 30 * 2) return $"{hours / 24 / 7} weeks";
        if (hours < 24 * 365 * 2) return $"{hours / 24 / 30} months";
        return $"{hours / 24 / 365} years";
    }
}
