using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Web;

/// <summary>
/// One real agent in a swarm of its own that serves the web view on a free loopback port, shared by a class's tests
/// (each issues its own tokens and creates its own services).
/// </summary>
public sealed partial class WebViewAgent : IAsyncLifetime
{
    public LocalAgent Agent { get; private set; } = null!;
    public int Port { get; } = LocalAgent.FreePort();
    public Uri Address => new($"http://127.0.0.1:{Port}");

    public async Task InitializeAsync() => Agent = await LocalAgent.StartSwarmAsync("--web-addr", $"127.0.0.1:{Port}");

    public async Task DisposeAsync() => await Agent.DisposeAsync();

    /// <summary>`eventswarm web token [--operator] --name NAME`: its two lines, the token and the sign-in URL.</summary>
    public async Task<(string Token, string Url)> IssueAsync(string name, bool @operator)
    {
        string[] args = @operator ? ["web", "token", "--operator", "--name", name] : ["web", "token", "--name", name];
        var lines = (await Agent.EventSwarm(args)).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (lines[0], lines[1]);
    }

    /// <summary>A browser: cookies kept, redirects not followed (the tests look at them).</summary>
    public HttpClient Browser(CookieContainer? cookies = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = cookies ?? new CookieContainer(),
    })
    { BaseAddress = Address };

    /// <summary>A browser signed in through the sign-in URL.</summary>
    public async Task<HttpClient> SignedInAsync(string url)
    {
        var browser = Browser();
        using var response = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return browser;
    }

    /// <summary>The anti-forgery token of the sign-out form on /account, as a page's form carries it.</summary>
    public static async Task<string> FormTokenAsync(HttpClient browser)
    {
        var page = await browser.GetStringAsync("/account");
        return FormField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"no form token on /account:\n{page}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormField();

    /// <summary>The audit trail's entries (actor, command, type), as /eventswarm/v1/events answers them.</summary>
    public async Task<List<(long Index, string Actor, string Command, string Type)>> AuditAsync()
    {
        using var http = Agent.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("/eventswarm/v1/events"));
        return [.. json.RootElement.EnumerateArray().Select(e => (e.GetProperty("index").GetInt64(), e.GetProperty("actor").GetString()!,
            e.GetProperty("command").GetString()!, e.GetProperty("type").GetString()!))];
    }

    public async Task<long> ReplicasAsync(string service)
    {
        var inspected = (await Agent.Docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", service)).ShouldSucceed();
        return long.Parse(inspected.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
