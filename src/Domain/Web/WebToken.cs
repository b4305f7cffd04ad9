using System.Security.Cryptography;
using System.Text;

namespace EventSwarm.Domain.Web;

/// <summary>What a web token lets its holder do: look (read-only), or also scale, update, roll back and drain (operator).</summary>
public enum WebRole { ReadOnly, Operator }

/// <summary>
/// A web token the log knows: its name, its role and the SHA-256 of the token. The token itself is shown once, to
/// whoever issued it, and kept nowhere: as Swarm keeps only a hash of a join token's secret, a copy of the log or a
/// snapshot lets no one sign in.
/// </summary>
public sealed record WebToken(string Name, WebRole Role, string Sha256, DateTimeOffset IssuedAt);

/// <summary>The shape of web tokens and their names, and the hash the log keeps of a token.</summary>
public static class WebTokens
{
    /// <summary>
    /// Every token starts with this: a name never contains '_', so a revocation can tell a token from a name
    /// without looking either up, and a token pasted where it does not belong is recognisable (secret scanners).
    /// </summary>
    public const string Prefix = "eswt_";

    /// <summary>256 random bits, base64url without padding: 43 characters after the prefix.</summary>
    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static bool LooksLikeToken(string text) => text.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>What the log keeps of a token: lowercase hex SHA-256 of its UTF-8 bytes.</summary>
    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Why a name cannot be a web token's, or null: 1 to 64 letters, digits, '.' and '-', starting with a letter or digit.</summary>
    public static string? NameProblem(string name) =>
        name.Length is 0 or > 64 || !char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-'))
            ? $"invalid web token name \"{name}\": 1 to 64 letters, digits, '.' and '-', starting with a letter or digit"
            : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
