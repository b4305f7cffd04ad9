using System.Text.Json;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Stacks;

/// <summary>One HTTP answer as curl saw it: the status (0 when curl got none, with its exit code), headers and body.</summary>
public sealed record HttpAnswer(int Status, int CurlExit, string Headers, string Body)
{
    public string? Location => Regex.Match(Headers, @"^location:\s*(\S+)", RegexOptions.IgnoreCase | RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

    public override string ToString() =>
        Status == 0 ? $"no answer (curl exit {CurlExit})" : $"HTTP {Status}{(Location is { } l ? $" -> {l}" : "")}: {Shorten(Body)}";

    private static string Shorten(string body)
    {
        var text = Regex.Replace(Regex.Replace(body, "<[^>]*>", " "), @"\s+", " ").Trim();
        return text.Length > 160 ? text[..160] + "…" : text;
    }
}

/// <summary>
/// The browser of the tutorial, made of curl from this machine (on the cluster's bridge, as a user's machine on the
/// nodes' network): WordPress on a node's published port 8080, reached through that node's routing mesh. WordPress
/// fixes its site URL from the Host of the install request and redirects any other host there, so once installed
/// every request names the host it was installed on while it connects to whichever node it tests
/// (<see cref="SiteHost"/>).
/// </summary>
public static class WordpressProbe
{
    public const int Port = 8080;
    public const string AdminPassword = "wp-Admin-pw-1";

    /// <summary>The host:port WordPress is installed on (n1's); the Host header of every request after the install.</summary>
    public static readonly string SiteHost = $"{NamespaceCluster.Address(1)}:{Port}";

    public static string Url(int node, string path) => $"http://{NamespaceCluster.Address(node)}:{Port}{path}";

    public static Task<HttpAnswer> HeadAsync(int node) => CurlAsync(["-I", Url(node, "/")]);

    /// <summary>A GET through node K's mesh, as to the site's host.</summary>
    public static Task<HttpAnswer> GetAsync(int node, string path) => CurlAsync(["-H", $"Host: {SiteHost}", Url(node, path)]);

    /// <summary>
    /// A post read through node K's mesh from WordPress's REST API: `/?p=ID` answers a redirect to the post's
    /// permalink (pretty permalinks are on), this route answers the post itself, with its content.
    /// </summary>
    public static Task<HttpAnswer> PostAsync(int node, int postId) => GetAsync(node, $"/?rest_route=/wp/v2/posts/{postId}");

    /// <summary>
    /// Asks (bounded: every 0.5 s within <paramref name="within"/>) until the answer is the wanted one; returns the
    /// last answer. WordPress answers 500 "Error establishing a database connection" while mysql initialises.
    /// </summary>
    public static async Task<HttpAnswer> UntilAsync(Func<Task<HttpAnswer>> ask, Func<HttpAnswer, bool> wanted, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var answer = await ask();
            if (wanted(answer) || DateTime.UtcNow > deadline) return answer;
            await Task.Delay(500);
        }
    }

    /// <summary>True for the fresh site's answer on node K: `302 Location: http://&lt;its address&gt;:8080/wp-admin/install.php`.</summary>
    public static bool IsInstallRedirect(HttpAnswer answer, int node) =>
        answer.Status == 302 && answer.Location == Url(node, "/wp-admin/install.php");

    /// <summary>Step 2 of WordPress's installer, as the form posts it; the page says "Success!" when it installed.</summary>
    public static Task<HttpAnswer> InstallAsync(string title) =>
        CurlAsync(["--max-time", "60", "-X", "POST", Url(1, "/wp-admin/install.php?step=2"),
            "--data-urlencode", $"weblog_title={title}", "--data-urlencode", "user_name=admin",
            "--data-urlencode", $"admin_password={AdminPassword}", "--data-urlencode", $"admin_password2={AdminPassword}",
            "--data", "pw_weak=1", "--data-urlencode", "admin_email=admin@example.com", "--data", "blog_public=0", "--data", "language="]);

    /// <summary>wp.newPost over XML-RPC (published); returns the post's ID, or fails with WordPress's answer.</summary>
    public static async Task<int> NewPostAsync(string title, string content)
    {
        var call = $"""
            <?xml version="1.0"?><methodCall><methodName>wp.newPost</methodName><params>
            <param><value><int>1</int></value></param><param><value><string>admin</string></value></param>
            <param><value><string>{AdminPassword}</string></value></param>
            <param><value><struct>
            <member><name>post_title</name><value><string>{title}</string></value></member>
            <member><name>post_content</name><value><string>{content}</string></value></member>
            <member><name>post_status</name><value><string>publish</string></value></member>
            </struct></value></param></params></methodCall>
            """;
        var answer = await CurlAsync(["--max-time", "30", "-H", $"Host: {SiteHost}", "-H", "Content-Type: text/xml", "--data-binary", call, Url(1, "/xmlrpc.php")]);
        var id = Regex.Match(answer.Body, @"<string>(\d+)</string>");
        Assert.True(answer.Status == 200 && id.Success, $"wp.newPost answered {answer}");
        return int.Parse(id.Groups[1].Value);
    }

