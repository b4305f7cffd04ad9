using System.Globalization;
using EventSwarm.Application;

namespace EventSwarm.Node.Logs;

/// <summary>
/// What <c>GET /services/{id}/logs</c> and <c>/tasks/{id}/logs</c> take (Docker's ContainerLogsOptions as the swarm
/// router reads them). <see cref="Tail"/> is lines per task, null for all; <see cref="SinceUnixNanos"/> null for
/// the beginning.
/// </summary>
public sealed record ServiceLogOptions(
    bool Follow = false,
    int? Tail = null,
    long? SinceUnixNanos = null,
    bool Timestamps = false,
    bool Details = false,
    bool Stdout = true,
    bool Stderr = true)
{
    /// <summary>
    /// The query as dockerd reads it: booleans by httputils.BoolValue ("", 0, no, false, none are false), tail and
    /// since by the swarm backend's rules, with its words for a bad value (moby daemon/cluster ServiceLogs).
    /// </summary>
    public static ServiceLogOptions FromQuery(Func<string, string?> query)
    {
        var stdout = Bool(query("stdout"));
        var stderr = Bool(query("stderr"));
        // moby api/server/router/swarm/helpers.go swarmLogs, checked before the stream starts.
        if (!stdout && !stderr) throw new BadRequestException("Bad parameters: you must choose at least one stream");
        return new ServiceLogOptions(Bool(query("follow")), ParseTail(query("tail")), ParseSince(query("since")), Bool(query("timestamps")), Bool(query("details")), stdout, stderr);
    }

    /// <summary>httputils.BoolValue.</summary>
    public static bool Bool(string? value) =>
        value?.Trim().ToLowerInvariant() is not (null or "" or "0" or "no" or "false" or "none");

    /// <summary>"all" or nothing is every line; N the last N lines of each task (0: none, as Swarm's tail of -(N+1)).</summary>
    public static int? ParseTail(string? value)
    {
        if (value is null or "" or "all") return null;
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tail))
            throw new BadRequestException("tail value must be a positive integer or \"all\"");
        if (tail < 0) throw new BadRequestException("negative tail values not supported");
        return tail;
    }

    /// <summary>The API's since: Unix seconds with an optional fraction (timetypes.ParseTimestamps); 0 or nothing is no bound.</summary>
    public static long? ParseSince(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var parts = value.Split('.', 2);
        if (!long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            throw new BadRequestException($"invalid value for since: '{value}' is not Unix seconds[.nanoseconds]");
        long nanos = 0;
        if (parts.Length == 2)
        {
            var fraction = parts[1];
            if (fraction.Length == 0 || fraction.Length > 9 || !fraction.All(char.IsAsciiDigit))
                throw new BadRequestException($"invalid value for since: '{value}' is not Unix seconds[.nanoseconds]");
            nanos = long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        }
        if (seconds == 0 && nanos == 0) return null;
        return seconds * 1_000_000_000 + nanos;
    }

    /// <summary>The same options as the engine's query for one container, timestamps and details always on (the merge needs them).</summary>
    public string EngineQuery(bool follow) =>
        $"stdout={(Stdout ? 1 : 0)}&stderr={(Stderr ? 1 : 0)}&timestamps=1&details=1&follow={(follow ? 1 : 0)}"
        + $"&tail={(Tail is { } t ? t.ToString(CultureInfo.InvariantCulture) : "all")}"
        + (SinceUnixNanos is { } s ? $"&since={s / 1_000_000_000}.{s % 1_000_000_000:D9}" : "");

    /// <summary>
    /// docker's client-side since (cli timetypes.GetTimestamp): a duration ("42m", "1h30m") before
    /// <paramref name="now"/>, an RFC 3339 time or date (local when it names no zone), or Unix seconds as they are;
    /// sent as <c>seconds.nanoseconds</c>. Null with the reason when it is none of those.
    /// </summary>
    public static string SinceArgument(string value, DateTimeOffset now, out string? error)
    {
        error = null;
        if (value != "0" && ParseGoDuration(value) is { } duration)
            return (now - duration).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (value.Contains('-'))
        {
            // A full RFC 3339 time with its zone keeps all nine digits (the docker CLI's own timestamps, from -t).
            if (LogWire.ParseTimestamp(value) is { } exact)
                return $"{Math.DivRem(exact, 1_000_000_000, out var nanos)}.{nanos:D9}";
            var styles = DateTimeStyles.AllowWhiteSpaces | (value.IndexOfAny(['Z', 'z', '+']) >= 0 || value.Count(c => c == '-') == 3 ? DateTimeStyles.AdjustToUniversal : DateTimeStyles.AssumeLocal);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, styles, out var at) && value.Length >= 10)
            {
                var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
                return $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}";
            }
            error = $"parsing time \"{value}\": not an RFC 3339 time or date";
            return "";
        }
        var parts = value.Split('.', 2);
        if (long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            && (parts.Length == 1 || long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return value;
        error = $"failed to parse value as time or duration: \"{value}\"";
        return "";
    }

    /// <summary>Go's time.ParseDuration: signed decimal numbers each with a unit (ns, us, µs, ms, s, m, h); null if not one.</summary>
    public static TimeSpan? ParseGoDuration(string value)
    {
        var at = 0;
        var negative = false;
        if (at < value.Length && value[at] is '+' or '-') negative = value[at++] == '-';
        if (at == value.Length) return null;
        if (value[at..] == "0") return TimeSpan.Zero;
        double total = 0;
        while (at < value.Length)
        {
            var start = at;
            while (at < value.Length && (char.IsAsciiDigit(value[at]) || value[at] == '.')) at++;
            if (at == start || !double.TryParse(value[start..at], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return null;
            var unitStart = at;
            while (at < value.Length && !char.IsAsciiDigit(value[at]) && value[at] != '.') at++;
            double? nanos = value[unitStart..at] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                _ => null,
            };
            if (nanos is null) return null;
            total += number * nanos.Value;
        }
        var span = TimeSpan.FromTicks((long)(total / 100));
        return negative ? -span : span;
    }
}
