using EventSwarm.Node.Local;
using EventSwarm.Node.Metrics;
using Microsoft.AspNetCore.Routing.Patterns;

namespace EventSwarm.Node.Api;

/// <summary>
/// Prometheus' text format at /metrics, as dockerd serves it on its --metrics-addr and etcd on its client URL: on
/// the node's socket always, and with <c>--metrics-addr IP:PORT</c> on a plain-HTTP TCP listener that serves
/// nothing else. The figures are <see cref="NodeMetrics"/>' (docs/metrics.md lists them).
/// </summary>
public static class MetricsEndpoints
{
    public const string ContentType = NodeMetrics.ContentType;

    /// <summary>Route label of a request no endpoint matched (refused before routing, or no such path).</summary>
    public const string Unmatched = "unmatched";

    public static void AddServices(IServiceCollection services, AgentOptions options)
    {
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<ClusterGauges>();
        if (options.MetricsEndpoint is not { } endpoint) return;
        services.AddKeyedSingleton(ListenerKey, (sp, _) => new SideListener(endpoint,
            bound => $"metrics listening on http://{bound}/metrics",
            (address, reason) => $"metrics: cannot listen on {address} ({reason}); /metrics is still served on the socket",
            sp.GetRequiredService<ILoggerFactory>()));
        // Registered after Kestrel's socket transport, so asked first; it binds only its own placeholder.
        services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory>(sp => sp.GetRequiredKeyedService<SideListener>(ListenerKey));
    }

    /// <summary>The <c>--metrics-addr</c> listener in the agent's services (a failed bind is logged, not fatal).</summary>
    public const string ListenerKey = "metrics";

    public static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, AgentOptions options)
    {
        if (options.MetricsEndpoint is not null) kestrel.ApplicationServices.GetRequiredKeyedService<SideListener>(ListenerKey).ListenOn(kestrel);
    }

    /// <summary>
    /// First in the pipeline: a connection to <c>--metrics-addr</c> gets /metrics and nothing else, before the node
    /// authentication (which takes every other TCP caller for a node that must show its certificate) and the API.
    /// </summary>
    public static void MapListener(WebApplication app, AgentOptions options)
    {
        if (options.MetricsEndpoint is null) return;
        var listener = app.Services.GetRequiredKeyedService<SideListener>(ListenerKey);
        app.MapWhen(listener.Accepted, metricsOnly => metricsOnly.Run(async context =>
        {
            if (context.Request.Path != "/metrics")
            {
                // What Go's http.NotFound answers on dockerd's metrics listener.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsync("404 page not found\n");
                return;
            }
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return;
            }
            await ScrapeAsync(context);
        }));
    }

    /// <summary>
    /// Times every API request by the route pattern that served it (never the raw path: IDs and names would make a
    /// series per object) and its status code; a request no route matched counts as <see cref="Unmatched"/>.
    /// </summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app)
    {
        var histogram = app.ApplicationServices.GetRequiredService<NodeMetrics>().ApiRequests;
        return app.Use(async (context, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var failed = false;
            try
            {
                await next(context);
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                var code = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                histogram.WithLabels(RouteOf(context.GetEndpoint()), MethodLabel(context.Request.Method), StatusLabel(code))
                    .Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        });
    }

    public static void Map(WebApplication app)
    {
        // Made now, so that its scrape-time figures are in the registry from the first scrape.
        app.Services.GetRequiredService<ClusterGauges>();
        app.MapGet("/metrics", ScrapeAsync);
    }

    private static async Task ScrapeAsync(HttpContext context)
    {
        var metrics = context.RequestServices.GetRequiredService<NodeMetrics>();
        context.Response.ContentType = ContentType;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>The endpoint's route pattern as written (e.g. /services/{id}), or <see cref="Unmatched"/>.</summary>
    public static string RouteOf(Endpoint? endpoint) => endpoint switch
    {
        RouteEndpoint { RoutePattern: RoutePattern pattern } => Normalised(pattern.RawText),
        _ => Unmatched,
    };

    private static string Normalised(string? pattern) =>
        string.IsNullOrEmpty(pattern) ? "/" : pattern.StartsWith('/') ? pattern : "/" + pattern;

    /// <summary>The methods HTTP defines, and "other" for any other word a client sends (a label per word would be unbounded).</summary>
    public static string MethodLabel(string method) => method.ToUpperInvariant() switch
    {
        var m and ("GET" or "HEAD" or "POST" or "PUT" or "DELETE" or "PATCH" or "OPTIONS" or "CONNECT" or "TRACE") => m,
        _ => "other",
    };

    private static string StatusLabel(int code) => code is >= 100 and <= 599 ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "other";
}
