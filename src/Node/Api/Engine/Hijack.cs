using System.Buffers;
using System.Net.Sockets;
using System.Text;
using EventSwarm.Application;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventSwarm.Node.Api.Engine;

/// <summary>
/// Docker's hijacked streams: `docker attach` and `docker run` send <c>POST /containers/{id}/attach</c>, `docker
/// exec` sends <c>POST /exec/{id}/start</c> with a JSON body, both with <c>Connection: Upgrade</c>, <c>Upgrade: tcp</c>;
/// dockerd answers <c>101</c> and the connection then carries stdin one way and the output the other, each closed
/// on its own (the CLI shuts its sending side down when stdin ends and reads the output on). The request goes to
/// the engine on a connection of its own. Without a body Kestrel upgrades the client's connection; with one
/// (Kestrel, since .NET 6, serves an upgrade offered with a body as a plain request) the engine's 101 goes as the
/// response, which Kestrel never chunks, and stdin is read off the connection after the body. The forwarder is not
/// used for either: it ends both directions of an upgraded stream as soon as one ends.
/// </summary>
internal static class Hijack
{
    private const int MaxBody = 1 << 20;
    private const int MaxHead = 64 << 10;
    private static readonly string[] HopByHop = ["Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer"];

    /// <summary>
    /// An upgrade the client asked for (attach, exec start). Also those Kestrel would upgrade (no body): Docker's
    /// streams close one way at a time (the CLI's stdin ends, the output goes on), where a forwarder of WebSockets
    /// ends both directions when one ends.
    /// </summary>
    public static bool IsNeeded(HttpContext context) => context.Request.Headers.Upgrade.Count > 0;

    public static async Task RunAsync(HttpContext context, EngineConnection engine, ILogger logger)
    {
        var ct = context.RequestAborted;
        var body = await ReadBodyAsync(context.Request, ct);
        Socket socket;
        try
        {
            socket = await engine.ConnectAsync(ct);
        }
        catch (EngineUnreachableException e)
        {
            await ApiErrors.WriteAsync(context, 500, e.Message);
            return;
        }
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        // From here on not RequestAborted: the CLI closes its sending side at once when it has no stdin to send
        // (`docker exec ctr echo hi`), which Kestrel takes for a client that went away; the output must still come.
        // The stream ends when the engine ends it, or when writing to the client fails.
        await stream.WriteAsync(Head(context.Request, body.Length), CancellationToken.None);
        await stream.WriteAsync(body, CancellationToken.None);
        var (status, headers, rest) = await ReadHeadAsync(stream, CancellationToken.None);
        if (status != StatusCodes.Status101SwitchingProtocols)
        {
            await RelayPlainAsync(context, status, headers, rest, stream, CancellationToken.None);
            return;
        }

        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) context.Response.Headers.Append(name, value);

