extern alias node;

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventSwarm.UnitTests.Cli;

/// <summary>
/// A manager that answers canned JSON on a loopback port, for running a verb end to end (what it sends, what it
/// prints) without a cluster: each request is recorded; an unknown route answers docker's 404 shape.
/// </summary>
public sealed class FakeManager : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Dictionary<string, (int Status, string Body)> _routes = [];
    private readonly Task _serving;

    public FakeManager()
    {
        // A free port is free only until someone takes it: the tests run in parallel, so another manager (or a
        // client's ephemeral port) may have it by the time the listener binds. Another port is tried then.
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                Host = $"tcp://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
            }
        }
        _serving = Task.Run(ServeAsync);
    }

    public string Host { get; }

    public List<(string Method, string Path, string Body)> Requests { get; } = [];

    /// <summary>Answer <paramref name="method"/> <paramref name="path"/> (path and query, as sent) with this status and body.</summary>
    public FakeManager On(string method, string path, int status, string body)
    {
        _routes[$"{method} {path}"] = (status, body);
        return this;
    }

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string? stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await node::EventSwarm.Node.Cli.CliApp.RunAsync(["-H", Host, .. args], output, error,
            () => new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? "")));
        return (code, output.ToString(), error.ToString());
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.RawUrl ?? "";
            lock (Requests) Requests.Add((context.Request.HttpMethod, path, body));
            // A route registered without a query answers the path with any query (the SDK orders its own parameters).
            var (status, answer) = _routes.TryGetValue($"{context.Request.HttpMethod} {path}", out var route)
                || _routes.TryGetValue($"{context.Request.HttpMethod} {path.Split('?')[0]}", out route)
                ? route : (404, $$"""{"message":"no such route: {{path}}"}""");
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        // Close alone: after Stop, the managed HttpListener's Close looks the port up again and binds it to do so, which
        // fails with "Address already in use" once another test's manager has taken the port meanwhile.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // The port is already another listener's: there is nothing of ours left to release.
        }
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
