using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EventSwarm.Domain.Nodes;
using EventSwarm.IntegrationTests.Cluster;
using EventSwarm.Node.Manager;

namespace EventSwarm.IntegrationTests.Swarm;

/// <summary>The manager's side of `swarm join`: token checks and the node certificate it signs.</summary>
public sealed class Join_handshake_Tests
{
    private static readonly NodeDescription Joiner = new("n2", "20.10.24", "linux", "x86_64", 2_000_000_000, 1 << 30);

    [Fact]
    public async Task Bad_tokens_are_refused_and_append_nothing_and_a_good_one_gets_a_node_certificate_signed_by_the_swarm_CA()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        using var http = agent.Http();
        var worker = (await agent.EventSwarm("swarm", "join-token", "-q", "worker")).ShouldSucceed().Output.Trim();
        var manager = (await agent.EventSwarm("swarm", "join-token", "-q", "manager")).ShouldSucceed().Output.Trim();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=joiner", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

        (await agent.Docker("swarm", "join-token", "--rotate", "worker")).ShouldSucceed();
        var before = await agent.LogLengthAsync();
        var refusals = new (string Token, string Role, string Message)[]
        {
            ("SWMTKN-1-garbage", "worker", "invalid join token: expected SWMTKN-1-"),
            (worker, "worker", "the secret is wrong or has been rotated"),
            (worker[..9] + new string('0', 50) + manager[59..], "manager", "made for another swarm"),
            ((await agent.EventSwarm("swarm", "join-token", "-q", "worker")).Output.Trim(), "manager", "a worker join token cannot be used to join as a manager"),
            (manager, "manager", "this node cannot join as a manager: other managers could not reach it"),
        };
        foreach (var (token, role, message) in refusals)
        {
            var refused = await http.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest { Token = token, Role = role, CertificateSigningRequest = csr, Address = "10.200.0.12", Description = Joiner });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(message, await refused.Content.ReadAsStringAsync());
        }
        var current = (await agent.EventSwarm("swarm", "join-token", "-q", "worker")).Output.Trim();
        var badCsr = await http.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest { Token = current, Role = "worker", CertificateSigningRequest = "not a csr", Address = "10.200.0.12", Description = Joiner });
        Assert.Contains("invalid certificate signing request", await badCsr.Content.ReadAsStringAsync());
        Assert.Equal(before, await agent.LogLengthAsync());

        var joined = await http.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest { Token = current, Role = "worker", CertificateSigningRequest = csr, Address = "10.200.0.12", Description = Joiner });
        Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        var response = (await joined.Content.ReadFromJsonAsync<JoinResponse>())!;
        using var certificate = X509Certificate2.CreateFromPem(response.Certificate);
        using var ca = X509Certificate2.CreateFromPem(response.CaCertificate);
        Assert.Equal("worker", response.Role);
        Assert.Contains($"CN={response.NodeId}", certificate.Subject);
        Assert.Contains("OU=swarm-worker", certificate.Subject);
        Assert.Equal("CN=swarm-ca", certificate.Issuer);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck } };
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Contains(response.NodeId, (await agent.EventSwarm("node", "ls")).ShouldSucceed().Output);
        Assert.Equal(await http.GetStringAsync("/eventswarm/v1/swarm/ca"), response.CaCertificate);
    }
}
