using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace EventSwarm.Node.Logs;

/// <summary>Where a line came from, as Docker's multiplexed stream numbers it (stdcopy's StdType).</summary>
public enum LogSource : byte
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,

    /// <summary>The daemon's own error in the stream (stdcopy.Systemerr): the docker CLI prints it and exits 1.</summary>
    System = 3,
}

/// <summary>One frame of Docker's multiplexed stream: its stream and its bytes.</summary>
public readonly record struct LogFrame(LogSource Source, byte[] Payload);

/// <summary>
/// One line of a container's log as the engine gives it with <c>timestamps=1&amp;details=1</c>:
/// <c>TIMESTAMP DETAILS DATA</c> (moby api/server/httputils WriteLogStream: the details, then a space, then the line,
/// the timestamp in RFC3339NanoFixed before them). <see cref="Details"/> stays escaped as the engine wrote it.
/// </summary>
public sealed record EngineLogLine(long UnixNanos, string Timestamp, LogSource Source, string Details, byte[] Data);

/// <summary>Docker's wire formats for logs: the multiplexed stream, its timestamps and its details.</summary>
public static class LogWire
{
    /// <summary>stdcopy's frame header: the stream byte, three zero bytes, the payload's length big-endian.</summary>
    public static void WriteHeader(Span<byte> header, LogSource source, int length)
    {
        header[0] = (byte)source;
        header[1] = header[2] = header[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..8], (uint)length);
    }

    /// <summary>One frame, header and payload in one array (one write, one TLS record or socket send).</summary>
    public static byte[] Frame(LogSource source, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[8 + payload.Length];
        WriteHeader(frame, source, payload.Length);
        payload.CopyTo(frame.AsSpan(8));
        return frame;
    }

    /// <summary>The frames of a multiplexed stream until it ends (a truncated last frame is dropped, as stdcopy stops there).</summary>
    public static async IAsyncEnumerable<LogFrame> ReadFramesAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        var header = new byte[8];
        while (true)
        {
            if (!await FillAsync(stream, header, ct)) yield break;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var payload = new byte[length];
            if (!await FillAsync(stream, payload, ct)) yield break;
            yield return new LogFrame((LogSource)header[0], payload);
        }
    }

    /// <summary>A raw (TTY) stream cut into lines, each with its newline; what follows the last newline is a line too.</summary>
    public static async IAsyncEnumerable<LogFrame> ReadLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var pending = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.Write(buffer, start, i + 1 - start);
                yield return new LogFrame(LogSource.Stdout, pending.ToArray());
                pending.SetLength(0);
                start = i + 1;
            }
            pending.Write(buffer, start, read - start);
        }
        if (pending.Length > 0) yield return new LogFrame(LogSource.Stdout, pending.ToArray());
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var at = 0;
        while (at < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(at), ct);
            if (read == 0) return false;
            at += read;
        }
        return true;
    }

    /// <summary>
    /// A frame's payload from the engine, asked with timestamps and details: <c>TS DETAILS DATA</c>, the details empty
    /// (two spaces) when the container has none. Null when it has no timestamp the engine would write.
    /// </summary>
    public static EngineLogLine? ParseEngineLine(LogSource source, byte[] payload)
    {
        var span = payload.AsSpan();
        var first = span.IndexOf((byte)' ');
        if (first < 0) return null;
        var timestamp = Encoding.ASCII.GetString(span[..first]);
        if (ParseTimestamp(timestamp) is not { } nanos) return null;
        var rest = span[(first + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (second < 0) return new EngineLogLine(nanos, timestamp, source, "", rest.ToArray());
        return new EngineLogLine(nanos, timestamp, source, Encoding.ASCII.GetString(rest[..second]), rest[(second + 1)..].ToArray());
    }

    /// <summary>
    /// An RFC 3339 timestamp with up to nine fraction digits (the engine's RFC3339NanoFixed, always UTC here) as
    /// nanoseconds since the Unix epoch; null when it is not one.
    /// </summary>
    public static long? ParseTimestamp(string value)
    {
        if (value.Length < 20 || value[10] != 'T') return null;
        if (!DateTime.TryParseExact(value[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var seconds)) return null;
        var at = 19;
        long fraction = 0;
        var digits = 0;
        if (value[at] == '.')
        {
            at++;
            while (at < value.Length && char.IsAsciiDigit(value[at]))
            {
                if (digits < 9)
                {
                    fraction = fraction * 10 + (value[at] - '0');
                    digits++;
                }
                at++;
            }
            for (var d = digits; d < 9; d++) fraction *= 10;
        }
        var zone = value[at..];
        TimeSpan offset;
        if (zone is "Z" or "z") offset = TimeSpan.Zero;
        else if (zone.Length == 6 && (zone[0] == '+' || zone[0] == '-') && TimeSpan.TryParseExact(zone[1..], "hh\\:mm", CultureInfo.InvariantCulture, out var o))
            offset = zone[0] == '-' ? -o : o;
        else return null;
        var unixSeconds = new DateTimeOffset(seconds, TimeSpan.Zero).ToUnixTimeSeconds() - (long)offset.TotalSeconds;
        return unixSeconds * 1_000_000_000 + fraction;
    }

    /// <summary>Go's RFC3339NanoFixed (<c>2006-01-02T15:04:05.000000000Z07:00</c>) in UTC, as the daemon writes timestamps.</summary>
    public static string FormatTimestamp(long unixNanos)
    {
        var seconds = Math.DivRem(unixNanos, 1_000_000_000, out var nanos);
        if (nanos < 0)
        {
            seconds--;
            nanos += 1_000_000_000;
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + nanos.ToString("D9", CultureInfo.InvariantCulture) + "Z";
    }

    /// <summary>Go's url.QueryEscape: letters, digits and <c>-_.~</c> stay, a space is <c>+</c>, every other byte %XX.</summary>
    public static string QueryEscape(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') builder.Append(c);
            else if (c == ' ') builder.Append('+');
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>Go's url.QueryUnescape (<c>+</c> is a space); null for a malformed escape, as Go fails on it.</summary>
    public static string? QueryUnescape(string value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+') bytes.Add((byte)' ');
            else if (c == '%')
            {
                if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)) return null;
                bytes.Add(b);
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>
    /// moby's attrsByteSlice: the details sorted by key, each <c>key=value</c> query-escaped, joined by commas — what
    /// <c>details=1</c> puts before a line.
    /// </summary>
    public static string FormatDetails(IEnumerable<KeyValuePair<string, string>> details) =>
        string.Join(',', details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{QueryEscape(d.Key)}={QueryEscape(d.Value)}"));

    /// <summary>moby's logdetails parse: comma-separated <c>key=value</c>, each unescaped; null when one is malformed.</summary>
    public static Dictionary<string, string>? ParseDetails(string details)
    {
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        if (details.Length == 0) return parsed;
        foreach (var pair in details.Split(','))
        {
            var equals = pair.IndexOf('=');
            if (equals < 0) return null;
            if (QueryUnescape(pair[..equals]) is not { } key || QueryUnescape(pair[(equals + 1)..]) is not { } value) return null;
            parsed[key] = value;
        }
        return parsed;
    }
}
