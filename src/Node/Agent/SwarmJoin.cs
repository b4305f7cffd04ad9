using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Docker.DotNet.Models;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Api;

namespace EventSwarm.Node.Agent;

/// <summary>
/// The joiner's half of `swarm join`: fetch the manager's root CA, trust it only if its digest is the one in the
/// token, then send the token and a CSR over TLS pinned to that CA, and keep the signed certificate.
/// </summary>
public sealed class SwarmJoin(LocalNode local, ClusterSecrets secrets, Membership membership, ClusterProjection projection, AgentOptions options,
    RoleChange roles)
{
    public async Task JoinAsync(SwarmJoinParameters request, CancellationToken ct)
    {
        if (projection.Current.Swarm is not null || membership.IsWorker)
            throw Rejected(ErrorKind.Conflict, "This node is already part of a swarm. Use \"eventswarm swarm leave\" to leave this swarm and join another one.");
        var remote = request.RemoteAddrs?.FirstOrDefault() ?? throw new BadRequestException("the address of a manager is required");
        if (!remote.Contains(':')) remote += ":2377";
        if (!JoinToken.TryParse(request.JoinToken ?? "", out var token, out var error)) throw new BadRequestException(error);

        string caPem;
        using (var untrusted = Client(remote, (_, _, _, _) => true))
        {
            caPem = await Call(() => untrusted.GetStringAsync("/eventswarm/v1/swarm/ca", ct), remote);
        }
        using var ca = X509Certificate2.CreateFromPem(caPem);
        if (JoinToken.DigestOf(ca.RawData) != token!.CaDigest)
            throw new BadRequestException($"the manager at {remote} presented a root CA that does not match the join token's digest; refusing to join");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var description = await local.DescriptionAsync(ct);
        var advertise = !string.IsNullOrEmpty(request.AdvertiseAddr) ? request.AdvertiseAddr.Split(':')[0] : options.ListenEndpoint?.Address.ToString() ?? "";
        using var pinned = Client(remote, (_, certificate, _, _) => certificate is not null && ClusterSecrets.IsSignedBy(new X509Certificate2(certificate), ca));
        var response = await Call(() => pinned.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest
        {
            Token = request.JoinToken,
            NodeId = local.NodeId,
            Role = "worker",
            CertificateSigningRequest = new CertificateRequest($"CN={local.NodeId}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
            Address = advertise,
            Description = description,
            Manager = options.ManagerEndpoints,
        }, DockerJson.Options, ct), remote);
        if (!response.IsSuccessStatusCode)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            throw new BadRequestException(body.RootElement.GetProperty("message").GetString() ?? "join refused");
        }
        var joined = (await response.Content.ReadFromJsonAsync<JoinResponse>(DockerJson.Options, ct))!;
        secrets.SaveNodeIdentity(joined.Certificate, key.ExportPkcs8PrivateKeyPem(), joined.CaCertificate);
        if (joined.ManagerMaterial is not { } material)
        {
            membership.BecomeWorker(remote);
            return;
        }
        secrets.ImportManagerMaterial(material);
        try
        {
            await roles.BecomeManagerAsync(remote, 0, ct);
        }
        catch (TimeoutException e)
        {
            throw Rejected(ErrorKind.Unavailable, $"{e.Message}; it keeps trying");
        }
    }

    private static HttpClient Client(string remote, RemoteCertificateValidationCallback validate) =>
        new(new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validate }, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri($"https://{remote}"),
            Timeout = TimeSpan.FromSeconds(20),
        };

    private static async Task<T> Call<T>(Func<Task<T>> call, string remote)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException e)
        {
            throw Rejected(ErrorKind.Unavailable, $"could not reach the manager at {remote}: {e.Message}");
        }
    }

    private static CommandRejectedException Rejected(ErrorKind kind, string message) => new(new DomainError(kind, message));
}