    /// <summary>One curl from this machine; headers and body kept apart (a 100 Continue block skipped).</summary>
    public static async Task<HttpAnswer> CurlAsync(IEnumerable<string> args)
    {
        string[] all = ["-s", "-i", "--max-time", "5", "-H", "Expect:", .. args];
        // A later --max-time wins in curl, so a caller's own limit replaces the default.
        var result = await CommandResult.RunAsync("curl", all, new Dictionary<string, string>());
        var text = result.Output;
        while (true)
        {
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) return new HttpAnswer(0, result.ExitCode, text, "");
            var headers = text[..end];
            var status = Regex.Match(headers, @"^HTTP/[\d.]+ (\d{3})") is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;
            text = text[(end + 4)..];
            if (status == 100) continue;
            return new HttpAnswer(result.ExitCode == 0 ? status : 0, result.ExitCode, headers, text);
        }
    }
}

/// <summary>
/// A request loop against one node's routing mesh, as a user refreshing a post in the browser: one GET every
/// <see cref="Period"/>, each recorded as served (200 with the post's marker) or not, bounded in count and in time.
/// </summary>
public sealed class PostLoop : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private readonly List<(DateTime At, bool Served, string Answer)> _answers = [];
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    public PostLoop(int node, int postId, string marker, int maxRequests = 1200, TimeSpan? maxDuration = null)
    {
        Node = node;
        _stop = new CancellationTokenSource(maxDuration ?? TimeSpan.FromMinutes(4));
        _loop = Task.Run(async () =>
        {
            for (var i = 0; i < maxRequests && !_stop.IsCancellationRequested; i++)
            {
                var answer = await WordpressProbe.PostAsync(node, postId);
                var served = answer.Status == 200 && answer.Body.Contains(marker, StringComparison.Ordinal);
                lock (_answers) _answers.Add((DateTime.UtcNow, served, served ? "served" : answer.ToString()));
                try { await Task.Delay(Period, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public int Node { get; }

    public IReadOnlyList<(DateTime At, bool Served, string Answer)> Answers
    {
        get { lock (_answers) return [.. _answers]; }
    }

    public Task AnsweredAsync(int count, TimeSpan within) =>
        Eventually.True(() => Task.FromResult(Answers.Count >= count), within, $"the request loop on n{Node} recorded {count} answers");

    public async Task<IReadOnlyList<(DateTime At, bool Served, string Answer)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Answers;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

/// <summary>A task of a stack's service as GET /tasks lists it, with the times the rolling update is read from.</summary>
public sealed record StackTask(string Id, string ServiceName, int Slot, string Image, string State, string DesiredState, string NodeId,
    DateTimeOffset CreatedAt, DateTimeOffset StatusAt)
{
    /// <summary>The node's answer to GET /tasks for the service (curl over its socket), or null when it does not answer.</summary>
    public static async Task<IReadOnlyList<StackTask>?> ListAsync(int node, string service)
    {
        var filters = Uri.EscapeDataString($"{{\"service\":{{\"{service}\":true}}}}");
        var result = await CommandResult.RunAsync("curl", ["-sf", "--max-time", "5", "--unix-socket", $"/run/eventswarm-cluster/n{node}/eventswarm.sock",
            $"http://node/tasks?filters={filters}"], new Dictionary<string, string>());
        if (result.ExitCode != 0) return null;
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.EnumerateArray().Select(t => new StackTask(
            t.GetProperty("ID").GetString()!,
            service,
            t.TryGetProperty("Slot", out var slot) && slot.ValueKind == JsonValueKind.Number ? slot.GetInt32() : 0,
            t.GetProperty("Spec").GetProperty("ContainerSpec").GetProperty("Image").GetString()!,
            t.GetProperty("Status").GetProperty("State").GetString()!,
            t.GetProperty("DesiredState").GetString()!,
            t.TryGetProperty("NodeID", out var nodeId) ? nodeId.GetString() ?? "" : "",
            Time(t.GetProperty("CreatedAt")),
            Time(t.GetProperty("Status").GetProperty("Timestamp")))).ToList();
    }

    /// <summary>Docker's RFC 3339 times carry nanoseconds; .NET parses at most 7 fractional digits.</summary>
    private static DateTimeOffset Time(JsonElement value) =>
        DateTimeOffset.Parse(Regex.Replace(value.GetString()!, @"(\.\d{7})\d+", "$1"), System.Globalization.CultureInfo.InvariantCulture);

    public static string Describe(IEnumerable<StackTask> tasks) =>
        string.Join("; ", tasks.OrderBy(t => t.Slot).ThenBy(t => t.CreatedAt)
            .Select(t => $"{t.Slot}: {t.State}/{t.DesiredState} {t.Image} created {t.CreatedAt:HH:mm:ss.f}"));
}
