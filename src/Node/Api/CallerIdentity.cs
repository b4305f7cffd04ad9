using System.Net.Sockets;
using EventSwarm.Application;
using Microsoft.AspNetCore.Connections.Features;

namespace EventSwarm.Node.Api;

/// <summary>What the kernel says about the process at the other end of a unix socket (SO_PEERCRED, SO_PEERGROUPS).</summary>
public sealed record PeerCredentials(int Pid, int Uid, int Gid, IReadOnlyList<int> Groups);

/// <summary>
/// Who is calling, for the audit trail: on the unix socket the kernel tells the peer's uid and pid (SO_PEERCRED),
/// which no client can forge. The correlation ID is the client's X-Correlation-Id, or a fresh one.
/// </summary>
public static class CallerIdentity
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;
    private static readonly object CredentialsKey = new();

    public static Caller Of(HttpContext context)
    {
        var correlation = context.Request.Headers.TryGetValue("X-Correlation-Id", out var given) && given.Count > 0
            ? given.ToString()
            : Ids.NewBatchId();
        return new Caller(Identity(context), correlation);
    }

    /// <summary>True when the request came over the unix socket (a TCP connection has a local IP address).</summary>
    public static bool IsLocalSocket(HttpContext context) =>
        context.Features.Get<IConnectionSocketFeature>()?.Socket is { AddressFamily: AddressFamily.Unix };

    /// <summary>
    /// The peer's credentials as the kernel recorded them at connect(), read once per connection; null on TCP or
    /// when the kernel does not say.
    /// </summary>
    public static PeerCredentials? PeerOf(HttpContext context)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily != AddressFamily.Unix) return null;
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(CredentialsKey, out var cached)) return (PeerCredentials?)cached;
        var credentials = Read(socket);
        if (items is not null) items[CredentialsKey] = credentials;
        return credentials;
    }

    private static PeerCredentials? Read(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < 12) return null;
        }
        catch (SocketException)
        {
            return null;
        }
        var groups = new List<int>();
        // The peer's supplementary groups (Linux ≥ 4.13): a user is in a group through them as often as through
        // its primary gid, and the file mode that let it connect counted both.
        var buffer = new byte[4 * 1024];
        try
        {
            var length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
            for (var i = 0; i + 4 <= length; i += 4) groups.Add(BitConverter.ToInt32(buffer, i));
        }
        catch (SocketException)
        {
        }
        return new PeerCredentials(BitConverter.ToInt32(ucred[..4]), BitConverter.ToInt32(ucred[4..8]), BitConverter.ToInt32(ucred[8..12]), groups);
    }

    private static string Identity(HttpContext context)
    {
        if (!IsLocalSocket(context))
            return context.Connection.RemoteIpAddress is { } ip ? $"tcp:{ip}" : "unknown";
        return PeerOf(context) is { } peer ? $"unix:{UserName(peer.Uid)}(uid={peer.Uid},pid={peer.Pid})" : "unix:unknown";
    }

    /// <summary>Names by uid: every API call is attributed, and reading /etc/passwd each time cost 5 % of a busy manager.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> UserNames = new();

    public static string UserName(int uid) => UserNames.GetOrAdd(uid, ReadUserName);

    private static string ReadUserName(int uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == uid.ToString()) return fields[0];
            }
        }
        catch (IOException)
        {
        }
        return uid.ToString();
    }
}
