using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Updates;

/// <summary>
/// Looks at rolling updates on a one-node swarm (a <see cref="LocalAgent"/> on this machine's engine): a service's
/// inspect and its UpdateStatus, its tasks, the Docker Engine's containers, and the answers of python-hello-world
/// ("Hello Docker, Version 1.0") through the VIP and the routing mesh.
/// </summary>
public sealed class UpdateProbe(LocalAgent agent)
{
    public const string V1 = "python-hello-world:1.0";
    public const string V2 = "python-hello-world:2.0";
    public const string Broken = "python-hello-world:broken";
    public const string Answer1 = "Hello Docker, Version 1.0";
    public const string Answer2 = "Hello Docker, Version 2.0";
    public static readonly TimeSpan Converges = TimeSpan.FromSeconds(120);

    /// <summary>GET on the agent's socket, Docker's API (/v1.41/…) or EventSwarm's own (/eventswarm/v1/…).</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var http = agent.Http();
        using var response = await http.GetAsync(path.StartsWith("/eventswarm", StringComparison.Ordinal) ? path : $"/v1.41{path}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public Task<JsonElement> InspectAsync(string service) => GetJsonAsync($"/services/{service}");

    /// <summary>The service's UpdateStatus as inspect shows it: ("", "") while it has none.</summary>
    public async Task<(string State, string Message)> UpdateStatusAsync(string service)
    {
        var inspect = await InspectAsync(service);
        return inspect.TryGetProperty("UpdateStatus", out var status) && status.ValueKind == JsonValueKind.Object
            ? (status.GetProperty("State").GetString() ?? "", status.TryGetProperty("Message", out var m) ? m.GetString() ?? "" : "")
            : ("", "");
    }

    /// <summary>Polls UpdateStatus until it reaches <paramref name="state"/>; every distinct status seen on the way, in order.</summary>
    public async Task<List<(string State, string Message)>> WaitForUpdateStateAsync(string service, string state, TimeSpan? within = null)
    {
        var seen = new List<(string State, string Message)>();
        var deadline = DateTime.UtcNow + (within ?? Converges);
        while (true)
        {
            var status = await UpdateStatusAsync(service);
            if (seen.Count == 0 || seen[^1] != status) seen.Add(status);
            if (status.State == state) return seen;
            if (DateTime.UtcNow > deadline)
            {
                var tasks = (await TasksAsync(service)).Select(t => $"{t.GetProperty("ID").GetString()} slot {t.GetProperty("Slot")} {ImageOf(t)} "
                    + $"{StateOf(t)}/{t.GetProperty("DesiredState").GetString()} \"{(t.GetProperty("Status").TryGetProperty("Err", out var err) ? err.GetString() : "")}\"");
                Assert.Fail($"timed out after {(within ?? Converges).TotalSeconds:0} s waiting until {service}'s UpdateStatus is {state}; seen: "
                    + $"{string.Join(" -> ", seen.Select(s => $"{(s.State == "" ? "(none)" : s.State)} \"{s.Message}\""))}; tasks:\n  {string.Join("\n  ", tasks)}");
            }
            await Task.Delay(200);
        }
    }

    public async Task<string> ImageOfAsync(string service) =>
        (await InspectAsync(service)).GetProperty("Spec").GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Image").GetString() ?? "";

    /// <summary>Every task of the service (GET /tasks), whatever its state.</summary>
    public async Task<List<JsonElement>> TasksAsync(string service)
    {
        var filters = Uri.EscapeDataString("{\"service\":{\"" + service + "\":true}}");
        return [.. (await GetJsonAsync($"/tasks?filters={filters}")).EnumerateArray()];
    }

    public static string ImageOf(JsonElement task) => task.GetProperty("Spec").GetProperty("ContainerSpec").GetProperty("Image").GetString() ?? "";

    public static string StateOf(JsonElement task) => task.GetProperty("Status").GetProperty("State").GetString() ?? "";

    public static DateTimeOffset Time(JsonElement element, string property) =>
        DateTimeOffset.Parse(element.GetProperty(property).GetString()!, CultureInfo.InvariantCulture);

    /// <summary>Waits until exactly <paramref name="replicas"/> tasks run, all of <paramref name="image"/>, and none other is wanted running.</summary>
    public async Task WaitForRunningAsync(string service, int replicas, string image)
    {
        await Eventually.True(async () =>
        {
            var tasks = await TasksAsync(service);
            var wanted = tasks.Where(t => t.GetProperty("DesiredState").GetString() == "running").ToList();
            return wanted.Count == replicas && wanted.All(t => StateOf(t) == "running" && ImageOf(t).StartsWith(image, StringComparison.Ordinal));
        }, Converges, $"{replicas} task(s) of {service} run {image}");
    }

    /// <summary>The one running container of a service on the engine, once there is one.</summary>
    public async Task<string> ContainerOfAsync(string service)
    {
        var id = "";
        await Eventually.True(async () =>
        {
            var running = await Engine.ContainersOfServiceAsync(agent.NodeId, service);
            id = running.Count == 1 ? running[0].ID : "";
            return id.Length > 0;
        }, Converges, $"one container of {service} runs");
        return id;
    }

    /// <summary>`docker` on this machine's own engine (the agent's tasks' containers).</summary>
    public static Task<CommandResult> EngineCli(params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///var/run/docker.sock" });

    /// <summary>
    /// This machine's address on its default route: the routing mesh answers there like any node's address does
    /// (127.0.0.1 is the subject of another change). Read from /proc/net/route, the interface's IPv4 address from .NET.
    /// </summary>
    public static string HostAddress() => HostAddressOnce.Value;

    /// <summary>Read once: the request loops asked for it on every request, and each asking listed every interface.</summary>
    private static readonly Lazy<string> HostAddressOnce = new(ReadHostAddress);

    private static string ReadHostAddress()
    {
        var device = File.ReadAllLines("/proc/net/route").Skip(1).Select(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries))
            .First(f => f.Length > 2 && f[1] == "00000000")[0];
        // The agent's own listing, which reads again when an interface comes or goes under it (CI saw it once).
        var nic = EventSwarm.Node.Local.SwarmAddresses.Interfaces().Single(n => n.Name == device);
        return nic.GetIPProperties().UnicastAddresses.First(a => a.Address.AddressFamily == AddressFamily.InterNetwork).Address.ToString();
    }

    /// <summary>One GET of / over HTTP/1.0 from inside a container with busybox nc (its wget crashes in its libc): the body, or "".</summary>
    public static async Task<string> HttpFromAsync(string container, string host, int port)
    {
        var response = (await EngineCli("exec", container, "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port}")).Output;
        var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return response.StartsWith("HTTP/1.", StringComparison.Ordinal) && body > 0 ? response[(body + 4)..].Trim() : "";
    }

    /// <summary>One GET of / through the routing mesh at this machine's address: the body, or "FAILED: why".</summary>
    public static async Task<string> MeshAsync(HttpClient http, int port)
    {
        try
        {
            using var response = await http.GetAsync($"http://{HostAddress()}:{port}/");
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            return response.IsSuccessStatusCode ? body : $"FAILED: {(int)response.StatusCode} {body}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"FAILED: {e.GetType().Name} {e.Message}";
        }
    }
}

