using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Web;
using EventSwarm.Domain.Web;
using EventSwarm.Node.Api;
using EventSwarm.Node.Local;
using Mediator;

namespace EventSwarm.Node.Web;

/// <summary>
/// <c>eventswarm web token</c>'s routes on the unix socket (local users only, as every write route: a TCP caller
/// that is no node is refused before routing): issue a token and get its sign-in URL, list the tokens (names, roles,
/// dates; never a hash), revoke one by name or by the token itself.
/// </summary>
public static class WebTokenEndpoints
{
    public const string Path = "/eventswarm/v1/web/tokens";

    /// <summary>What <c>DELETE …/tokens/sha256:HEX</c> revokes: the token of that hash (the CLI hashes a token it is given, so no token travels).</summary>
    public const string HashPrefix = "sha256:";

    public sealed record IssueRequest([property: JsonPropertyName("name")] string? Name, [property: JsonPropertyName("operator")] bool Operator);

    public sealed record Issued(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("token")] string Token,
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("url")] string? Url,
        [property: JsonPropertyName("warning"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Warning = null);

    public sealed record Listed(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt);

    public static string RoleName(WebRole role) => role == WebRole.Operator ? "operator" : "read-only";

    public static void Map(WebApplication app)
    {
        app.MapPost(Path, async (HttpContext context, IMediator mediator, ClusterProjection projection, LocalNode local, AgentOptions options, CancellationToken ct) =>
        {
            IssueRequest request;
            try
            {
                request = context.Request.ContentLength == 0 ? new IssueRequest(null, false)
                    : await JsonSerializer.DeserializeAsync<IssueRequest>(context.Request.Body, JsonSerializerOptions.Web, ct) ?? new IssueRequest(null, false);
            }
            catch (JsonException e)
            {
                throw new BadRequestException($"malformed JSON in request body: {e.Message}");
            }
            var role = request.Operator ? WebRole.Operator : WebRole.ReadOnly;
            // Made here and shown once: the command, the leader it may be forwarded to and the log see only its hash.
            var token = WebTokens.NewToken();
            var name = await mediator.Send(new IssueWebTokenCommand(string.IsNullOrEmpty(request.Name) ? null : request.Name, role, WebTokens.HashOf(token), CallerIdentity.Of(context)), ct);
            var (url, warning) = SignInUrl(context.RequestServices, options, projection, local, token);
            return Results.Json(new Issued(name, token, RoleName(role), url, warning));
        });

        app.MapGet(Path, (ClusterProjection projection) =>
            Results.Json(projection.Current.WebTokens.Values.Select(t => new Listed(t.Name, RoleName(t.Role), t.IssuedAt))));

        app.MapDelete(Path + "/{nameOrToken}", async (string nameOrToken, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var command = nameOrToken.StartsWith(HashPrefix, StringComparison.Ordinal)
                ? new RevokeWebTokenCommand(null, nameOrToken[HashPrefix.Length..], CallerIdentity.Of(context))
                : WebTokens.LooksLikeToken(nameOrToken)
                    ? new RevokeWebTokenCommand(null, WebTokens.HashOf(nameOrToken), CallerIdentity.Of(context))
                    : new RevokeWebTokenCommand(nameOrToken, null, CallerIdentity.Of(context));
            var name = await mediator.Send(command, ct);
            return Results.Json(new { name });
        });
    }

    /// <summary>
    /// <c>http://ADDR/login?token=…</c> with ADDR where this manager's web view listens; for a wildcard address, this
    /// node's swarm address (reachable by the swarm's other hosts), else 127.0.0.1. Null, with the reason, when the
    /// web view is off or could not bind.
    /// </summary>
    private static (string? Url, string? Warning) SignInUrl(IServiceProvider services, AgentOptions options, ClusterProjection projection, LocalNode local, string token)
    {
        if (options.WebEndpoint is not { } configured) return (null, "the web view is off on this manager (--web-addr none): sign in on a manager that serves it");
        if (services.GetKeyedService<Api.SideListener>(WebView.ListenerKey) is { Endpoint: null })
            return (null, $"the web view could not listen on {configured} (see the agent's log): the token is valid on every manager that serves it");
        var address = configured.Address;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            address = projection.Current.Nodes.GetValueOrDefault(local.NodeId)?.Address is { } swarm && HostOf(swarm) is { } host ? host : IPAddress.Loopback;
        var authority = new IPEndPoint(address, configured.Port).ToString();
        return ($"http://{authority}/login?token={Uri.EscapeDataString(token)}", null);
    }

    private static IPAddress? HostOf(string address) =>
        IPEndPoint.TryParse(address, out var endpoint) ? endpoint.Address : IPAddress.TryParse(address, out var ip) ? ip : null;
}
