namespace EventSwarm.Application.Secrets;

/// <summary>
/// Seals secret data before it is decided on, so the log, its snapshots and every copy of the state hold
/// ciphertext only, and opens it for a task that reads it. The key is the managers' alone (see SecretCipher).
/// </summary>
public interface ISecretCipher
{
    /// <summary>Sealed for one secret's one version: a payload moved to another secret or version does not open.</summary>
    string Seal(string secretId, long dataVersion, ReadOnlySpan<byte> data);

    byte[] Open(string secretId, long dataVersion, string sealedData);
}
