using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace EventSwarm.Node.Api;

/// <summary>
/// What is refused or completed before and after any route runs: paths with dot segments, and error answers that
/// carry no body.
/// </summary>
public static class RequestHygiene
{
    /// <summary>
    /// Refuses a request whose path has a "." or ".." segment, written plainly or percent-encoded (%2e%2e), before
    /// routing. Kestrel resolves dot segments after decoding, so <c>DELETE /services/%2e%2e/networks/x</c> reached
    /// the network route. dockerd (gorilla/mux) never runs such a request either: it answers 301 to the cleaned
    /// path. EventSwarm answers 400 naming the path instead: a redirect would hand the client the very route
    /// change the path smuggled in (Go's client follows a 301 of a DELETE as a GET), and a 404 "page not found"
    /// would hide that the path itself is what is wrong. The raw request target is checked, as Kestrel's Path is
    /// already resolved; this covers EventSwarm's routes and the pass-through to the engine alike.
    /// </summary>
    public static IApplicationBuilder UseDotSegmentRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (HasDotSegment(target))
        {
            await ApiErrors.WriteAsync(context, 400, $"invalid path \"{PathOf(target)}\": \".\" and \"..\" segments are not allowed");
            return;
        }
        await next(context);
    });

    /// <summary>The path of a request target (origin form "/a/b?q", or absolute form "http://host/a/b?q").</summary>
    public static string PathOf(string target)
    {
        var path = target;
        if (!path.StartsWith('/') && path.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0)
        {
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path[slash..];
        }
        var end = path.IndexOfAny(['?', '#']);
        return end < 0 ? path : path[..end];
    }

    /// <summary>True when a segment of the target's path, percent-decoded, is "." or "..", or decodes to a path holding one.</summary>
    public static bool HasDotSegment(string target)
    {
        foreach (var segment in PathOf(target).Split('/'))
        {
            if (segment.Length == 0) continue;
            var decoded = segment.Contains('%') ? Uri.UnescapeDataString(segment) : segment;
            // "%2e%2e%2f" decodes to "../": a segment Kestrel keeps whole (it never decodes %2F), but a path to
            // anything that decodes again.
            foreach (var part in decoded.Split('/', '\\'))
                if (part is "." or "..") return true;
        }
        return false;
    }

    /// <summary>
    /// Gives every error answer Docker's body: an error status with nothing written (routing's 404 and 405, a
    /// status-only result) gets <c>{"message": …}</c>, so that no client is left with an empty body to show.
    /// </summary>
    public static IApplicationBuilder UseErrorBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode < 400 || HttpMethods.IsHead(context.Request.Method)) return;
        if (response.ContentLength is > 0 || context.RequestAborted.IsCancellationRequested) return;
        response.ContentLength = null;
        await ApiErrors.WriteAsync(context, response.StatusCode, response.StatusCode switch
        {
            // dockerd's words for a route it does not have, and for a method a route does not take (its mux
            // answers both with its NotFoundHandler).
            404 => "page not found",
            405 => $"page not found: {context.Request.Method} is not allowed on {context.Request.Path}",
            var status => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } reason
                ? $"{reason.ToLowerInvariant()}: {context.Request.Method} {context.Request.Path}"
                : $"request failed with status {status}",
        });
    });
}
