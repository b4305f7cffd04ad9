using System.Xml.Linq;
using EventSwarm.Application.Log;
using EventSwarm.Node.Api;
using EventSwarm.Node.Local;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventSwarm.Node.Web;

/// <summary>
/// The web view a manager serves at <c>--web-addr</c> (default 127.0.0.1:2380): its listener, its own pipeline
/// (no node certificates, no Engine API), sign-in, the pages of <see cref="WebPages"/> and the operator's actions.
/// </summary>
public static class WebView
{
    public static void AddServices(IServiceCollection services, AgentOptions options)
    {
        if (options.WebEndpoint is { } endpoint)
        {
            services.AddKeyedSingleton(ListenerKey, (sp, _) => new SideListener(endpoint,
                bound => $"web view listening on http://{bound}",
                (address, reason) => $"the web view cannot listen on {address}: {reason}; the agent runs on without it (choose another with --web-addr IP:PORT, or --web-addr none)",
                sp.GetRequiredService<ILoggerFactory>()));
            // Registered after Kestrel's socket transport, so asked first; it binds only the web view's endpoint.
            services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory>(sp => sp.GetRequiredKeyedService<SideListener>(ListenerKey));
            services.Configure<KestrelServerOptions>(k => k.ApplicationServices.GetRequiredKeyedService<SideListener>(ListenerKey).ListenOn(k));
        }
        // The anti-forgery tokens' keys live in this process's memory only: nothing to protect on disk, and a
        // manager's restart costs a signed-in user one refused form (the page reloaded has fresh tokens). Each
        // manager is its own site (its own host:port), so no key needs sharing between them.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new KeysInMemory();
            o.XmlEncryptor = null;
        });
        // Its warning that keys "may be persisted to storage in unencrypted form" is about a disk these keys never reach.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error));
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = WebAccess.FormField;
            o.HeaderName = null;
            o.Cookie.Name = WebAccess.AntiforgeryCookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.Path = "/";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Every answer already says DENY (SecurityHeaders); anti-forgery's SAMEORIGIN would contradict it.
            o.SuppressXFrameOptionsHeader = true;
        });
        WebPages.AddServices(services);
    }

    public static void Map(WebApplication app, AgentOptions options)
    {
        WebTokenEndpoints.Map(app);
        if (options.WebEndpoint is null) return;
        var listener = app.Services.GetRequiredKeyedService<SideListener>(ListenerKey);
        app.MapWhen(listener.Accepted, web =>
        {
            web.Use(SecurityHeaders);
            web.Use(Failures);
            web.Use(ManagersOnly);
            web.Use(SignIn);
            web.UseRouting();
            web.UseEndpoints(endpoints =>
            {
                var signedIn = endpoints.MapGroup("");
                WebPages.Map(signedIn);
                WebActions.Map(signedIn);
                signedIn.MapPost("/logout", (HttpContext context) =>
                {
                    context.Response.Cookies.Delete(WebAccess.CookieName, WebAccess.SignInCookie());
                    return SeeOther("/login");
                });
                signedIn.MapGet("/account", Account);
            });
            web.Run(context => WebAnswers.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", $"There is no page {context.Request.Path}."));
        });
    }

    /// <summary>Data protection's key ring, in this process's memory only (never under $HOME/.aspnet, its default).</summary>
    private sealed class KeysInMemory : IXmlRepository
    {
        private readonly List<XElement> _keys = [];

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            lock (_keys) return [.. _keys.Select(k => new XElement(k))];
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (_keys) _keys.Add(new XElement(element));
        }
    }

    /// <summary>The web view's listener in the agent's services (connections it accepts reach the web view's pipeline alone).</summary>
    public const string ListenerKey = "web";

    /// <summary>303 See Other: after a POST, the browser GETs the page named (and a reload does not post again).</summary>
    public static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// On every answer: no MIME sniffing, never framed (clickjacking of the operator's buttons), no Referer (a sign-in
    /// URL's token must not leak to a link's target), scripts only from this site, and nothing cached.
    /// </summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
        headers.CacheControl = "no-store";
        return next(context);
    }

    /// <summary>A failure is a page naming it, never a stack trace; the log gets the method and path, never the query (a sign-in token).</summary>
    private static async Task Failures(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("EventSwarm.Node.Web")
                .LogError(e, "web view: {Method} {Path} failed", context.Request.Method, context.Request.Path);
            await WebAnswers.WriteAsync(context, StatusCodes.Status500InternalServerError, "Failed", e.Message);
        }
    }

    /// <summary>
    /// Only a manager holds the log the pages show and takes the commands the actions send. A worker (or a manager
    /// demoted since it started) answers 503 and says where to go, as Docker answers a swarm command sent to a worker.
    /// </summary>
    private static Task ManagersOnly(HttpContext context, RequestDelegate next)
    {
        var membership = context.RequestServices.GetRequiredService<Membership>();
        if (membership.IsWorker)
            return WebAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Not a manager",
                "This node is not a manager; use a manager's web view (eventswarm node ls shows the managers).");
        if (context.RequestServices.GetRequiredService<ClusterProjection>().Current.Swarm is null)
            return WebAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Not in a swarm",
                "This node is in no swarm: start one with eventswarm swarm init, or join one with eventswarm swarm join.");
        return next(context);
    }

    private static async Task SignIn(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var state = context.RequestServices.GetRequiredService<ClusterProjection>().Current;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD, POST";
            await WebAnswers.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed", $"The web view answers GET and POST, not {request.Method}.");
            return;
        }
        if (request.Path == "/login" && !HttpMethods.IsPost(request.Method) && request.Query.ContainsKey("token"))
        {
            if (WebAccess.Find(request.Query["token"].ToString(), state) is null)
            {
                await Unauthorized(context, "This sign-in link is not valid, or its token was revoked. Ask for a new one: eventswarm web token");
                return;
            }
            context.Response.Cookies.Append(WebAccess.CookieName, request.Query["token"].ToString(), WebAccess.SignInCookie());
            await SeeOther("/").ExecuteAsync(context);
            return;
        }
        var (token, bearer) = WebAccess.Presented(request);
        if (WebAccess.Find(token, state) is not { } user)
        {
            // A cookie of a revoked token is dropped, so the browser stops sending it.
            if (token is not null && !bearer) context.Response.Cookies.Delete(WebAccess.CookieName, WebAccess.SignInCookie());
            await Unauthorized(context, token is null
                ? "Sign in with the URL that eventswarm web token prints on a manager."
                : "This token is not valid, or was revoked. Ask for a new one: eventswarm web token");
            return;
        }
        WebAccess.SetUser(context, user);
        if (request.Path == "/login" && !HttpMethods.IsPost(request.Method))
        {
            // Signed in already: nothing to do here.
            await SeeOther("/").ExecuteAsync(context);
            return;
        }
        // A cookie rides along with any request the browser makes, a forged one too: a POST that signs in by cookie
        // must carry the form's anti-forgery token. A Bearer token is no ambient credential: no other site can send it.
        if (HttpMethods.IsPost(request.Method) && !bearer)
        {
            try
            {
                await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                await WebAnswers.WriteAsync(context, StatusCodes.Status400BadRequest, "Form refused",
                    "This form's anti-forgery token is missing or stale (was the page open across a restart of the manager?). Reload the page and try again.");
                return;
            }
        }
        await next(context);
    }

    /// <summary>Who is signed in, with what role, and the sign-out button (a POST with its anti-forgery token, so no other site can sign one out).</summary>
    private static IResult Account(HttpContext context)
    {
        var user = WebAccess.UserOf(context)!;
        var html = System.Text.Encodings.Web.HtmlEncoder.Default;
        var formToken = WebAccess.FormToken(context);
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Signed in · EventSwarm</title></head>
            <body><h1>Signed in</h1>
            <p>With web token <strong>{html.Encode(user.TokenName)}</strong> ({(user.IsOperator ? "operator: may scale, update, roll back and drain" : "read-only")}).</p>
            <form method="post" action="/logout"><input type="hidden" name="{WebAccess.FormField}" value="{html.Encode(formToken)}"><button type="submit">Sign out</button></form>
            <p><a href="/">Back to the swarm</a></p></body></html>
            """, "text/html; charset=utf-8");
    }

    private static Task Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"eventswarm\"";
        return WebAnswers.WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign in", message);
    }
}
