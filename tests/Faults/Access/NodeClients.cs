using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EventSwarm.Domain.Nodes;
using EventSwarm.IntegrationTests.Cluster;
using EventSwarm.Node.Manager;

namespace EventSwarm.Faults.Access;

/// <summary>HTTPS clients to an agent's swarm listener, as another node would call it (or a stranger would).</summary>
internal static class NodeClients
{
    /// <summary>A client presenting the agent's own node certificate: a manager of its swarm, as a follower would be.</summary>
    public static HttpClient AsTheAgentItself(LocalAgent agent)
    {
        var certificates = Path.Combine(agent.DataDirectory, "certificates");
        return WithCertificate(agent, File.ReadAllText(Path.Combine(certificates, "node.crt")), File.ReadAllText(Path.Combine(certificates, "node.key")));
    }

    public static HttpClient WithCertificate(LocalAgent agent, string certificatePem, string keyPem)
    {
        // Re-imported through PKCS#12: Linux TLS does not present a certificate whose key is an ephemeral PEM import.
        using var loaded = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        var certificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        return Client(agent, certificate);
    }

    public static HttpClient Anonymous(LocalAgent agent) => Client(agent, null);

    private static HttpClient Client(LocalAgent agent, X509Certificate2? certificate) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
            // The test trusts the agent it started; what is under test is how the agent treats its caller.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        },
    })
    { BaseAddress = new Uri($"https://{agent.ListenAddress}"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A worker certificate for a node that joins through the agent's join endpoint (no worker process behind it).</summary>
    public static async Task<(string NodeId, HttpClient Client)> JoinedWorkerAsync(LocalAgent agent)
    {
        var token = (await agent.EventSwarm("swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var http = agent.Http();
        using var joined = await http.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest
        {
            Token = token,
            Role = "worker",
            Address = "127.0.0.2",
            CertificateSigningRequest = new CertificateRequest("CN=ghost", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
            Description = new NodeDescription("ghost", "20.10.24", "linux", "x86_64", 1_000_000_000, 1 << 30),
        });
        Assert.True(joined.IsSuccessStatusCode, await joined.Content.ReadAsStringAsync());
        var response = (await joined.Content.ReadFromJsonAsync<JoinResponse>())!;
        return (response.NodeId, WithCertificate(agent, response.Certificate, key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>Who the audit trail says caused each event (metadata.actor), read from the agent's socket.</summary>
    public static async Task<IReadOnlyList<string>> ActorsAsync(LocalAgent agent)
    {
        using var http = agent.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("/eventswarm/v1/events"));
        return json.RootElement.EnumerateArray().Select(e => e.GetProperty("metadata").GetProperty("actor").GetString() ?? "").ToList();
    }

    public static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
