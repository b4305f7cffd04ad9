using System.Globalization;
using System.Text;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Node.Api.Engine;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Api.Events;

/// <summary>
/// The Engine's <c>GET /events</c> on a manager: the swarm's events come from the log's history (every one since the
/// swarm was created, after any restart, where dockerd keeps 256 in memory), the node's own (containers, images,
/// volumes, local networks) from its engine. The filters choose the sources: only local scope or types → the engine's
/// answer passed through as before; only swarm → the history alone; otherwise both, merged.
/// On a worker (or outside a swarm) only the engine answers, as dockerd's swarm events are a manager's.
/// </summary>
public static class DockerEventsEndpoint
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(WebApplication app) => app.MapGet("/events", HandleAsync);

    /// <summary>What the request asks, checked before anything is written: Docker's words for each mistake.</summary>
    public sealed record Request(DateTimeOffset? Since, DateTimeOffset? Until, EventFilter Filter)
    {
        public static Request Parse(string? since, string? until, string? filters)
        {
            var from = DockerTimestamp.Parse(since, "since");
            var to = DockerTimestamp.Parse(until, "until");
            if (to is { } end && from is { } start && end < start)
                throw new BadRequestException($"`since` time ({since}) cannot be after `until` time ({until})");
            return new Request(from, to, EventFilter.Parse(filters));
        }

        /// <summary>The first log index a stream starts at: since's instant on; everything when only until is given; else only what comes.</summary>
        public long FirstSequence(IEventHistory history) =>
            Since is { } since ? (history.FirstAt is not { } first || since <= first ? history.FirstSequence : history.SequenceAt(since.AddTicks(-1)) + 1)
            : Until is not null ? history.FirstSequence
            : history.LastSequence + 1;

        public bool Includes(EngineEventMessage message) =>
            (Since is not { } since || message.TimeNano >= EngineEventMessage.NanosOf(since))
            && (Until is not { } until || message.TimeNano <= EngineEventMessage.NanosOf(until))
            && Filter.Includes(message);
    }

    private static async Task HandleAsync(HttpContext context, ClusterProjection projection, Membership membership, EnginePassThrough engine,
        EngineConnection connection, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        var request = Request.Parse(query["since"], query["until"], query["filters"]);
        var manager = !membership.IsWorker && projection.Current.Swarm is not null;
        var swarm = manager && request.Filter.WantsSwarm;
        // The engine is reachable from the unix socket only; other nodes never see this node's containers.
        var local = context.Connection.LocalIpAddress is null && request.Filter.WantsLocal;
        if (!swarm && local)
        {
            await engine.ForwardAsync(context);
            return;
        }
        var history = LogEvents.HistoryOf(context, projection);
        var ct = context.RequestAborted;
        HttpResponseMessage? engineAnswer = null;
        if (local)
        {
            try
            {
                engineAnswer = await OpenEngineEventsAsync(context, connection, ct);
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or EngineUnreachableException)
            {
                // The swarm's events are still worth having without the node's own.
                loggers.CreateLogger(typeof(DockerEventsEndpoint)).LogWarning(e, "the engine's events are unavailable; serving the swarm's only");
            }
            if (engineAnswer is { IsSuccessStatusCode: false })
            {
                context.Response.StatusCode = (int)engineAnswer.StatusCode;
                context.Response.ContentType = ApiErrors.ErrorContentType;
                await engineAnswer.Content.CopyToAsync(context.Response.Body, ct);
                engineAnswer.Dispose();
                return;
            }
        }
        using var _ = engineAnswer;
        // dockerd answers 200 at once and flushes the head: `docker events` shows nothing until it has it.
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync(ct);
        var output = new EventWriter(context.Response.Body);
        var now = DateTimeOffset.UtcNow;
        var onlyPast = request.Until is { } until && until < now;
        var swarmEvents = swarm ? SwarmMessagesAsync(history, request, ct) : Empty();
        var engineEvents = engineAnswer is not null ? EngineMessagesAsync(engineAnswer, ct) : Empty();
        try
        {
            if (onlyPast)
            {
                // Both sources end by themselves; the client reads one history, in time order.
                var all = new List<(long TimeNano, byte[] Line)>();
                await foreach (var line in swarmEvents) all.Add(line);
                await foreach (var line in engineEvents) all.Add(line);
                foreach (var (_, line) in all.OrderBy(l => l.TimeNano)) await output.WriteAsync(line, ct);
                return;
            }
            await Task.WhenAll(PumpAsync(swarmEvents, output, ct), PumpAsync(engineEvents, output, ct), UntilAsync(request.Until, swarm, local, ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>With neither source (another node asking for local events only), the stream stays open until `until`.</summary>
    private static async Task UntilAsync(DateTimeOffset? until, bool swarm, bool local, CancellationToken ct)
    {
        if (swarm || local) return;
        var wait = until is { } end ? end - DateTimeOffset.UtcNow : Timeout.InfiniteTimeSpan;
        if (wait > TimeSpan.Zero || wait == Timeout.InfiniteTimeSpan) await Task.Delay(wait, ct);
    }

    private static async Task PumpAsync(IAsyncEnumerable<(long TimeNano, byte[] Line)> lines, EventWriter output, CancellationToken ct)
    {
        await foreach (var (_, line) in lines.WithCancellation(ct)) await output.WriteAsync(line, ct);
    }

    private static async IAsyncEnumerable<(long, byte[])> Empty()
    {
        await Task.CompletedTask;
        yield break;
    }

    /// <summary>The swarm's events from the history, translated and filtered; following until `until` when it is not past.</summary>
    public static async IAsyncEnumerable<(long TimeNano, byte[] Line)> SwarmMessagesAsync(IEventHistory history, Request request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var onlyPast = request.Until is { } until && until < now;
        var last = onlyPast ? history.SequenceAt(request.Until!.Value) : long.MaxValue;
        var first = request.FirstSequence(history);
        if (onlyPast && last < first) yield break;
        await foreach (var step in SwarmEventFeed.ReadAsync(history, first, last, follow: !onlyPast,
            followUntil: () => request.Until is { } end && DateTimeOffset.UtcNow > end, ct))
        {
            if (request.Until is { } end && step.Entry.Recorded.Metadata.At > end) yield break;
            foreach (var message in SwarmEventTranslator.Translate(step.Before, step.Entry, step.After))
                if (request.Includes(message)) yield return (message.TimeNano, Serialize(message));
        }
    }

    public static byte[] Serialize(EngineEventMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, Json);

    /// <summary>The engine's own /events, asked with the client's path and query (its API version, since, until and filters).</summary>
    private static async Task<HttpResponseMessage> OpenEngineEventsAsync(HttpContext context, EngineConnection connection, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, connection.DestinationPrefix + EnginePassThrough.PathAndQuery(context.Request));
        return await connection.Invoker.SendAsync(message, ct);
    }

    private static async IAsyncEnumerable<(long TimeNano, byte[] Line)> EngineMessagesAsync(HttpResponseMessage answer,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var body = await answer.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            yield return (TimeNanoOf(line), Encoding.UTF8.GetBytes(line));
        }
    }

    private static long TimeNanoOf(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.TryGetProperty("timeNano", out var nano) && nano.TryGetInt64(out var value) ? value : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>One message a line, flushed at once, the two sources never interleaving inside a line.</summary>
    private sealed class EventWriter(Stream body)
    {
        private static readonly byte[] NewLine = "\n"u8.ToArray();
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async Task WriteAsync(byte[] line, CancellationToken ct)
        {
            await _gate.WaitAsync(ct);
            try
            {
                await body.WriteAsync(line, ct);
                await body.WriteAsync(NewLine, ct);
                await body.FlushAsync(ct);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}

/// <summary>
/// dockerd's <c>since</c>/<c>until</c> on /events (timestamp.ParseUnixTimestamp): unix seconds with an optional fraction
/// of up to nine digits (the docker CLI turns "10m" and RFC 3339 times into that before sending); empty is none.
/// </summary>
public static class DockerTimestamp
{
    public static DateTimeOffset? Parse(string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var dot = value.IndexOf('.');
        var seconds = dot < 0 ? value : value[..dot];
        var fraction = dot < 0 ? "" : value[(dot + 1)..];
        if (!long.TryParse(seconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            var why = seconds.Length > 0 && seconds.TrimStart('-', '+').All(char.IsAsciiDigit) && seconds.TrimStart('-', '+').Length > 0 ? "value out of range" : "invalid syntax";
            throw Invalid(name, value, $"invalid seconds \"{seconds}\": {why}");
        }
        if (fraction.Length > 20) throw Invalid(name, value, $"invalid nanoseconds: length {fraction.Length} exceeds maximum 20");
        for (var i = 0; i < fraction.Length; i++)
            if (!char.IsAsciiDigit(fraction[i])) throw Invalid(name, value, $"invalid nanoseconds: invalid character '{fraction[i]}' at position {i}");
        var nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0')[..9], CultureInfo.InvariantCulture);
        // Beyond what DateTimeOffset holds: the start or the end of time, which is what such a bound means.
        if (whole <= -62135596800) return DateTimeOffset.MinValue;
        if (whole >= 253402300799) return DateTimeOffset.MaxValue;
        return DateTimeOffset.FromUnixTimeSeconds(whole).AddTicks(nanos / 100);
    }

    private static BadRequestException Invalid(string name, string value, string why) =>
        new($"invalid value for '{name}': invalid timestamp \"{value}\": {why}");
}