        // The client's half-close is stdin's end from here on, not the connection's (see HalfClose); Kestrel ends
        // the connection itself once the answer is written (no keep-alive after a 101).
        context.Features.Get<HijackedConnectionFeature>()?.Begin();
        using var stop = new CancellationTokenSource();
        Stream toClient;
        Task stdin;
        System.IO.Pipelines.PipeReader? transportInput = null;
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            // No body (attach): a real upgrade; Kestrel answers 101 with the engine's headers.
            toClient = await upgrade.UpgradeAsync();
            stdin = CopyStdinAsync(toClient, socket, stop.Token);
        }
        else
        {
            // A body (exec start): the 101 goes as the response, what follows the body is read off the connection.
            toClient = context.Response.Body;
            await toClient.FlushAsync(CancellationToken.None);
            transportInput = context.Features.Get<IConnectionTransportFeature>()?.Transport.Input;
            stdin = transportInput is null ? Task.CompletedTask : CopyStdinAsync(transportInput, socket, stop.Token);
        }
        try
        {
            // A short-lived exec's whole output often comes in the same read as the engine's 101: it must be
            // flushed like the rest, before the answer completes and a half-close held back meanwhile goes through.
            if (rest.Length > 0)
            {
                await toClient.WriteAsync(rest, CancellationToken.None);
                await toClient.FlushAsync(CancellationToken.None);
            }
            var buffer = ArrayPool<byte>.Shared.Rent(16 << 10);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
                {
                    await toClient.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                    await toClient.FlushAsync(CancellationToken.None);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or InvalidOperationException)
        {
            logger.LogDebug(e, "hijacked stream {Path} ended", context.Request.Path);
        }
        finally
        {
            await stop.CancelAsync();
            transportInput?.CancelPendingRead();
            try { await stdin; } catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or InvalidOperationException) { }
        }
    }

    /// <summary>What the client writes after the request (stdin), until it closes its side; then the engine's stdin closes too.</summary>
    private static async Task CopyStdinAsync(Stream input, Socket engine, CancellationToken ct)
    {
        var buffer = new byte[16 << 10];
        int read;
        while ((read = await input.ReadAsync(buffer, ct)) > 0)
            await engine.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
        engine.Shutdown(SocketShutdown.Send);
    }

    private static async Task CopyStdinAsync(System.IO.Pipelines.PipeReader input, Socket engine, CancellationToken ct)
    {
        while (true)
        {
            var result = await input.ReadAsync(ct);
            if (result.IsCanceled) return;
            foreach (var segment in result.Buffer) await engine.SendAsync(segment, SocketFlags.None, ct);
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        engine.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBody) throw new BadRequestException("request body too large");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static byte[] Head(HttpRequest request, int bodyLength)
    {
        var head = new StringBuilder();
        head.Append(request.Method).Append(' ').Append(EnginePassThrough.PathAndQuery(request)).Append(" HTTP/1.1\r\nHost: docker\r\n");
        foreach (var (name, values) in request.Headers)
        {
            if (name is "Host" or "Content-Length" or "Transfer-Encoding") continue;
            foreach (var value in values) head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        head.Append("Content-Length: ").Append(bodyLength).Append("\r\n\r\n");
        return Encoding.Latin1.GetBytes(head.ToString());
    }

    private static async Task<(int Status, List<(string Name, string Value)> Headers, byte[] Leftover)> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxHead];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) throw new IOException("the Docker Engine closed the connection before it answered");
            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                if (length == buffer.Length) throw new IOException("the Docker Engine's answer has an oversized head");
                continue;
            }
            var lines = Encoding.Latin1.GetString(buffer, 0, end).Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1]);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0].Trim(), p[1].Trim())).ToList();
            return (status, headers, buffer[(end + 4)..length]);
        }
    }

    /// <summary>The engine refused (no such container, not running…): an ordinary answer, relayed as one.</summary>
    private static async Task RelayPlainAsync(HttpContext context, int status, List<(string Name, string Value)> headers, byte[] rest, Stream stream, CancellationToken ct)
    {
        context.Response.StatusCode = status;
        long? length = null;
        var chunked = false;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value);
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            if (!HopByHop.Contains(name, StringComparer.OrdinalIgnoreCase)) context.Response.Headers.Append(name, value);
        }
        var source = new ConcatenatedStream(rest, stream);
        if (chunked)
            await Dechunk(source, context.Response.Body, ct);
        else if (length is { } n)
            await CopyExactlyAsync(source, context.Response.Body, n, ct);
        else
            await source.CopyToAsync(context.Response.Body, ct);
    }

    private static async Task CopyExactlyAsync(Stream source, Stream target, long count, CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
            if (read == 0) break;
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
            count -= read;
        }
    }

    private static async Task Dechunk(Stream source, Stream target, CancellationToken ct)
    {
        while (true)
        {
            var sizeLine = await ReadLineAsync(source, ct);
            var size = Convert.ToInt64(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0) return;
            await CopyExactlyAsync(source, target, size, ct);
            await ReadLineAsync(source, ct);
        }
    }

    private static async Task<string> ReadLineAsync(Stream source, CancellationToken ct)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await source.ReadAsync(one, ct) == 1 && one[0] != '\n')
            if (one[0] != '\r') line.Append((char)one[0]);
        return line.ToString();
    }

    /// <summary>What was read past the head, then the rest of the connection.</summary>
    private sealed class ConcatenatedStream(byte[] first, Stream then) : Stream
    {
        private int _offset;

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_offset >= first.Length) return await then.ReadAsync(buffer, cancellationToken);
            var n = Math.Min(buffer.Length, first.Length - _offset);
            first.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
