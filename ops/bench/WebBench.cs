using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using PuppeteerSharp;

/// <summary>
/// Issue 17's web view figures, in a real headless Chromium (Debian's, /usr/bin/chromium; nothing downloaded):
/// <list type="number">
/// <item>event → visible: an open /services page of now; CHANGES times the bench scales a service (placed nowhere, so
/// no container starts: a constraint no node meets) between 1 and 2 replicas through the Engine API; for each, the time
/// from the API's answer (the change committed) to the page's DOM showing the new count, read by a MutationObserver in
/// the page on the same clock (Date.now). p50/p99/max in ms.</item>
/// <item>page load of /services at SERVICES services (replicas 0): LOADS navigations, the browser's own navigation
/// timing (request start → response end: the server's render; → load event: what the user waits), p50/max in ms.</item>
/// <item>event → visible again on the open /services page listing them all (each swap lays out every row again).</item>
/// </list>
/// Usage: <c>web API_ENDPOINT SIGN_IN_URL CHANGES SERVICES LOADS</c>. Prints "figure\tvalue" lines.
/// </summary>
public static class WebBench
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Service = "web-bench-live";

    public static async Task<int> RunAsync(string[] args)
    {
        var (apiEndpoint, signIn) = (args[0], args[1]);
        var (changes, services, loads) = (int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        using var api = new DockerClientBuilder().WithEndpoint(new Uri(apiEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
        var root = new Uri(signIn).GetLeftPart(UriPartial.Authority);

        var id = (await api.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = Spec(Service, 1, placeNowhere: true) })).ID;
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        await using var page = await browser.NewPageAsync();
        page.DefaultTimeout = 30_000;
        await page.GoToAsync(signIn);
        await page.GoToAsync(root + "/services");
        await page.WaitForFunctionAsync(Shows(1));

        await MeasureAsync(api, page, id, changes, "");

        // The service list at SERVICES services: created through the API one by one (replicas 0: no task, no container).
        var clock = Stopwatch.StartNew();
        var existing = (await api.Swarm.ListServicesAsync()).Count;
        for (var i = existing; i < services; i++)
            await api.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = Spec($"web-bench-{i:D4}", 0, placeNowhere: false) });
        Print("services listed", (await api.Swarm.ListServicesAsync()).Count);
        Print("services created in s", Math.Round(clock.Elapsed.TotalSeconds, 1));
        var server = new List<double>();
        var load = new List<double>();
        for (var i = 0; i < loads + 1; i++)
        {
            await page.GoToAsync(root + "/services", new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load] });
            var timing = await page.EvaluateExpressionAsync<double[]>(
                "(() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseEnd - n.requestStart, n.loadEventEnd - n.startTime, document.querySelectorAll('#services tr[data-service]').length]; })()");
            if ((int)timing[2] < services) throw new InvalidOperationException($"/services listed {timing[2]} services, not {services}");
            if (i == 0) continue;
            server.Add(timing[0]);
            load.Add(timing[1]);
        }
        Print($"/services at {services} services: request to response end p50 ms", Percentile(server, 0.5));
        Print($"/services at {services} services: request to response end max ms", server.Max());
        Print($"/services at {services} services: load p50 ms", Percentile(load, 0.5));
        Print($"/services at {services} services: load max ms", load.Max());

        // The same open page, now listing them all: each swap renders and lays out every row again.
        await page.GoToAsync(root + "/services");
        await MeasureAsync(api, page, id, Math.Max(10, changes / 3), $" at {services} services");
        return 0;
    }

    /// <summary>
    /// CHANGES scales (after 5 that warm up), each from the API's answer to the open page's DOM showing the count, as a
    /// MutationObserver in the page sees it (Date.now: the same clock as the answer's).
    /// </summary>
    private static async Task MeasureAsync(DockerClient api, IPage page, string id, int changes, string label)
    {
        var latencies = new List<double>();
        var early = 0;
        for (var i = 0; i < changes + 5; i++)
        {
            var replicas = i % 2 == 0 ? 2UL : 1UL;
            await page.EvaluateFunctionAsync(@"(text) => {
                window.__seen = 0;
                const check = () => {
                    const cell = document.querySelector('tr[data-service=""" + Service + @"""] td.replicas');
                    if (!window.__seen && cell && cell.textContent.trim() === text) window.__seen = Date.now();
                };
                if (window.__observer) window.__observer.disconnect();
                window.__observer = new MutationObserver(check);
                window.__observer.observe(document.body, { childList: true, subtree: true, characterData: true });
                check();
            }", $"0/{replicas}");
            var current = await api.Swarm.InspectServiceAsync(id);
            current.Spec.Mode.Replicated.Replicas = replicas;
            await api.Swarm.UpdateServiceAsync(id, new ServiceUpdateParameters { Service = current.Spec, Version = (long)current.Version.Index! });
            var answered = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await page.WaitForFunctionAsync("() => window.__seen > 0", new WaitForFunctionOptions { Timeout = 30_000, PollingInterval = 5 });
            var seen = await page.EvaluateExpressionAsync<long>("window.__seen");
            if (i < 5) continue;
            latencies.Add(Math.Max(0, seen - answered));
            if (seen < answered) early++;
        }
        Print($"event to page{label} p50 ms", Percentile(latencies, 0.50));
        Print($"event to page{label} p99 ms", Percentile(latencies, 0.99));
        Print($"event to page{label} max ms", latencies.Max());
        Print($"changes measured{label}", latencies.Count);
        Print($"shown before the answer{label}", early);
    }

    private static string Shows(int replicas) =>
        $"() => document.querySelector('tr[data-service=\"{Service}\"] td.replicas')?.textContent.trim() === '0/{replicas}'";

    private static ServiceSpec Spec(string name, ulong replicas, bool placeNowhere) => new()
    {
        Name = name,
        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } },
        TaskTemplate = new TaskSpec
        {
            ContainerSpec = new ContainerSpec { Image = "busybox:latest", Args = ["sleep", "3600"] },
            Placement = placeNowhere ? new Placement { Constraints = ["node.labels.web-bench==nowhere"] } : null,
        },
    };

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
    }

    private static void Print(string figure, double value) => Console.WriteLine($"{figure}\t{value.ToString("0.##", CultureInfo.InvariantCulture)}");
}
