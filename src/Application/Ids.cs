using System.Security.Cryptography;

namespace EventSwarm.Application;

/// <summary>Docker-style identifiers: 25 lower-case base-36 characters, 128 random bits.</summary>
public static class Ids
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string NewId()
    {
        Span<char> chars = stackalloc char[25];
        Span<byte> bytes = stackalloc byte[25];
        RandomNumberGenerator.Fill(bytes);
        for (var i = 0; i < chars.Length; i++) chars[i] = Alphabet[bytes[i] % 36];
        return new string(chars);
    }

    public static string NewBatchId() => Guid.NewGuid().ToString("N");
}
