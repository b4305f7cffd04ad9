using System.Security.Cryptography;

namespace EventSwarm.Infrastructure.Security;

/// <summary>
/// The managers' unlock key (Swarm's KEK source) in Swarm's human-readable form: <c>SWMKEY-1-</c> followed by the
/// 32 random bytes in unpadded base64 (swarmkit's encryption.HumanReadableKey), so a key printed by Docker reads
/// the same here. Never logged, never in the log in clear.
/// </summary>
public static class UnlockKey
{
    public const string Prefix = "SWMKEY-1-";
    public const int Size = 32;

    /// <summary>swarmkit's ParseHumanReadableKey wording.</summary>
    public const string InvalidFormat = "invalid key string";

    public static byte[] New() => RandomNumberGenerator.GetBytes(Size);

    public static string Format(ReadOnlySpan<byte> key) => Prefix + Convert.ToBase64String(key).TrimEnd('=');

    /// <summary>Reads a key as a user pastes it (surrounding blanks ignored; base64 with or without its padding).</summary>
    public static bool TryParse(string? text, out byte[] key)
    {
        key = [];
        var trimmed = text?.Trim() ?? "";
        if (!trimmed.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var body = trimmed[Prefix.Length..].TrimEnd('=');
        if (body.Length == 0) return false;
        var padded = body + new string('=', (4 - body.Length % 4) % 4);
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, buffer, out var written) || written == 0) return false;
        key = buffer[..written];
        return true;
    }
}
