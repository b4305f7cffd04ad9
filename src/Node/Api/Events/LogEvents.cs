using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.History;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.Node.Api.Events;

/// <summary>
/// <c>GET /eventswarm/v1/events</c>: every event of the log, tasks' too, with its index, who and what caused it and the
/// object it concerns. Resumable by index: <c>from-index=N</c> starts at N itself, so a consumer that passes the last
/// index it read plus one loses nothing however long it was away (the history is durable). <c>since</c> and
/// <c>until</c> take what <see cref="PointInHistory"/> reads (an index, a time, "-10m"); an index in <c>since</c> means
/// the events after it, as this endpoint has always read it. <c>follow=1</c> streams what is committed next.
/// Answered as NDJSON when asked to (follow, from-index, or an Accept of application/x-ndjson), and otherwise as the
/// JSON array earlier callers parse.
/// </summary>
public static class LogEvents
{
    public static readonly string[] FilterNames = ["type", "service", "task", "node"];

    /// <summary>What the request selects: a range of indexes and times, the objects, and the kinds of event.</summary>
    public sealed record Query(EventSelection Selection, IReadOnlyList<string> Types, bool Follow, bool Lines)
    {
        public bool Includes(HistoryEntry entry) =>
            Types.Count == 0 || Types.Any(t => string.Equals(t, EventJson.NameOf(entry.Recorded.Event), StringComparison.OrdinalIgnoreCase)
                || string.Equals(t, entry.Subject.Kind.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    public static Query Parse(IQueryCollection query, string? accept, ClusterState state, DateTimeOffset now) =>
        Parse(query["from-index"], query["since"], query["until"], [.. query["filter"].Select(f => f ?? "")], query["follow"], accept, state, now);

    public static Query Parse(string? fromIndex, string? sinceText, string? untilText, IReadOnlyList<string> filters, string? followText, string? accept,
        ClusterState state, DateTimeOffset now)
    {
        fromIndex ??= "";
        long from = 1;
        if (fromIndex.Length > 0 && (!long.TryParse(fromIndex, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from) || from < 1))
            throw new BadRequestException($"invalid from-index '{fromIndex}': the log index of an event (1 or more) is expected");
        DateTimeOffset? since = null, until = null;
        long to = long.MaxValue;
        switch (Point(sinceText, now, "since"))
        {
            case PointInHistory.AtIndex { Sequence: var after }: from = Math.Max(from, after + 1); break;
            case PointInHistory.AtTime { Time: var time }: since = time; break;
        }
        switch (Point(untilText, now, "until"))
        {
            case PointInHistory.AtIndex { Sequence: var last }: to = last; break;
            case PointInHistory.AtTime { Time: var time }: until = time; break;
        }
        string? service = null, task = null, node = null;
        var types = new List<string>();
        foreach (var filter in filters)
        {
            var parts = (filter ?? "").Split('=', 2);
            if (parts.Length != 2 || parts[1].Length == 0) throw new BadRequestException($"bad format of filter (expected name=value): '{filter}'");
            switch (parts[0].ToLowerInvariant())
            {
                case "type": types.Add(parts[1]); break;
                // Names are those of today's objects; an ID also finds an object since removed.
                case "service": service = state.LookupService(parts[1]).Match?.Id ?? parts[1]; break;
                case "task": task = state.LookupTask(parts[1]).Match?.Id ?? parts[1]; break;
                case "node": node = state.LookupNode(parts[1]).Match?.Id ?? parts[1]; break;
                default: throw new BadRequestException($"Invalid filter '{parts[0]}'");
            }
        }
        var follow = followText is "1" or "true";
        var lines = follow || fromIndex.Length > 0 || accept?.Contains("ndjson", StringComparison.OrdinalIgnoreCase) == true
            || accept?.Contains("jsonl", StringComparison.OrdinalIgnoreCase) == true;
        return new Query(new EventSelection(from, to, since, until, service, task, node), types, follow, lines);
    }

    private static PointInHistory? Point(string? text, DateTimeOffset now, string what)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return PointInHistory.Parse(text, now, what);
        }
        catch (BadRequestException e)
        {
            throw new BadRequestException($"invalid {what} '{text}': {e.Message[(what.Length + 2)..]}");
        }
    }

