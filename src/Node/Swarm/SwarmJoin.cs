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
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Swarm;

/// <summary>
/// The joiner's half of `swarm join`: fetch the manager's root CA, trust it only if its digest is the one in the
/// token, then send the token and a CSR over TLS pinned to that CA, and keep the signed certificate. The node
/// listens for the others from then on, at the addresses the join chose (<see cref="SwarmAddresses.ForJoin"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class SwarmJoin(LocalNode local, ClusterSecrets secrets, Membership membership, ClusterProjection projection, AgentOptions options,
    RoleChange roles, SwarmLifecycle lifecycle)
{
    /// <summary>
    /// The join exchange in System.Text.Json's web defaults: the manager reads its requests case-insensitively
    /// (Api/JoinEndpoints, Docker's conventions), as the node clients of the tests and the fault suite send them.
    /// </summary>
    private static readonly JsonSerializerOptions NodeJson = JsonSerializerOptions.Web;

    public async Task JoinAsync(SwarmJoinParameters request, CancellationToken ct)
    {
        using var step = await lifecycle.BeginStepAsync(ct);
        if (lifecycle.InSwarm) throw SwarmLifecycle.AlreadyInSwarm();
        // Docker checks the request before it goes anywhere: a manager to join through and a token.
        var remote = request.RemoteAddrs?.FirstOrDefault(a => !string.IsNullOrWhiteSpace(a)) ?? throw new BadRequestException("at least 1 RemoteAddr is required to join");
        if (!remote.Contains(':')) remote += ":2377";
        // Docker refuses a malformed token from deep inside swarmkit, hence its 500.
        if (!JoinToken.TryParse(request.JoinToken ?? "", out var token, out var error)) throw RequestErrors.Internal(error);
        var (listen, advertise) = SwarmAddresses.ForJoin(request.ListenAddr, request.AdvertiseAddr, options);

        string caPem;
        System.Net.IPAddress? seenFrom = null;
        // Docker's join: the CA is fetched without trusting anyone yet, then checked against the digest in the token
        // below before anything else is sent.
#pragma warning disable CA5359
        using (var untrusted = Client(remote, (_, _, _, _) => true, local => seenFrom = local))
#pragma warning restore CA5359
        {
            caPem = await Call(() => untrusted.GetStringAsync("/eventswarm/v1/swarm/ca", ct), remote);
        }
        using var ca = X509Certificate2.CreateFromPem(caPem);
        if (JoinToken.DigestOf(ca.RawData) != token!.CaDigest)
            throw new BadRequestException($"the manager at {remote} presented a root CA that does not match the join token's digest; refusing to join");

        // Without an advertise address, the node is known by the address it reaches the manager from.
        var addresses = SwarmAddresses.Build(listen, advertise ?? new System.Net.IPEndPoint(seenFrom ?? throw new BadRequestException(
            "could not tell which address this node reaches the manager from; give --advertise-addr"), listen.Port), request.DataPathAddr, options);
        lifecycle.Listen(addresses);
        try
        {
            await JoinThroughAsync(remote, request.JoinToken!, ca, addresses, ct);
        }
        catch (Exception e) when (!(e is CommandRejectedException { Error.Kind: ErrorKind.Unavailable } && membership.IsManagerThatJoined))
        {
            // Refused or unreachable: nothing of the attempt stays (a manager whose catch-up is late keeps trying).
            await lifecycle.ForgetSwarmAsync();
            throw;
        }
    }

    private async Task JoinThroughAsync(string remote, string joinToken, X509Certificate2 ca, SwarmAddresses addresses, CancellationToken ct)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var description = await local.DescriptionAsync(ct);
        using var pinned = Client(remote, (_, certificate, _, _) => certificate is not null && ClusterSecrets.IsSignedBy(new X509Certificate2(certificate), ca));
        var response = await Call(() => pinned.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest
        {
            Token = joinToken,
            NodeId = local.NodeId,
            Role = "worker",
            CertificateSigningRequest = new CertificateRequest($"CN={local.NodeId}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
            Address = addresses.AdvertiseIp,
            Description = description,
            Manager = addresses.Manager,
        }, NodeJson, ct), remote);
        if (!response.IsSuccessStatusCode)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            throw new BadRequestException(body.RootElement.GetProperty("message").GetString() ?? "join refused");
        }
        var joined = (await response.Content.ReadFromJsonAsync<JoinResponse>(NodeJson, ct))!;
        secrets.SaveNodeIdentity(joined.Certificate, key.ExportPkcs8PrivateKeyPem(), joined.CaCertificate);
        if (joined.ManagerMaterial is not { } material)
        {
            membership.BecomeWorker(remote);
            // `docker swarm join` returns once the node is in the swarm: /info says active from then on. The feed
            // from the manager brings the state; a slow one is no failure (the node is joined), so the wait is short.
            for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); !projection.Current.Nodes.ContainsKey(local.NodeId) && DateTime.UtcNow < deadline;)
                await projection.WaitForChangeAsync(projection.Current.LastSequence, TimeSpan.FromMilliseconds(200), ct);
            return;
        }
        secrets.ImportManagerMaterial(material);
        try
        {
            await roles.BecomeManagerAsync(remote, 0, ct);
        }
        catch (TimeoutException e)
        {
            throw RequestErrors.Unavailable($"{e.Message}; it keeps trying");
        }
    }

    private static HttpClient Client(string remote, RemoteCertificateValidationCallback validate, Action<System.Net.IPAddress>? connectedFrom = null) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validate },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                if (socket.LocalEndPoint is System.Net.IPEndPoint { } at)
                    connectedFrom?.Invoke(at.Address.IsIPv4MappedToIPv6 ? at.Address.MapToIPv4() : at.Address);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        })
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
            throw RequestErrors.Unavailable($"could not reach the manager at {remote}: {e.Message}");
        }
    }
}
