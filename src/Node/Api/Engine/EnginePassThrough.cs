using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace EventSwarm.Node.Api.Engine;

/// <summary>
/// Everything of the Engine API that EventSwarm does not own (containers, images, exec, attach, volumes, local
/// networks, build, plugins, system df, the engine's events) goes to the node's own Docker Engine, so that
/// <c>DOCKER_HOST=&lt;EventSwarm's socket&gt;</c> stands in for the engine's socket. The client's path is kept with
/// its <c>/v1.xx</c> prefix: the engine must answer in the API version the client speaks.
/// </summary>
public sealed class EnginePassThrough(EngineConnection engine, IHttpForwarder forwarder, ILogger<EnginePassThrough> logger)
{
    // Streams (logs -f, events, wait, attach) last as long as the client wants; the forwarder's 100 s idle cut
    // would end a quiet `docker logs -f`. 24 days is the longest a timer takes.
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromDays(24),
        Version = System.Net.HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>Route families EventSwarm answers itself, on any method: never passed to the engine.</summary>
    private static readonly string[] OwnedRoots = ["swarm", "nodes", "services", "tasks", "secrets", "configs", "eventswarm", "_ping", "version", "info"];

    public static bool IsOwned(PathString path)
    {
        var value = path.Value ?? "";
        var end = value.IndexOf('/', 1);
        var root = end < 0 ? value[1..] : value[1..end];
        return OwnedRoots.Contains(root, StringComparer.Ordinal);
    }

    /// <summary>The fallback of every route EventSwarm does not map.</summary>
    public async Task HandleUnmappedAsync(HttpContext context)
    {
        // The engine is reachable from the unix socket only: TCP callers are other nodes, which speak EventSwarm's
        // own routes and have no business with this node's containers.
        if (context.Connection.LocalIpAddress is not null || IsOwned(context.Request.Path))
        {
            await SwarmResources.AnswerUnmappedAsync(context);
            return;
        }
        await ForwardAsync(context);
    }

    public async Task ForwardAsync(HttpContext context)
    {
        if (Hijack.IsNeeded(context))
        {
            await Hijack.RunAsync(context, engine, logger);
            return;
        }
        var error = await forwarder.SendAsync(context, engine.DestinationPrefix, engine.Invoker, RequestConfig, ToEngine.Instance);
        if (error == ForwarderError.None || context.Response.HasStarted) return;
        var cause = context.GetForwarderErrorFeature()?.Exception;
        if (error is ForwarderError.Request or ForwarderError.RequestTimedOut && IsConnectFailure(cause))
        {
            await ApiErrors.WriteAsync(context, 500, new EngineUnreachableException(engine.Address, cause!).Message);
            return;
        }
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled) return;
        logger.LogWarning(cause, "forwarding {Method} {Path} to the Docker Engine failed: {Error}", context.Request.Method, context.Request.Path, error);
        await ApiErrors.WriteAsync(context, 500, $"forwarding to the Docker Engine at {engine.Address} failed: {cause?.Message ?? error.ToString()}");
    }

    private static bool IsConnectFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException or EngineUnreachableException) return true;
        return false;
    }

    /// <summary>The client's path with its version prefix (see AgentHost: the prefix is the request's PathBase).</summary>
    public static string PathAndQuery(HttpRequest request) =>
        request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();

    private sealed class ToEngine : HttpTransformer
    {
        public static readonly ToEngine Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = new Uri(destinationPrefix + PathAndQuery(httpContext.Request));
            // The engine is named by the URI (a unix socket has no host); the client's Host means nothing to it.
            proxyRequest.Headers.Host = null;
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            // dockerd flushes the head of a streamed answer at once (wait, logs -f, events, attach): `docker run`
            // waits for the head of its /wait before it starts the container. Kestrel would hold it until the
            // first byte of the body, which for /wait is the container's exit.
            if (proceed && proxyResponse?.Content.Headers.ContentLength is null && proxyResponse?.StatusCode != System.Net.HttpStatusCode.SwitchingProtocols)
                await httpContext.Response.Body.FlushAsync(cancellationToken);
            return proceed;
        }
    }
}

public static class EnginePassThroughRegistration
{
    public static IServiceCollection AddEnginePassThrough(this IServiceCollection services, string dockerHost)
    {
        services.AddHttpForwarder();
        services.AddSingleton(new EngineConnection(dockerHost));
        services.AddSingleton<EnginePassThrough>();
        return services;
    }

    /// <summary>Every route no endpoint maps (on any method) goes to the engine; mapped ones win by routing order.</summary>
    public static void MapEnginePassThrough(this WebApplication app) =>
        app.MapFallback("{**path}", context => context.RequestServices.GetRequiredService<EnginePassThrough>().HandleUnmappedAsync(context));
}
