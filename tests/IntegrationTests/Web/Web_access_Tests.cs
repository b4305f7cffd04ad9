using System.Net;
using System.Net.Http.Headers;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Web;

/// <summary>
/// The web view on a real manager: sign-in by token (URL then cookie, or Bearer), roles, CSRF, revocation, the
/// operator's actions through the API's commands with `web:NAME` in the audit trail, and a port of its own that
/// serves nothing of the Engine API (nor the socket and the node port anything of the web view).
/// </summary>
public sealed class Web_access_Tests(WebViewAgent web) : IClassFixture<WebViewAgent>
{
    [Fact]
    public async Task Without_a_token_every_page_is_refused_with_401()
    {
        using var browser = web.Browser();

        using var page = await browser.GetAsync("/");
        using var json = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/nodes") { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/json") } } });

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, json.StatusCode);
        Assert.Contains("\"message\"", await json.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_bad_token_at_login_is_refused_with_401_and_no_cookie()
    {
        using var browser = web.Browser();

        using var response = await browser.GetAsync("/login?token=eswt_not-a-token-anyone-was-given");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_sign_in_URL_sets_an_HttpOnly_SameSite_cookie_and_lands_on_home()
    {
        var (token, url) = await web.IssueAsync("signin-url", @operator: false);
        Assert.Equal($"{web.Address}login?token={token}", url);
        using var browser = web.Browser();

        using var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("eventswarm_web=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        var account = await browser.GetStringAsync("/account");
        Assert.Contains("signin-url", account);
        Assert.Contains("read-only", account);
    }

    [Fact]
    public async Task A_script_signs_in_with_a_Bearer_token()
    {
        var (token, _) = await web.IssueAsync("bearer-script", @operator: false);
        using var script = new HttpClient { BaseAddress = web.Address };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await script.GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("bearer-script", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Read_only_token_cannot_scale()
    {
        (await web.Agent.Docker("service", "create", "-d", "--name", "web-ro", "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var (_, url) = await web.IssueAsync("looker", @operator: false);
        using var browser = await web.SignedInAsync(url);
        var formToken = await WebViewAgent.FormTokenAsync(browser);
        var before = (await web.AuditAsync()).Max(e => e.Index);

        using var response = await browser.PostAsync("/actions/services/web-ro/scale", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["replicas"] = "3", ["__RequestVerificationToken"] = formToken }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("read-only", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await web.ReplicasAsync("web-ro"));
        Assert.DoesNotContain(await web.AuditAsync(), e => e.Index > before && e.Actor.StartsWith("web:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_operator_scales_through_the_form_and_the_audit_trail_names_the_token()
    {
        (await web.Agent.Docker("service", "create", "-d", "--name", "web-op", "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var (_, url) = await web.IssueAsync("operator-form", @operator: true);
        using var browser = await web.SignedInAsync(url);
        var formToken = await WebViewAgent.FormTokenAsync(browser);

        using var response = await browser.PostAsync("/actions/services/web-op/scale", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["replicas"] = "1", ["return"] = "/services/web-op?scaled=1", ["__RequestVerificationToken"] = formToken }));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/services/web-op?scaled=1", response.Headers.Location?.OriginalString);
        Assert.Equal(1, await web.ReplicasAsync("web-op"));
        Assert.Contains(await web.AuditAsync(), e => e is { Actor: "web:operator-form", Command: "ScaleService", Type: "service-scaled" });
    }

    [Fact]
    public async Task A_POST_without_the_anti_forgery_field_is_refused()
    {
        (await web.Agent.Docker("service", "create", "-d", "--name", "web-csrf", "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var (_, url) = await web.IssueAsync("operator-csrf", @operator: true);
        using var browser = await web.SignedInAsync(url);
        await WebViewAgent.FormTokenAsync(browser); // the anti-forgery cookie is there; only the form's half is missing

        using var response = await browser.PostAsync("/actions/services/web-csrf/scale", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["replicas"] = "2" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anti-forgery", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await web.ReplicasAsync("web-csrf"));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_commands_own_message_and_nothing_appended()
    {
        (await web.Agent.Docker("service", "create", "-d", "--name", "web-bad", "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var (token, _) = await web.IssueAsync("operator-bad", @operator: true);
        using var script = new HttpClient { BaseAddress = web.Address };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var before = (await web.AuditAsync()).Max(e => e.Index);

        using var negative = await script.PostAsync("/actions/services/web-bad/scale", new FormUrlEncodedContent(new Dictionary<string, string> { ["replicas"] = "-1" }));
        using var unknown = await script.PostAsync("/actions/services/no-such-service/scale", new FormUrlEncodedContent(new Dictionary<string, string> { ["replicas"] = "1" }));

        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("invalid replicas value -1", await negative.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("service no-such-service not found", await unknown.Content.ReadAsStringAsync());
        Assert.DoesNotContain(await web.AuditAsync(), e => e.Index > before && e.Actor == "web:operator-bad");
    }

    [Fact]
    public async Task An_operator_changes_the_image_and_a_nodes_availability_by_Bearer()
    {
        (await web.Agent.Docker("service", "create", "-d", "--name", "web-img", "--replicas", "0", "busybox", "sleep", "3600")).ShouldSucceed();
        var (token, _) = await web.IssueAsync("operator-bearer", @operator: true);
        using var script = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = web.Address };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var image = await script.PostAsync("/actions/services/web-img/image", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["image"] = "busybox:1.36", ["return"] = "//evil.example/" }));
        using var pause = await script.PostAsync($"/actions/nodes/{web.Agent.NodeId}/availability", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["availability"] = "pause" }));
        using var active = await script.PostAsync($"/actions/nodes/{web.Agent.NodeId}/availability", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["availability"] = "active" }));

        Assert.Equal(HttpStatusCode.SeeOther, image.StatusCode);
        Assert.Equal("/services/web-img", image.Headers.Location?.OriginalString);
        Assert.Equal("busybox:1.36", (await web.Agent.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "web-img")).ShouldSucceed().Output.Trim());
        Assert.Equal((HttpStatusCode.SeeOther, HttpStatusCode.SeeOther), (pause.StatusCode, active.StatusCode));
        Assert.Equal("/", pause.Headers.Location?.OriginalString); // no return field: the cluster page, which lists the nodes
        var audit = await web.AuditAsync();
        Assert.Contains(audit, e => e is { Actor: "web:operator-bearer", Command: "UpdateServiceImage" });
        Assert.Equal(2, audit.Count(e => e is { Actor: "web:operator-bearer", Command: "UpdateNode", Type: "node-availability-changed" }));
    }

    [Fact]
    public async Task The_service_pages_logs_tail_shows_its_tasks_lines_as_docker_service_logs_prints_them()
    {
        (await web.Agent.Docker("service", "create", "-d", "--name", "web-logs", "busybox", "sh", "-c", "echo hello from the web logs; sleep 3600")).ShouldSucceed();
        var (token, _) = await web.IssueAsync("logs-reader", @operator: false);
        using var script = new HttpClient { BaseAddress = web.Address };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var tail = "";
        await Eventually.True(async () => (tail = await script.GetStringAsync("/services/web-logs/logs-tail")).Contains("hello from the web logs"),
            TimeSpan.FromSeconds(30), "the task's line in the service page's logs tail");

        // The line as the docker CLI prints it: name.slot.taskid@node    | text.
        Assert.Matches(@"^web-logs\.1\.[0-9a-z]+@\S+\s+\| hello from the web logs$", tail.Split('\n').Single(l => l.Contains("hello from the web logs")));
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_the_next_request()
    {
        var (_, url) = await web.IssueAsync("to-revoke", @operator: true);
        using var browser = await web.SignedInAsync(url);
        using (var signedIn = await browser.GetAsync("/account")) Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);

        (await web.Agent.EventSwarm("web", "token", "--revoke", "to-revoke")).ShouldSucceed();
        using var after = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.DoesNotContain("to-revoke", (await web.Agent.EventSwarm("web", "token", "--list")).ShouldSucceed().Output);
    }

    [Fact]
    public async Task Signing_out_forgets_the_cookie_in_this_browser()
    {
        var (_, url) = await web.IssueAsync("signs-out", @operator: false);
        using var browser = await web.SignedInAsync(url);
        var formToken = await WebViewAgent.FormTokenAsync(browser);

        using var signOut = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = formToken }));
        using var after = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal("/login", signOut.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_token_revoked_by_the_token_itself_is_refused_too()
    {
        var (token, _) = await web.IssueAsync("revoke-by-token", @operator: false);

        (await web.Agent.EventSwarm("web", "token", "--revoke", token)).ShouldSucceed();
        using var script = new HttpClient { BaseAddress = web.Address };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await script.GetAsync("/account");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_web_port_answers_none_of_the_Engine_API()
    {
        var (token, _) = await web.IssueAsync("api-probe", @operator: true);
        using var script = new HttpClient { BaseAddress = web.Address };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var anonymous = new HttpClient { BaseAddress = web.Address };

        foreach (var path in new[] { "/_ping", "/version", "/v1.41/services", "/info", "/eventswarm/v1/log", "/eventswarm/v1/web/tokens", "/eventswarm/v1/worker/state" })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var signedIn = await script.GetAsync(path);
            Assert.True(signedIn.StatusCode == HttpStatusCode.NotFound, $"{path}: {signedIn.StatusCode}");
            Assert.NotEqual("application/json", signedIn.Content.Headers.ContentType?.MediaType);
        }
        using var tokens = await script.PostAsync("/eventswarm/v1/web/tokens", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, tokens.StatusCode);
    }

    [Fact]
    public async Task The_socket_and_the_node_port_serve_none_of_the_web_view()
    {
        var (token, _) = await web.IssueAsync("elsewhere", @operator: true);
        using var socket = web.Agent.Http();

        using var login = await socket.GetAsync($"/login?token={token}");
        using var account = await socket.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } });
        using var nodePort = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        { BaseAddress = new Uri($"https://{web.Agent.ListenAddress}") };
        using var remote = await nodePort.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } });

        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
        Assert.False(login.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.NotFound, account.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, remote.StatusCode);
        Assert.Contains("node certificate", await remote.Content.ReadAsStringAsync());
    }
}
