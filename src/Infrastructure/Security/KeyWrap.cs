using System.Security.Cryptography;
using System.Text;

namespace EventSwarm.Infrastructure.Security;

/// <summary>
/// Envelope encryption of a manager's keys at rest (Swarm's autolock). The unlock key is the KEK's source: the KEK
/// is HKDF-SHA256 of it, bound to a purpose, and it wraps the data key and the node's TLS key with AES-256-GCM.
/// HKDF rather than a slow password hash (PBKDF2, Argon2): the unlock key is 256 random bits, not something a person
/// chose, so there is nothing to stretch; what HKDF adds is separation, one KEK per thing wrapped, so a wrap of one
/// file can never be taken for the other. AES-GCM, as for secret data (SecretCipher): the runtime's AEAD, so a wrong
/// unlock key or an altered file fails the tag check instead of yielding garbage — which is also how a wrong key
/// is told apart from a right one, without storing anything derived from the key beside it.
/// Wrapped form: "eventswarm-wrapped-v1:" + base64(nonce ‖ ciphertext ‖ tag).
/// </summary>
public static class KeyWrap
{
    public const string Prefix = "eventswarm-wrapped-v1:";
    private const string SealPrefix = "aes256gcm:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static bool IsWrapped(string content) => content.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Wrap(ReadOnlySpan<byte> unlockKey, string purpose, ReadOnlySpan<byte> plain) =>
        Prefix + Convert.ToBase64String(Encrypt(Kek(unlockKey, purpose), plain, Associated(purpose)));

    /// <exception cref="CryptographicException">Not the key it was wrapped with, or the file was altered.</exception>
    public static byte[] Unwrap(ReadOnlySpan<byte> unlockKey, string purpose, string wrapped)
    {
        if (!IsWrapped(wrapped)) throw new CryptographicException($"{purpose}: not a wrapped key");
        return Decrypt(Kek(unlockKey, purpose), Convert.FromBase64String(wrapped[Prefix.Length..]), Associated(purpose), purpose);
    }

    /// <summary>The unlock key as the log carries it: sealed under the swarm's data key, so only a manager opens it.</summary>
    public static string SealUnlockKey(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> unlockKey) =>
        SealPrefix + Convert.ToBase64String(Encrypt(dataKey, unlockKey, UnlockKeyAssociated));

    /// <exception cref="CryptographicException">Not sealed under this data key.</exception>
    public static byte[] OpenUnlockKey(ReadOnlySpan<byte> dataKey, string sealedKey)
    {
        if (!sealedKey.StartsWith(SealPrefix, StringComparison.Ordinal)) throw new CryptographicException("unlock key: not a sealed payload");
        return Decrypt(dataKey, Convert.FromBase64String(sealedKey[SealPrefix.Length..]), UnlockKeyAssociated, "unlock key");
    }

    private static readonly byte[] UnlockKeyAssociated = Encoding.UTF8.GetBytes("eventswarm manager unlock key");

    private static byte[] Associated(string purpose) => Encoding.UTF8.GetBytes($"eventswarm wrapped {purpose}");

    private static byte[] Kek(ReadOnlySpan<byte> unlockKey, string purpose)
    {
        var kek = new byte[SecretCipher.KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, unlockKey, kek, salt: [], info: Encoding.UTF8.GetBytes($"eventswarm kek v1 {purpose}"));
        return kek;
    }

    private static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plain, byte[] associated)
    {
        using var aes = new AesGcm(key, TagSize);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), associated);
        return sealedBytes;
    }

    private static byte[] Decrypt(ReadOnlySpan<byte> key, byte[] bytes, byte[] associated, string what)
    {
        if (bytes.Length < NonceSize + TagSize) throw new CryptographicException($"{what}: sealed payload too short");
        var plain = new byte[bytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, plain.Length), bytes.AsSpan(NonceSize + plain.Length), plain, associated);
        return plain;
    }
}
