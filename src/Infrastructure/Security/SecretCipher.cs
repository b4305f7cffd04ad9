using System.Security.Cryptography;
using System.Text;
using EventSwarm.Application;
using EventSwarm.Application.Secrets;

namespace EventSwarm.Infrastructure.Security;

/// <summary>
/// AES-256-GCM from the .NET runtime (OpenSSL underneath, AES-NI where the CPU has it): an AEAD, so a sealed
/// payload that was altered, or moved to another secret or version (both are bound in as associated data), does
/// not open; no package beyond the runtime, and the same primitive TLS 1.3 uses between the nodes. A random
/// 96-bit nonce per seal is safe for far more seals than a swarm makes with one key (2^32).
/// Sealed form: "aes256gcm:" + base64(nonce ‖ ciphertext ‖ tag).
/// </summary>
public sealed class SecretCipher(ClusterSecrets secrets) : ISecretCipher
{
    public const int KeySize = 32;
    private const string Prefix = "aes256gcm:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string Seal(string secretId, long dataVersion, ReadOnlySpan<byte> data)
    {
        using var aes = new AesGcm(Key(), TagSize);
        var sealedBytes = new byte[NonceSize + data.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceSize, data.Length), sealedBytes.AsSpan(NonceSize + data.Length), Associated(secretId, dataVersion));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    public byte[] Open(string secretId, long dataVersion, string sealedData)
    {
        if (!sealedData.StartsWith(Prefix, StringComparison.Ordinal))
            throw new CryptographicException($"secret {secretId} version {dataVersion}: not a sealed payload");
        var bytes = Convert.FromBase64String(sealedData[Prefix.Length..]);
        if (bytes.Length < NonceSize + TagSize) throw new CryptographicException($"secret {secretId} version {dataVersion}: sealed payload too short");
        var plain = new byte[bytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Key(), TagSize);
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, plain.Length), bytes.AsSpan(NonceSize + plain.Length), plain, Associated(secretId, dataVersion));
        return plain;
    }

    private byte[] Key() => secrets.DataKey()
        ?? throw RequestErrors.Unavailable("this node holds no key for secret data: only managers of a swarm seal and open secrets");

    private static byte[] Associated(string secretId, long dataVersion) => Encoding.UTF8.GetBytes($"eventswarm secret {secretId} v{dataVersion}");
}
