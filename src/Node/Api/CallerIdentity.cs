using System.Net.Sockets;
using EventSwarm.Application;
using Microsoft.AspNetCore.Connections.Features;

namespace EventSwarm.Node.Api;

/// <summary>
/// Who is calling, for the audit trail: on the unix socket the kernel tells the peer's uid and pid (SO_PEERCRED),
/// which no client can forge. The correlation ID is the client's X-Correlation-Id, or a fresh one.
/// </summary>
public static class CallerIdentity
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static Caller Of(HttpContext context)
    {
        var correlation = context.Request.Headers.TryGetValue("X-Correlation-Id", out var given) && given.Count > 0
            ? given.ToString()
            : Ids.NewBatchId();
        return new Caller(Identity(context), correlation);
    }

    private static string Identity(HttpContext context)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily != AddressFamily.Unix)
            return context.Connection.RemoteIpAddress is { } ip ? $"tcp:{ip}" : "unknown";
        Span<byte> credentials = stackalloc byte[12];
        if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 12) return "unix:unknown";
        var pid = BitConverter.ToInt32(credentials[..4]);
        var uid = BitConverter.ToInt32(credentials[4..8]);
        return $"unix:{UserName(uid)}(uid={uid},pid={pid})";
    }

    /// <summary>Names by uid: every API call is attributed, and reading /etc/passwd each time cost 5 % of a busy manager.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> UserNames = new();

    private static string UserName(int uid) => UserNames.GetOrAdd(uid, ReadUserName);

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
