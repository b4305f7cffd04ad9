using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace EventSwarm.Domain.Swarm;

/// <summary>
/// Swarm's join token: <c>SWMTKN-1-&lt;CA digest&gt;-&lt;secret&gt;</c>. The digest (SHA-256 of the root CA certificate,
/// 50 base-36 characters) lets a joiner check it talks to the right cluster before it trusts it; the secret
/// (128 random bits, 25 base-36 characters) proves to the manager that the joiner was invited, and for which role.
/// </summary>
public sealed partial record JoinToken(string CaDigest, string Secret)
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    [GeneratedRegex("^SWMTKN-1-([0-9a-z]{50})-([0-9a-z]{25})$")]
    private static partial Regex Shape();

    public override string ToString() => $"SWMTKN-1-{CaDigest}-{Secret}";

    public static bool TryParse(string text, out JoinToken? token, out string error)
    {
        token = null;
        var match = Shape().Match(text.Trim());
        if (!match.Success)
        {
            error = "invalid join token: expected SWMTKN-1-<50 characters>-<25 characters>";
            return false;
        }
        token = new JoinToken(match.Groups[1].Value, match.Groups[2].Value);
        error = "";
        return true;
    }

    public static string DigestOf(byte[] caCertificateDer) => Base36(SHA256.HashData(caCertificateDer), 50);

    public static string NewSecret() => Base36(RandomNumberGenerator.GetBytes(16), 25);

    /// <summary>What the log keeps of a secret: enough to check a token, useless to forge one.</summary>
    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base36(byte[] bytes, int width)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var chars = new StringBuilder();
        while (value > 0)
        {
            chars.Insert(0, Alphabet[(int)(value % 36)]);
            value /= 36;
        }
        return chars.ToString().PadLeft(width, '0');
    }
}
