using System.Security.Claims;
using EventSwarm.Domain.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace EventSwarm.Node.Web;

/// <summary>Who is signed in to the web view: the name of the token they signed in with, and what it allows.</summary>
public sealed record WebUser(string TokenName, bool IsOperator);

/// <summary>
/// The web view's access rules: a token from <c>eventswarm web token [--operator]</c>, shown once as a sign-in URL
/// (cookie) or sent by scripts as <c>Authorization: Bearer</c>. Pages read who is signed in here, and put
/// <see cref="FormField"/> = <see cref="FormToken"/> in every form that changes something (CSRF).
/// </summary>
public static class WebAccess
{
    /// <summary>The hidden form field that carries the anti-forgery token.</summary>
    public const string FormField = "__RequestVerificationToken";

    /// <summary>
    /// The sign-in cookie. It holds the token itself, not a session: every request is checked against the log's
    /// tokens as they are now, so a revocation (replicated to every manager) refuses the very next request on any
    /// manager, and a manager's restart signs no one out. HttpOnly (no script reads it), SameSite=Strict (no other
    /// site's page sends it), Path=/; not Secure, because the web view speaks plain HTTP.
    /// </summary>
    public const string CookieName = "eventswarm_web";

    /// <summary>The anti-forgery cookie (the other half of <see cref="FormField"/>).</summary>
    public const string AntiforgeryCookieName = "eventswarm_csrf";

    private static readonly object UserKey = new();

    /// <summary>The signed-in user of this request; null before the access check ran (it refuses every request without one).</summary>
    public static WebUser? UserOf(HttpContext context) => context.Items.TryGetValue(UserKey, out var user) ? user as WebUser : null;

    internal static void SetUser(HttpContext context, WebUser user)
    {
        context.Items[UserKey] = user;
        // Anti-forgery binds its form tokens to the signed-in identity: a form token of one web token is no use with another's cookie.
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.TokenName)], "eventswarm-web-token", ClaimTypes.Name, null));
    }

    /// <summary>
    /// The anti-forgery token to post back in <see cref="FormField"/>. Call it before the response starts: the first
    /// call of a request also sets the anti-forgery cookie.
    /// </summary>
    public static string FormToken(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken ?? "";

    /// <summary>The token a request presents: <c>Authorization: Bearer</c> first (scripts), else the sign-in cookie.</summary>
    internal static (string? Token, bool Bearer) Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return (authorization["Bearer ".Length..].Trim(), true);
        return (request.Cookies.TryGetValue(CookieName, out var cookie) && cookie.Length > 0 ? cookie : null, false);
    }

    /// <summary>
    /// The user a token signs in, from the log's tokens as this manager has applied them; null for a token that was
    /// never issued or was revoked. Only hashes are compared: the log holds no token to compare with.
    /// </summary>
    public static WebUser? Find(string? token, Domain.ClusterState state)
    {
        if (string.IsNullOrEmpty(token) || !WebTokens.LooksLikeToken(token)) return null;
        var hash = WebTokens.HashOf(token);
        foreach (var issued in state.WebTokens.Values)
            if (issued.Sha256.Length > 0 && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(issued.Sha256), System.Text.Encoding.ASCII.GetBytes(hash)))
                return new WebUser(issued.Name, issued.Role == WebRole.Operator);
        return null;
    }

    internal static CookieOptions SignInCookie() => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
    };

    /// <summary>
    /// True for a path of this site: one '/' then anything but a second '/' or '\' (browsers read "//host" and
    /// "/\host" as another host), and no control character. A form's <c>return</c> field is followed only then.
    /// </summary>
    public static bool IsLocalPath(string? path) =>
        path is { Length: > 0 } && path[0] == '/'
        && (path.Length == 1 || path[1] is not ('/' or '\\'))
        && !path.Any(char.IsControl);
}
