namespace EventSwarm.Node.Web;

/// <summary>
/// The view's own script and style sheet, embedded in the binary (Web/Assets): nothing is fetched from elsewhere,
/// nothing is built or downloaded at build time (issue 17).
/// </summary>
public static class WebAssets
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/assets/live.js", "live.js", "text/javascript; charset=utf-8"),
        ("/assets/web.css", "web.css", "text/css; charset=utf-8"),
    ];

    public static void Map(RouteGroupBuilder pages)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            pages.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            });
        }
    }

    public static byte[] Read(string name)
    {
        using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream($"EventSwarm.Node.Web.Assets.{name}")
            ?? throw new InvalidOperationException($"the web view's {name} is not embedded in the binary");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
