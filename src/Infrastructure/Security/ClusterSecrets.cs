using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;

namespace EventSwarm.Infrastructure.Security;

/// <summary>
/// What must never enter the log: the root CA's private key and the join secrets in clear. They live in the
/// manager's data directory, readable by root only; the log carries the CA certificate and the secrets' hashes.
/// With autolock (Swarm's), the data key, the node's TLS key, the CA key and the join secrets are kept wrapped
/// under a key derived from the swarm's unlock key (<see cref="KeyWrap"/>): a manager restarted with them is locked
/// (<see cref="IsLocked"/>) and holds none of them until <see cref="Unlock"/> is given the key, which then stays in
/// memory only, as Swarm keeps its KEK, so that the files can be rewrapped when the key rotates.
/// </summary>
public sealed class ClusterSecrets(string dataDirectory)
{
    private readonly object _gate = new();
    private X509Certificate2? _nodeCertificate;
    private byte[]? _dataKey;
    /// <summary>The unlock key the protected files are wrapped with; null while they are in clear (or still locked).</summary>
    private byte[]? _unlockKey;
    private bool _locked = StartsLocked(Path.Combine(dataDirectory, "certificates"));

    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private string Directory => Path.Combine(dataDirectory, "certificates");
    private string TokensFile => Path.Combine(Directory, "join-secrets.json");
    private string DataKeyFile => Path.Combine(Directory, "data-key");
    private string CaKeyFile => Path.Combine(Directory, "ca.key");
    private string NodeKeyFile => Path.Combine(Directory, "node.key");

    /// <summary>
    /// What autolock wraps: everything on a manager's disk that would let a thief of the disk read the swarm's
    /// secrets (the data key), pose as the node (its TLS key), or mint a manager and be handed the data key (the CA
    /// key, the join secrets). The certificates and the CA certificate are public and stay in clear.
    /// </summary>
    private static readonly string[] ProtectedFiles = ["data-key", "node.key", "ca.key", "join-secrets.json"];

    /// <summary>Locked: the agent started with wrapped keys and has not been given the unlock key yet.</summary>
    public bool IsLocked
    {
        get
        {
            lock (_gate) return _locked;
        }
    }

    /// <summary>Whether the keys on disk are wrapped under an unlock key (false while locked: not known yet).</summary>
    public bool IsWrapped
    {
        get
        {
            lock (_gate) return _unlockKey is not null;
        }
    }

    private static bool StartsLocked(string directory) =>
        ProtectedFiles.Select(f => Path.Combine(directory, f)).Any(f => File.Exists(f) && KeyWrap.IsWrapped(File.ReadAllText(f)));

    /// <summary>
    /// `swarm unlock`: every wrapped file must open with the key, or nothing changes (the node stays locked). The
    /// files stay wrapped; their contents are read through the key from now on.
    /// </summary>
    /// <returns>False when the key is not the one the files were wrapped with.</returns>
    public bool Unlock(byte[] unlockKey)
    {
        lock (_gate)
        {
            if (!_locked) return true;
            try
            {
                foreach (var file in ProtectedFiles.Select(f => Path.Combine(Directory, f)).Where(File.Exists))
                {
                    var text = File.ReadAllText(file);
                    if (KeyWrap.IsWrapped(text)) KeyWrap.Unwrap(unlockKey, Path.GetFileName(file), text);
                }
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                return false;
            }
            _unlockKey = [.. unlockKey];
            _locked = false;
            _dataKey = null;
            _nodeCertificate = null;
            return true;
        }
    }

    /// <summary>
    /// Autolock turned on, its key rotated, or turned off (null): the protected files are written again, wrapped
    /// under the new key or in clear. Nothing happens while locked (the keys are not readable) or when the files
    /// already are as asked. Each file is replaced atomically; the key in memory moves with them.
    /// </summary>
    /// <returns>Whether the files were rewritten.</returns>
    public bool ApplyUnlockKey(byte[]? unlockKey)
    {
        lock (_gate)
        {
            if (_locked) return false;
            if (_unlockKey is null ? unlockKey is null : unlockKey is not null && CryptographicOperations.FixedTimeEquals(_unlockKey, unlockKey)) return false;
            var plain = ProtectedFiles.Select(f => Path.Combine(Directory, f)).Where(File.Exists)
                .Select(f => (File: f, Content: ReadProtected(f)!)).ToList();
            _unlockKey = unlockKey is null ? null : [.. unlockKey];
            foreach (var (file, content) in plain) WriteProtected(file, content);
            return true;
        }
    }

