using System.Globalization;
using System.Text;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Node.Api.History;

namespace EventSwarm.Node.Web.Live;

/// <summary>
/// <c>GET /live?after=N</c>: server-sent events telling an open page of now that the log moved past N. One small
/// message per wake-up (<c>data: &lt;last index&gt;</c>), however many events were committed meanwhile: the page then
/// asks for itself again, so a burst of a scale's task events costs a few renders, not one per event. It waits on
/// the history's commit signal (as `events --follow` does), never on a timer.
/// </summary>
public static class LiveFeed
{
    /// <summary>How long one wait lasts before a comment line keeps the connection (and proxies) awake.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>A stream ends after this; the browser's EventSource connects again by itself (with the index it had).</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/live", FollowAsync);

    private static async Task FollowAsync(HttpContext context)
    {
        IEventHistory history;
        try
        {
            history = ClusterView.HistoryOf(context.RequestServices);
            _ = history.LastSequence;
        }
        catch (CommandRejectedException e)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(e.Message, context.RequestAborted);
            return;
        }
        var after = long.TryParse(context.Request.Query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out var given) ? given : history.LastSequence;
        var ct = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        // Nothing between the stream and the browser may hold it back (a buffering proxy honours this header).
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var body = context.Response.Body;
        var until = DateTimeOffset.UtcNow + Lifetime;
        try
        {
            await body.WriteAsync(Encoding.UTF8.GetBytes("retry: 1000\n\n"), ct);
            await body.FlushAsync(ct);
            while (!ct.IsCancellationRequested && DateTimeOffset.UtcNow < until)
            {
                if (history.LastSequence <= after) await history.WaitForAsync(after, KeepAlive, ct);
                var last = history.LastSequence;
                var message = last > after ? Message(last) : ": keep-alive\n\n";
                after = Math.Max(after, last);
                await body.WriteAsync(Encoding.UTF8.GetBytes(message), ct);
                await body.FlushAsync(ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
        }
    }

    public static string Message(long index)
    {
        var text = index.ToString(CultureInfo.InvariantCulture);
        return $"id: {text}\ndata: {text}\n\n";
    }
}
