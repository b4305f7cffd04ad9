using System.Globalization;
using EventSwarm.IntegrationTests.Cluster;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Web;

/// <summary>
/// The web view in a real headless Chromium (Debian's package, driven by PuppeteerSharp; no browser is downloaded)
/// against a real 3-node cluster: an operator signs in with the URL `web token --operator` prints, sees the nodes and
/// the demo service, scales it from the page and watches the count change live (the same document: no reload), moves
/// the time control back to see the old count, and sees a node whose agent was killed go Down on the open page. Each
/// step's screenshot is kept (EVENTSWARM_ARTEFACTS, else artefacts/web beside the test binaries).
/// </summary>
public sealed class Browser_Tests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    public static string ArtefactsFolder() =>
        Environment.GetEnvironmentVariable("EVENTSWARM_ARTEFACTS") is { Length: > 0 } root
            ? Path.Combine(root, "web")
            : Path.Combine(AppContext.BaseDirectory, "artefacts", "web");

    [Fact]
    public async Task An_operator_signs_in_scales_the_demo_service_live_travels_back_and_sees_a_node_go_down()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ops/setup.sh installs Debian's chromium package");
        var artefacts = ArtefactsFolder();
        Directory.CreateDirectory(artefacts);
        foreach (var old in Directory.GetFiles(artefacts, "*.png")) File.Delete(old);
        output.WriteLine($"screenshots: {artefacts}");
        Console.WriteLine($"web view screenshots: {artefacts}");

        await using var cluster = await NamespaceCluster.StartJoinedAsync(3);
        (await cluster.EventSwarm(1, "service", "create", "-d", "--name", "demo", "--replicas", "3", "busybox", "sh", "-c", "while true;do sleep 3600;done")).ShouldSucceed();
        await Eventually.True(async () => (await cluster.EventSwarm(1, "service", "ls")).Output.Contains("3/3", StringComparison.Ordinal), Within, "demo runs 3/3");
        var lines = (await cluster.EventSwarm(1, "web", "token", "--operator")).ShouldSucceed().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var signIn = lines[1].Trim();
        Assert.StartsWith(Url("/login?token="), signIn, StringComparison.Ordinal);

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        page.DefaultTimeout = (int)Within.TotalMilliseconds;

        // Signed in, on the cluster page: three nodes, the demo service.
        await page.GoToAsync(signIn);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#nodes tr[data-node]').length === 3 && !!document.querySelector('tr[data-service=\"demo\"]')");
        Assert.Equal(["n1", "n2", "n3"], await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#nodes tr[data-node]')].map(r => r.dataset.node)"));
        await Shot(page, artefacts, "1-signed-in-cluster");

        // The services page; its index now is the instant to travel back to.
        await page.ClickAsync("header nav a[href='/services']");
        await page.WaitForFunctionAsync(Replicas("3/3"));
        var before = long.Parse(await page.EvaluateExpressionAsync<string>("document.body.dataset.index"), CultureInfo.InvariantCulture);
        await page.EvaluateExpressionAsync("window.__marker = 'the same document'");
        await Shot(page, artefacts, "2-services");

        // Scale from the page: the form is posted in the background and the count follows the event stream.
        await page.EvaluateExpressionAsync("document.querySelector('tr[data-service=\"demo\"] input[name=replicas]').value = '5'");
        await page.ClickAsync("tr[data-service='demo'] form.scale button");
        await page.WaitForFunctionAsync(Replicas("5/5"));
        Assert.Equal("the same document", await page.EvaluateExpressionAsync<string>("window.__marker"));
        await Shot(page, artefacts, "3-scaled-live");

        // Back in time: the slider moved to the index before the scale shows the old count, and does not follow.
        var navigation = page.WaitForNavigationAsync();
        await page.EvaluateExpressionAsync($"(() => {{ const s = document.getElementById('at-slider'); s.value = '{before}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()");
        await navigation;
        await page.WaitForFunctionAsync(Replicas("3/3"));
        Assert.Equal("0", await page.EvaluateExpressionAsync<string>("document.body.dataset.live"));
        Assert.Contains($"at={before}", page.Url, StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('form[action^=\"/actions/\"]').length"));
        await Shot(page, artefacts, "4-travelled-back");

        // Now again, the service's own page: its five tasks, its two versions, its logs section answered.
        await page.GoToAsync(Url("/services/demo"));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#tasks tbody tr').length === 5 && document.querySelectorAll('#versions > ol > li').length === 2"
            + " && document.querySelector('#logs pre').textContent !== 'loading the logs…'");
        await Shot(page, artefacts, "5-service");

        // The cluster page: a node whose agent is killed shows Down on the open page.
        await page.GoToAsync(Url("/"));
        await page.WaitForFunctionAsync("() => document.body.dataset.live === '1' && document.querySelectorAll('#nodes tr[data-node]').length === 3");
        await page.EvaluateExpressionAsync("window.__marker = 'still the same document'");
        await cluster.KillAgentAsync(3);
        await page.WaitForFunctionAsync("() => document.querySelector('#nodes tr[data-node=\"n3\"] td.state')?.textContent.trim() === 'Down'");
        Assert.Equal("still the same document", await page.EvaluateExpressionAsync<string>("window.__marker"));
        await Shot(page, artefacts, "6-node-down");
        Assert.Equal(6, Directory.GetFiles(artefacts, "*.png").Length);
    }

    /// <summary>n1's web view: ops/cluster.sh has a manager's listen on its node's address (the host cannot reach a namespace's loopback).</summary>
    private static string Url(string path) => $"http://{NamespaceCluster.Address(1)}:2380{path}";

    private static string Replicas(string count) =>
        $"() => document.querySelector('tr[data-service=\"demo\"] td.replicas')?.textContent.trim() === '{count}'";

    private static async Task Shot(IPage page, string folder, string name) =>
        await page.ScreenshotAsync(Path.Combine(folder, name + ".png"), new ScreenshotOptions { FullPage = true });
}