    /// <summary>A protected file's content in clear; null when absent, or wrapped while the node is locked.</summary>
    private string? ReadProtected(string file)
    {
        lock (_gate)
        {
            if (!File.Exists(file)) return null;
            var text = File.ReadAllText(file);
            if (!KeyWrap.IsWrapped(text)) return text;
            return _unlockKey is { } key ? System.Text.Encoding.UTF8.GetString(KeyWrap.Unwrap(key, Path.GetFileName(file), text)) : null;
        }
    }

    /// <summary>Written wrapped under the unlock key while autolock is on, in clear otherwise.</summary>
    private void WriteProtected(string file, string content)
    {
        lock (_gate)
            Write(file, _unlockKey is { } key ? KeyWrap.Wrap(key, Path.GetFileName(file), System.Text.Encoding.UTF8.GetBytes(content)) : content, OwnerOnly);
    }

    /// <summary>A new root CA (Swarm's: CN=swarm-ca, ECDSA P-256, 20 years, backdated 1 h) and two join secrets, not yet saved.</summary>
    public static NewCluster Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=swarm-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddYears(20));
        var worker = JoinToken.NewSecret();
        var manager = JoinToken.NewSecret();
        var digest = JoinToken.DigestOf(certificate.RawData);
        return new NewCluster(
            new ClusterCredentials(certificate.ExportCertificatePem(), digest, JoinToken.HashOf(worker), JoinToken.HashOf(manager)),
            key.ExportPkcs8PrivateKeyPem(), worker, manager, Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretCipher.KeySize)));
    }

    /// <summary>Called once the swarm's creation is committed, so a refused init leaves nothing behind.</summary>
    public void Save(NewCluster cluster)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Write(Path.Combine(Directory, "ca.crt"), cluster.Credentials.CaCertificatePem, OwnerOnly);
        WriteProtected(CaKeyFile, cluster.CaPrivateKeyPem);
        WriteSecrets(new Secrets(cluster.WorkerSecret, cluster.ManagerSecret));
        SaveDataKey(cluster.DataKey);
    }

    public void SaveSecret(NodeRole role, string secret)
    {
        var current = ReadSecrets() ?? new Secrets("", "");
        WriteSecrets(role == NodeRole.Worker ? current with { Worker = secret } : current with { Manager = secret });
    }

    /// <summary>
    /// What every manager must hold to admit nodes: the CA's key (to sign their certificates) and the join secrets.
    /// Handed to a joining manager over TLS pinned to the CA, after its manager token was checked.
    /// </summary>
    public ManagerMaterial? ExportManagerMaterial()
    {
        return ReadProtected(CaKeyFile) is { } key && ReadSecrets() is { } secrets
            ? new ManagerMaterial(key, secrets.Worker, secrets.Manager, DataKey() is { } dataKey ? Convert.ToBase64String(dataKey) : null)
            : null;
    }

    public void ImportManagerMaterial(ManagerMaterial material)
    {
        System.IO.Directory.CreateDirectory(Directory);
        WriteProtected(CaKeyFile, material.CaPrivateKeyPem);
        WriteSecrets(new Secrets(material.WorkerSecret, material.ManagerSecret));
        if (material.DataKey is { } dataKey) SaveDataKey(dataKey);
    }

    /// <summary>
    /// The key that seals secret data before it enters the log (the DEK of Swarm's design), made at `swarm init`
    /// and handed to every manager over the mTLS join; workers never hold it. Null on a node that has none.
    /// </summary>
    public byte[]? DataKey()
    {
        lock (_gate)
        {
            if (_dataKey is not null) return _dataKey;
            return ReadProtected(DataKeyFile) is { } text ? _dataKey = Convert.FromBase64String(text.Trim()) : null;
        }
    }

    private void SaveDataKey(string base64)
    {
        System.IO.Directory.CreateDirectory(Directory);
        lock (_gate)
        {
            WriteProtected(DataKeyFile, base64);
            _dataKey = null;
        }
    }

    /// <summary>The node a peer's certificate names and whether it is a manager's, if the swarm's CA signed it.</summary>
    public (string NodeId, bool IsManager)? Identify(X509Certificate2? certificate)
    {
        if (certificate is null || CurrentCa() is not { } ca) return null;
        // Every request of every worker is identified: building the chain each time took two cores' worth of a
        // manager serving 500 simulated nodes (issue 16's profile). A verdict is kept for a while per certificate
        // and CA, by their SHA-256 digests; a new CA (leave, join) is another key, and expiry is seen within minutes.
        var key = (certificate.GetCertHashString(HashAlgorithmName.SHA256), ca.Digest);
        var now = DateTime.UtcNow;
        if (_identified.TryGetValue(key, out var known) && known.Until > now) return known.Identity;
        (string NodeId, bool IsManager)? identity = null;
        if (IsSignedBy(certificate, ca.Certificate))
        {
            var nodeId = certificate.GetNameInfo(X509NameType.SimpleName, false);
            identity = string.IsNullOrEmpty(nodeId) ? null : (nodeId, certificate.Subject.Contains("OU=swarm-manager", StringComparison.Ordinal));
        }
        if (_identified.Count >= IdentitiesKept) _identified.Clear();
        _identified[key] = (now + IdentityKept, identity);
        return identity;
    }

    private const int IdentitiesKept = 100_000;
    private static readonly TimeSpan IdentityKept = TimeSpan.FromMinutes(5);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Certificate, string Ca), (DateTime Until, (string NodeId, bool IsManager)? Identity)> _identified = new();
    private (DateTime Written, long Length, X509Certificate2 Certificate, string Digest)? _ca;

    /// <summary>The root CA as on disk, parsed again only when the file changes (one stat per request, not a read and a parse).</summary>
    private (X509Certificate2 Certificate, string Digest)? CurrentCa()
    {
        var file = new FileInfo(Path.Combine(Directory, "ca.crt"));
        if (!file.Exists) return null;
        var cached = _ca;
        if (cached is { } c && c.Written == file.LastWriteTimeUtc && c.Length == file.Length) return (c.Certificate, c.Digest);
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file.FullName));
        _ca = (file.LastWriteTimeUtc, file.Length, certificate, certificate.GetCertHashString(HashAlgorithmName.SHA256));
        return (certificate, _ca.Value.Digest);
    }

    /// <summary>
    /// Reads a joiner's certificate signing request; a malformed one or one whose signature does not verify is
    /// refused before anything is decided.
    /// </summary>
    public static CertificateRequest ReadSigningRequest(string pem)
    {
        try
        {
            return CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"invalid certificate signing request: {e.Message}");
        }
    }

    /// <summary>
    /// Swarm's node certificate: CN=&lt;node id&gt;, OU=swarm-manager|swarm-worker (the role, which authorisation reads),
    /// O=&lt;cluster id&gt;, 90 days, backdated 1 h, for both TLS server and client use.
    /// </summary>
    public string IssueNodeCertificate(CertificateRequest signingRequest, string nodeId, NodeRole role, string clusterId, DateTimeOffset now)
    {
        var dir = Directory;
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, "ca.crt")),
            ReadProtected(CaKeyFile) ?? throw new InvalidOperationException("this manager is locked or holds no CA key"));
        var subject = new X500DistinguishedName($"CN={nodeId}, OU={(role == NodeRole.Manager ? "swarm-manager" : "swarm-worker")}, O={clusterId}");
        var request = new CertificateRequest(subject, signingRequest.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddDays(90), RandomNumberGenerator.GetBytes(16));
        return certificate.ExportCertificatePem();
    }

    /// <summary>This node's own certificate and key, signed by the swarm's CA (issued at init, or received at join).</summary>
    public void SaveNodeIdentity(string certificatePem, string privateKeyPem, string caCertificatePem)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Write(Path.Combine(Directory, "node.crt"), certificatePem, OwnerOnly);
        WriteProtected(NodeKeyFile, privateKeyPem);
        if (!File.Exists(Path.Combine(Directory, "ca.crt")))
            Write(Path.Combine(Directory, "ca.crt"), caCertificatePem, OwnerOnly);
        lock (_gate) _nodeCertificate = null;
    }

    /// <summary>
    /// Demoted: what only managers hold (the CA key, the join secrets, the data key) is deleted, so a worker never
    /// holds a key that opens the swarm's secrets; the node's own certificate stays, and its key goes back to clear
    /// (autolock is the managers': a worker restarts unlocked, as in Swarm).
    /// </summary>
    public void DropManagerMaterial()
    {
        lock (_gate)
        {
            foreach (var file in new[] { CaKeyFile, TokensFile, DataKeyFile })
                if (File.Exists(file)) File.Delete(file);
            _dataKey = null;
            ApplyUnlockKey(null);
        }
    }

    /// <summary>Left the swarm: the node certificate, its key, the CA and any join secrets are deleted.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
            _nodeCertificate = null;
            _dataKey = null;
            _unlockKey = null;
            _locked = false;
        }
    }

    /// <summary>A manager signs its own node certificate right after `swarm init`.</summary>
    public void IssueOwnCertificate(string nodeId, NodeRole role, string clusterId, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={nodeId}", key, HashAlgorithmName.SHA256);
        var pem = IssueNodeCertificate(csr, nodeId, role, clusterId, now);
        SaveNodeIdentity(pem, key.ExportPkcs8PrivateKeyPem(), File.ReadAllText(Path.Combine(Directory, "ca.crt")));
    }

    /// <summary>The TLS identity this node presents, or null before it is part of a swarm.</summary>
    public X509Certificate2? NodeCertificate()
    {
        lock (_gate)
        {
            if (_nodeCertificate is not null) return _nodeCertificate;
            var cert = Path.Combine(Directory, "node.crt");
            if (!File.Exists(cert) || ReadProtected(NodeKeyFile) is not { } key) return null;
            // Exported and re-imported: Linux TLS wants a certificate whose key is not an ephemeral PEM import.
            using var loaded = X509Certificate2.CreateFromPem(File.ReadAllText(cert), key);
            return _nodeCertificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>The swarm's root CA as on disk; one instance shared by every caller until the file changes (not to be disposed).</summary>
    public X509Certificate2? CaCertificate() => CurrentCa()?.Certificate;

    /// <summary>Whether a peer's certificate chains to this swarm's root CA (mutual TLS between nodes).</summary>
    public static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        return chain.Build(certificate);
    }

    /// <summary>The full token for a role, when this manager holds the secret and it matches the committed hash.</summary>
    public string? Token(NodeRole role, SwarmInfo swarm)
    {
        if (ReadSecrets() is not { } secrets || swarm.CaDigest is null) return null;
        var (secret, hash) = role == NodeRole.Worker ? (secrets.Worker, swarm.WorkerSecretHash) : (secrets.Manager, swarm.ManagerSecretHash);
        return secret.Length > 0 && JoinToken.HashOf(secret) == hash ? new JoinToken(swarm.CaDigest, secret).ToString() : null;
    }

    private Secrets? ReadSecrets() =>
        ReadProtected(TokensFile) is { } text ? JsonSerializer.Deserialize<Secrets>(text) : null;

    private void WriteSecrets(Secrets secrets) => WriteProtected(TokensFile, JsonSerializer.Serialize(secrets));

    /// <summary>Created with its final mode and renamed into place, so the secret is never readable by others, even briefly.</summary>
    private static void Write(string path, string content, UnixFileMode mode)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var writer = new StreamWriter(stream))
            writer.Write(content);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record Secrets(string Worker, string Manager);
}

/// <summary>Secret: never logged, never in the Raft log; only in a manager's certificates directory (0600).</summary>
/// <param name="DataKey">The key that seals secret data (base64); null from a manager of a swarm made before secrets existed.</param>
public sealed record ManagerMaterial(string CaPrivateKeyPem, string WorkerSecret, string ManagerSecret, string? DataKey = null)
{
    public override string ToString() => "ManagerMaterial { *** }";
}

public sealed record NewCluster(ClusterCredentials Credentials, string CaPrivateKeyPem, string WorkerSecret, string ManagerSecret, string DataKey)
{
    public override string ToString() => $"NewCluster {{ {Credentials} }}";
}
