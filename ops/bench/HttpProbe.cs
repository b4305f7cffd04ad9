using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// One HTTP/1.0 GET on a new connection, as the benches probe a service (a fresh connection each time, so every
/// request is balanced anew by a VIP or the mesh): the body of a 200, or null and why not.
/// </summary>
public static class HttpProbe
{
    public static async Task<(string? Body, string Why)> GetAsync(string address, int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Parse(address), port, cts.Token);
            await socket.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[4096];
            var received = new StringBuilder();
            int n;
            while ((n = await socket.ReceiveAsync(buffer, cts.Token)) > 0) received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            var text = received.ToString();
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return text.StartsWith("HTTP/1.", StringComparison.Ordinal) && text.Contains(" 200 ") && body > 0
                ? (text[(body + 4)..], "")
                : (null, text.Length == 0 ? "empty answer" : text.Split('\r')[0]);
        }
        catch (OperationCanceledException)
        {
            return (null, $"timeout ({timeout.TotalSeconds:0.###} s)");
        }
        catch (SocketException e)
        {
            return (null, e.SocketErrorCode.ToString());
        }
    }
}
