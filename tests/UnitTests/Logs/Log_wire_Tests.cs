extern alias node;
using System.Text;
using node::EventSwarm.Node.Logs;

namespace EventSwarm.UnitTests.Logs;

/// <summary>Docker's log wire formats: the multiplexed stream, the engine's timestamped and detailed lines, the details' escaping.</summary>
public sealed class Log_wire_Tests
{
    [Fact]
    public async Task A_multiplexed_stream_is_read_back_frame_by_frame()
    {
        var stream = new MemoryStream([.. LogWire.Frame(LogSource.Stdout, "one\n"u8), .. LogWire.Frame(LogSource.Stderr, "two\n"u8), .. LogWire.Frame(LogSource.Stdout, "cut"u8)[..9]]);
        var frames = new List<LogFrame>();
        await foreach (var frame in LogWire.ReadFramesAsync(stream, CancellationToken.None)) frames.Add(frame);
        Assert.Equal([(LogSource.Stdout, "one\n"), (LogSource.Stderr, "two\n")], frames.Select(f => (f.Source, Encoding.UTF8.GetString(f.Payload))));
    }

    [Fact]
    public void A_frame_header_is_the_stream_three_zeros_and_the_length_big_endian()
    {
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 1, 0 }, LogWire.Frame(LogSource.Stderr, new byte[256])[..8]);
    }

    [Fact]
    public async Task A_tty_stream_is_cut_into_lines_that_keep_their_newline()
    {
        var lines = new List<string>();
        await foreach (var frame in LogWire.ReadLinesAsync(new MemoryStream("a\nbb\nccc"u8.ToArray()), CancellationToken.None)) lines.Add(Encoding.UTF8.GetString(frame.Payload));
        Assert.Equal(["a\n", "bb\n", "ccc"], lines);
    }

    [Fact]
    public void An_engine_line_gives_its_timestamp_details_and_data()
    {
        var line = LogWire.ParseEngineLine(LogSource.Stdout, "2026-11-28T16:20:22.123456789Z env=a%2Cb hello world\n"u8.ToArray())!;
        Assert.Equal(("2026-11-28T16:20:22.123456789Z", "env=a%2Cb", "hello world\n"), (line.Timestamp, line.Details, Encoding.UTF8.GetString(line.Data)));
        Assert.Equal(1795882822123456789L, line.UnixNanos);
        var bare = LogWire.ParseEngineLine(LogSource.Stderr, "2026-11-28T16:20:22.1Z  x y\n"u8.ToArray())!;
        Assert.Equal(("", "x y\n"), (bare.Details, Encoding.UTF8.GetString(bare.Data)));
        Assert.Null(LogWire.ParseEngineLine(LogSource.Stdout, "no timestamp here\n"u8.ToArray()));
    }

    [Fact]
    public void Timestamps_are_written_as_RFC3339NanoFixed_in_UTC()
    {
        Assert.Equal("2026-11-28T16:20:22.000000005Z", LogWire.FormatTimestamp(1795882822000000005L));
        Assert.Equal(LogWire.ParseTimestamp("2026-11-28T17:20:22.5+01:00"), LogWire.ParseTimestamp("2026-11-28T16:20:22.500000000Z"));
    }

    [Fact]
    public void Details_are_sorted_by_key_and_query_escaped_as_Go_escapes_them()
    {
        Assert.Equal("a=x+y%2Cz,com.docker.swarm.task.id=abc~_-.", LogWire.FormatDetails([new("com.docker.swarm.task.id", "abc~_-."), new("a", "x y,z")]));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "x y,z", ["b"] = "" }, LogWire.ParseDetails("a=x+y%2Cz,b="));
        Assert.Null(LogWire.ParseDetails("a=%zz"));
    }
}