/// <summary>
/// Requests counted one by one while a service changes: a bounded loop inside a client container on the service's
/// network asks the VIP (the service's name), and a loop here asks the routing mesh at this machine's address.
/// Each answer is the body, or "FAILED: …" for a request that got no 200.
/// </summary>
public sealed class RequestLoops : IAsyncDisposable
{
    private readonly string _container;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(5));
    private readonly List<string> _mesh = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private Task? _meshLoop;

    private RequestLoops(string container) => _container = container;

    public IReadOnlyList<string> Mesh { get { lock (_mesh) return [.. _mesh]; } }

    /// <summary>Starts both loops once each answers <paramref name="expected"/>, so no request counted was sent before the service was reachable.</summary>
    public static async Task<RequestLoops> StartAsync(string container, string service, int port, string expected)
    {
        var loops = new RequestLoops(container);
        await Eventually.True(async () => await UpdateProbe.HttpFromAsync(container, service, 5000) == expected, UpdateProbe.Converges,
            $"{service} answers \"{expected}\" through its VIP");
        await Eventually.True(async () => await UpdateProbe.MeshAsync(loops._http, port) == expected, UpdateProbe.Converges,
            $"{service} answers \"{expected}\" through the routing mesh on {UpdateProbe.HostAddress()}:{port}");
        // At most 3000 requests (5 min at 10/s) or until told to stop; one status line and one body line per request.
        var loop = "rm -f /tmp/stop /tmp/done; i=0; while [ $i -lt 3000 ] && [ ! -f /tmp/stop ]; do "
            + $"r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {service} 5000); echo \"$r\" | head -1; echo \"$r\" | tail -1; echo ==; "
            + "i=$((i+1)); sleep 0.1; done > /tmp/requests 2>&1; touch /tmp/done";
        (await UpdateProbe.EngineCli("exec", "-d", container, "sh", "-c", loop)).ShouldSucceed();
        loops._meshLoop = Task.Run(async () =>
        {
            while (!loops._stop.IsCancellationRequested)
            {
                var answer = await UpdateProbe.MeshAsync(loops._http, port);
                lock (loops._mesh) loops._mesh.Add(answer);
                try { await Task.Delay(100, loops._stop.Token); } catch (OperationCanceledException) { }
            }
        });
        return loops;
    }

    /// <summary>What the VIP loop recorded so far, one entry per request.</summary>
    public async Task<List<string>> VipAsync()
    {
        var raw = (await UpdateProbe.EngineCli("exec", _container, "cat", "/tmp/requests")).Output;
        return [.. raw.Split("==\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n') is [var status, var body, ..] && Regex.IsMatch(status, @"^HTTP/1\.[01] 200 ") ? body.Trim() : $"FAILED: {block.Trim()}")];
    }

    /// <summary>Waits until both loops recorded <paramref name="count"/> more answers of <paramref name="expected"/> in a row at their end.</summary>
    public async Task WaitForAnswersAsync(string expected, int count = 10)
    {
        List<string> vip = [], mesh = [];
        try
        {
            await Eventually.True(async () =>
            {
                vip = await VipAsync();
                mesh = [.. Mesh];
                return vip.Count >= count && vip.TakeLast(count).All(a => a == expected) && mesh.Count >= count && mesh.TakeLast(count).All(a => a == expected);
            }, UpdateProbe.Converges, $"the last {count} requests through the VIP and the mesh were answered \"{expected}\"");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            // Which path did not settle, and how: the answers themselves say more than the wait.
            Assert.Fail($"{e.Message}; VIP ({vip.Count}): {string.Join(" | ", vip.TakeLast(count + 2))}; mesh ({mesh.Count}): {string.Join(" | ", mesh.TakeLast(count + 2))}");
        }
    }

    /// <summary>Stops both loops; the answers of each, in order.</summary>
    public async Task<(List<string> Vip, List<string> Mesh)> StopAsync()
    {
        _stop.Cancel();
        if (_meshLoop is not null) await _meshLoop;
        (await UpdateProbe.EngineCli("exec", _container, "touch", "/tmp/stop")).ShouldSucceed();
        await Eventually.True(async () => (await UpdateProbe.EngineCli("exec", _container, "test", "-f", "/tmp/done")).ExitCode == 0,
            TimeSpan.FromSeconds(10), "the VIP request loop ended");
        return (await VipAsync(), [.. Mesh]);
    }

    /// <summary>
    /// No request failed, and the answers went from <paramref name="phases"/>[0] through each next one in turn
    /// (during a start-first change both versions may answer for a while, so answers of two neighbouring phases mix).
    /// </summary>
    public static void AssertNoneFailedAndSwitched(IReadOnlyList<string> answers, string through, params string[] phases)
    {
        Assert.True(answers.Count >= 20, $"only {answers.Count} requests went through {through}");
        var failed = answers.Where(a => !phases.Contains(a)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} requests through {through} failed: {string.Join(" | ", failed.Distinct().Take(5))}");
        Assert.Equal(phases[0], answers[0]);
        Assert.Equal(phases[^1], answers[^1]);
        // Each phase is reached after the previous one: the first answer of phase i comes after the first of phase i-1.
        var at = 0;
        foreach (var phase in phases.Skip(1))
        {
            var next = Enumerable.Range(at + 1, Math.Max(0, answers.Count - at - 1)).FirstOrDefault(i => answers[i] == phase && answers[i - 1] != phase, -1);
            Assert.True(next > at, $"through {through}, no switch to \"{phase}\" after request {at}: {Summary(answers)}");
            at = next;
        }
    }

    /// <summary>Runs of equal answers: "Hello … 1.0 x40, Hello … 2.0 x12, …".</summary>
    public static string Summary(IReadOnlyList<string> answers)
    {
        var runs = new List<(string Answer, int Count)>();
        foreach (var answer in answers)
            if (runs.Count > 0 && runs[^1].Answer == answer) runs[^1] = (answer, runs[^1].Count + 1);
            else runs.Add((answer, 1));
        return string.Join(", ", runs.Select(r => $"\"{r.Answer}\" x{r.Count}"));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_meshLoop is not null) await _meshLoop;
        _http.Dispose();
        _stop.Dispose();
    }
}