    /// <summary>One event as the endpoint writes it.</summary>
    public static object Describe(HistoryEntry entry) => new
    {
        Index = entry.Sequence,
        entry.Recorded.Sequence,
        Type = EventJson.NameOf(entry.Recorded.Event),
        Time = entry.Recorded.Metadata.At,
        entry.Recorded.Metadata.Actor,
        entry.Recorded.Metadata.Command,
        entry.Recorded.Metadata.CorrelationId,
        entry.Recorded.Metadata.Loop,
        Subject = new { entry.Subject.Kind, entry.Subject.Id, entry.Subject.ServiceId, entry.Subject.NodeId, Stream = entry.Subject.StreamKey },
        entry.Recorded.Metadata,
        Event = (object)entry.Recorded.Event,
    };

    public static byte[] Line(HistoryEntry entry) => JsonSerializer.SerializeToUtf8Bytes(Describe(entry), EventJson.Options);

    /// <summary>The entries selected, then (following) each one committed after, until the client leaves.</summary>
    public static async IAsyncEnumerable<HistoryEntry> ReadAsync(IEventHistory history, Query query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var next = query.Selection.FromSequence;
        var end = query.Follow ? query.Selection.ToSequence : Math.Min(query.Selection.ToSequence, history.LastSequence);
        while (!ct.IsCancellationRequested && next <= end)
        {
            var last = history.LastSequence;
            if (last >= next)
            {
                foreach (var entry in history.Read(query.Selection with { FromSequence = next, ToSequence = Math.Min(end, last) }))
                {
                    if (query.Includes(entry)) yield return entry;
                    if (ct.IsCancellationRequested) yield break;
                }
                next = Math.Min(end, last) + 1;
                // Past `until`, nothing more can be selected.
                if (query.Selection.Until is { } until && DateTimeOffset.UtcNow > until && history.SequenceAt(until) < next) yield break;
                continue;
            }
            if (!query.Follow) yield break;
            try
            {
                await history.WaitForAsync(next - 1, TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The manager's durable history; where there is none to read (a worker, a node outside a swarm) the events this
    /// process holds in memory, as this endpoint always answered there.
    /// </summary>
    public static IEventHistory HistoryOf(HttpContext context, ClusterProjection projection)
    {
        if (context.RequestServices.GetService<IEventHistory>() is { } history)
            try
            {
                _ = history.LastSequence;
                return history;
            }
            catch (CommandRejectedException)
            {
            }
        return new RecentEventsHistory(projection);
    }

    public static async Task HandleAsync(HttpContext context, ClusterProjection projection)
    {
        var query = Parse(context.Request.Query, context.Request.Headers.Accept.ToString(), projection.Current, DateTimeOffset.UtcNow);
        var history = HistoryOf(context, projection);
        var ct = context.RequestAborted;
        var body = context.Response.Body;
        context.Response.StatusCode = 200;
        context.Response.ContentType = query.Lines ? "application/x-ndjson" : "application/json; charset=utf-8";
        try
        {
            if (query.Lines)
            {
                await body.FlushAsync(ct);
                await foreach (var entry in ReadAsync(history, query, ct))
                {
                    await body.WriteAsync(Line(entry), ct);
                    await body.WriteAsync("\n"u8.ToArray(), ct);
                    await body.FlushAsync(ct);
                }
                return;
            }
            await body.WriteAsync("["u8.ToArray(), ct);
            var first = true;
            await foreach (var entry in ReadAsync(history, query, ct))
            {
                if (!first) await body.WriteAsync(","u8.ToArray(), ct);
                first = false;
                await body.WriteAsync(Line(entry), ct);
            }
            await body.WriteAsync("]"u8.ToArray(), ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
        }
    }
}
