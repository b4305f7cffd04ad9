using System.Text.Encodings.Web;

namespace EventSwarm.Node.Web;

/// <summary>
/// The web view's own answers (sign in, refused, not found, failed): a small HTML page for a browser, or
/// <c>{"message": …}</c> for a script that asks for JSON (the Engine API's error shape).
/// </summary>
public static class WebAnswers
{
    public static Task WriteAsync(HttpContext context, int status, string title, string message)
    {
        context.Response.StatusCode = status;
        if (WantsJson(context.Request))
            return context.Response.WriteAsJsonAsync(new { message }, (System.Text.Json.JsonSerializerOptions?)null, "application/json");
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = HtmlEncoder.Default;
        return context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{html.Encode(title)} · EventSwarm</title></head>
            <body><h1>{html.Encode(title)}</h1><p>{html.Encode(message)}</p></body></html>
            """);
    }

    /// <summary>JSON for a client that asks for it and not for HTML (a browser's Accept names text/html).</summary>
    public static bool WantsJson(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
