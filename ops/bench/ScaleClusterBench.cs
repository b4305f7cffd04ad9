using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// Issue 16 end to end (ops/bench/scale-cluster.sh): real managers (unmodified agents, Raft log on disk) and
/// `eventswarm simulate` processes whose nodes join through the real join, mTLS and heartbeats. Each phase is
/// bounded in time and prints its figures as "scale-cluster\tFIGURE\tVALUE" lines (the other benches' format);
/// progress goes to stderr. The simulated nodes run as three processes: A (the bulk), B (killed at once in the
/// node-failure phase, as 250 hosts dying together) and C (a few nodes paused and resumed, the "worker that was
/// away" of the fan-out phase).
/// Usage: <c>scale-cluster ES_DLL WORK [--nodes N] [--services S] [--replicas R] [--fail B] [--away-nodes C]
/// [--away SECONDS] [--phase-timeout SECONDS] [--managers 1|3] [--phases 1,2,3,4,5,6]</c>.
/// </summary>
public static class ScaleClusterBench
{
    private const string ManagerAddress = "127.0.0.1:14701";
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private static readonly JsonSerializerOptions Wire = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static async Task<int> RunAsync(string[] args)
    {
        var o = Options.Parse(args);
        Directory.CreateDirectory(o.Work);
        await using var run = new Run(o);
        try
        {
            return await run.ExecuteAsync();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"scale-cluster: stopped: {e.GetType().Name}: {e.Message}");
            run.Print();
            return 1;
        }
    }

    private sealed record Options(string EsDll, string Work, int Nodes, int Services, int Replicas, int Fail, int AwayNodes,
        int AwaySeconds, int PhaseTimeout, int Managers, HashSet<int> Phases, string? Profile)
    {
        public static Options Parse(string[] a)
        {
            string Arg(string name, string fallback)
            {
                var i = Array.IndexOf(a, name);
                return i >= 0 && i + 1 < a.Length ? a[i + 1] : fallback;
            }
            var small = a.Contains("--small");
            return new Options(a[0], a[1],
                int.Parse(Arg("--nodes", small ? "500" : "5000")),
                int.Parse(Arg("--services", small ? "50" : "1000")),
                int.Parse(Arg("--replicas", "1000")),
                int.Parse(Arg("--fail", small ? "25" : "250")),
                int.Parse(Arg("--away-nodes", small ? "5" : "10")),
                int.Parse(Arg("--away", small ? "30" : "120")),
                int.Parse(Arg("--phase-timeout", small ? "180" : "900")),
                int.Parse(Arg("--managers", "1")),
                [.. Arg("--phases", "1,2,3,4,5,6").Split(',').Select(int.Parse)],
                Arg("--profile", "") is { Length: > 0 } profile ? Path.GetFullPath(profile) : null);
        }
    }

    private sealed class Run(Options o) : IAsyncDisposable
    {
        private readonly List<(string Figure, string Value)> _figures = [];
        private readonly Dictionary<string, Process> _processes = [];
        private readonly List<HttpClient> _clients = [];
        private HttpClient _api = null!;
        private string _token = "";
        private readonly List<string> _serviceIds = [];
        private string _probeId = "";
        private long _desiredTotal;

        private int Sim(string name) => name switch { "simB" => o.Fail, "simC" => o.AwayNodes, _ => o.Nodes - o.Fail - o.AwayNodes };

        private void Figure(string figure, string value)
        {
            _figures.Add((figure, value));
            Console.Error.WriteLine($"  {figure}: {value}");
        }

        public void Print()
        {
            foreach (var (figure, value) in _figures) Console.WriteLine($"scale-cluster\t{figure}\t{value}");
        }

        private static void Log(string text) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

        public async Task<int> ExecuteAsync()
        {
            Figure("shape", $"{o.Nodes} nodes ({Sim("simA")}+{o.Fail}+{o.AwayNodes} in 3 simulate processes), {o.Services} services x {o.Replicas} replicas, {o.Managers} manager(s)");
            await StartManagersAsync();
            await JoinAsync();
            if (o.Phases.Contains(2)) await ConvergeAsync();
            if (o.Phases.Contains(3)) await SteadyStateAsync();
            if (o.Phases.Contains(6)) await FanOutAsync();
            if (o.Phases.Contains(4)) await NodeFailureAsync();
            if (o.Phases.Contains(5)) await ChurnAsync();
            if (o.Phases.Contains(3)) await RestartAsync();
            Print();
            return 0;
        }

        // ---- processes and the API ----

        private string Dir(string name) => Directory.CreateDirectory(Path.Combine(o.Work, name)).FullName;

        private Process Start(string name, string arguments, string log)
        {
            var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet {o.EsDll} {arguments} >>{log} 2>&1"]) { UseShellExecute = false };
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
            _processes[name] = process;
            return process;
        }

        private void Kill(string name)
        {
            if (_processes.Remove(name, out var p) && !p.HasExited)
            {
                p.Kill();
                p.WaitForExit(10_000);
            }
        }

        private static void Signal(Process p, string signal) => Process.Start("kill", [$"-{signal}", p.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

        private HttpClient Client(string socket, TimeSpan timeout)
        {
            var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
                MaxConnectionsPerServer = 64,
            })
            { BaseAddress = new Uri("http://eventswarm"), Timeout = timeout };
            _clients.Add(client);
            return client;
        }

        private async Task<JsonNode> GetAsync(string path, HttpClient? client = null)
        {
            using var response = await (client ?? _api).GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
            return JsonNode.Parse(body)!;
        }

        private async Task<JsonNode?> PostAsync(string path, object body, HttpClient? client = null)
        {
            using var content = new StringContent(body is string s ? s : JsonSerializer.Serialize(body, Wire), Encoding.UTF8, "application/json");
            using var response = await (client ?? _api).PostAsync(path, content);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }

        private Process StartManager(int k) =>
            Start($"manager{k}", $"agent --data-dir {Dir($"m{k}")}/data --socket {Dir($"m{k}")}/es.sock --raft-addr 127.0.0.1:{14600 + k} --web-addr none", $"{Dir($"m{k}")}/agent.log");

        private async Task<double> UntilSocketAsync(int k)
        {
            var clock = Stopwatch.StartNew();
            var socket = $"{Dir($"m{k}")}/es.sock";
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                if (File.Exists(socket))
                {
                    try
                    {
                        using var probe = new HttpClient(new SocketsHttpHandler
                        {
                            ConnectCallback = async (_, ct) =>
                            {
                                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                                return new NetworkStream(s, ownsSocket: true);
                            },
                        })
                        { BaseAddress = new Uri("http://eventswarm"), Timeout = TimeSpan.FromSeconds(2) };
                        if ((await probe.GetAsync("/_ping")).IsSuccessStatusCode) return clock.Elapsed.TotalSeconds;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException) { }
                }
                await Task.Delay(100);
            }
            throw new TimeoutException($"manager {k} did not answer /_ping within 120 s");
        }

        private async Task StartManagersAsync()
        {
            StartManager(1);
            await UntilSocketAsync(1);
            _api = Client($"{Dir("m1")}/es.sock", TimeSpan.FromSeconds(60));
            await PostAsync("/swarm/init", new { ListenAddr = ManagerAddress, AdvertiseAddr = ManagerAddress });
            var swarm = await GetAsync("/swarm");
            _token = swarm["JoinTokens"]!["Worker"]!.GetValue<string>();
            var managerToken = swarm["JoinTokens"]!["Manager"]!.GetValue<string>();
            for (var k = 2; k <= o.Managers; k++)
            {
                StartManager(k);
                await UntilSocketAsync(k);
                using var c = Client($"{Dir($"m{k}")}/es.sock", TimeSpan.FromSeconds(60));
                var listen = $"127.0.0.1:{14700 + k}";
                await PostAsync("/swarm/join", new { ListenAddr = listen, AdvertiseAddr = listen, RemoteAddrs = new[] { ManagerAddress }, JoinToken = managerToken }, c);
            }
            // The managers run no task (as a C1M cluster's servers): drained before any node joins.
            foreach (var node in (await GetAsync("/nodes")).AsArray())
                await UpdateNodeAsync(node!["ID"]!.GetValue<string>(), "drain");
            Log($"{o.Managers} manager(s) up, drained");
        }

        private async Task UpdateNodeAsync(string id, string availability)
        {
            for (var attempt = 0; ; attempt++)
            {
                var node = await GetAsync($"/nodes/{id}");
                var spec = node["Spec"]!.AsObject();
                spec["Availability"] = availability;
                try
                {
                    await PostAsync($"/nodes/{id}/update?version={node["Version"]!["Index"]}", spec.ToJsonString());
                    return;
                }
                catch (InvalidOperationException) when (attempt < 5) { }
            }
        }

        private Process StartSimulate(string name) =>
            Start(name, $"simulate --nodes {Sim(name)} --token {_token} {ManagerAddress} --stats {o.Work}/{name}.stats --hostname-prefix {name.ToLowerInvariant()}",
                $"{o.Work}/{name}.log");

        private async Task<JsonArray> NodesAsync() => (await GetAsync("/nodes")).AsArray();

        private static bool Ready(JsonNode n) => n["Status"]?["State"]?.GetValue<string>() == "ready";

        private static string Hostname(JsonNode n) => n["Description"]?["Hostname"]?.GetValue<string>() ?? "";

        // ---- phase 1: join ----

        private async Task JoinAsync()
        {
            Log($"phase 1: joining {o.Nodes} simulated nodes");
            var clock = Stopwatch.StartNew();
            foreach (var name in new[] { "simA", "simB", "simC" }) StartSimulate(name);
            var limit = TimeSpan.FromSeconds(o.PhaseTimeout);
            var ready = 0;
            var lastLog = TimeSpan.Zero;
            var restarts = 0;
            while (clock.Elapsed < limit)
            {
                ready = (await NodesAsync()).Count(n => Ready(n!) && n!["Spec"]!["Role"]!.GetValue<string>() == "worker");
                if (ready >= o.Nodes) break;
                if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(10)) { Log($"  {ready} ready"); lastLog = clock.Elapsed; }
                // A simulate process that could not reach the manager at all (its CA fetch timed out on a loaded box)
                // exits; it is started again, twice at most.
                foreach (var (name, p) in _processes.Where(e => e.Key.StartsWith("sim", StringComparison.Ordinal)).ToList())
                {
                    if (!p.HasExited) continue;
                    if (++restarts > 2) throw new InvalidOperationException($"{name} exited ({p.ExitCode}) during the join; see {o.Work}/{name}.log");
                    Log($"  {name} exited ({p.ExitCode}); starting it again");
                    StartSimulate(name);
                }
                await Task.Delay(500);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            Figure("join: nodes ready", $"{ready}/{o.Nodes}");
            Figure("join: time to all ready (s)", $"{seconds:0.0}");
            Figure("join: rate (nodes/s)", $"{ready / seconds:0.0}");
            if (ready < o.Nodes) throw new TimeoutException($"only {ready} of {o.Nodes} nodes ready within {limit}");
        }

        // ---- phase 2: convergence, with a user's commands timed meanwhile ----

        private static object ServiceSpec(string name, int replicas, int index)
        {
            // One service in ten reserves 0.1 CPU and 64 MiB; one in ten (others) is constrained to workers, so the
            // scheduler's filters are exercised on a share of the C1M shape as the issue asks.
            var reserve = index % 10 == 3;
            var constrain = index % 10 == 7;
            return new
            {
                Name = name,
                Labels = new Dictionary<string, string> { ["bench"] = "scale-cluster" },
                TaskTemplate = new
                {
                    ContainerSpec = new { Image = "busybox:latest", Args = new[] { "sleep", "3600" } },
                    Resources = reserve ? new { Reservations = new { NanoCPUs = 100_000_000L, MemoryBytes = 64L << 20 } } : null,
                    Placement = constrain ? new { Constraints = new[] { "node.role==worker" } } : null,
                },
                Mode = new { Replicated = new { Replicas = replicas } },
            };
        }

        private sealed record Counts(long Running, long Desired, int Services);

        private async Task<Counts> CountsAsync(HttpClient? client = null)
        {
            var services = (await GetAsync("/services?status=true", client)).AsArray();
            long running = 0, desired = 0;
            foreach (var s in services)
            {
                running += s!["ServiceStatus"]?["RunningTasks"]?.GetValue<long>() ?? 0;
                desired += s!["ServiceStatus"]?["DesiredTasks"]?.GetValue<long>() ?? 0;
            }
            return new Counts(running, desired, services.Count);
        }

        /// <summary>Polls the service counts (once a second) until every task is Running and <paramref name="extra"/> holds.</summary>
        private async Task<(double Seconds, Counts Last)> UntilConvergedAsync(Stopwatch clock, string what, Func<Task<bool>>? extra = null)
        {
            var limit = TimeSpan.FromSeconds(o.PhaseTimeout);
            var lastLog = TimeSpan.Zero;
            var counts = new Counts(0, 0, 0);
            while (clock.Elapsed < limit)
            {
                try
                {
                    counts = await CountsAsync();
                    if (counts.Running == counts.Desired && counts.Desired >= _desiredTotal && (extra is null || await extra()))
                        return (clock.Elapsed.TotalSeconds, counts);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
                {
                    Log($"  counts: {e.Message}");
                }
                if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(10)) { Log($"  {what}: {counts.Running:N0}/{counts.Desired:N0} running"); lastLog = clock.Elapsed; }
                await Task.Delay(1000);
            }
            Log($"  {what}: not converged within {limit}: {counts.Running:N0}/{counts.Desired:N0}");
            return (double.NaN, counts);
        }

        private static string Percentile(List<double> values, double p)
        {
            if (values.Count == 0) return "-";
            var sorted = values.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))].ToString("0.0", CultureInfo.InvariantCulture);
        }

        /// <summary>A user's `service ls` (GET /services?status=true, as the CLI asks) and `service scale` of a small service
        /// (inspect + update, the update's round trip being the commit) every 250 ms on their own connections.</summary>
        private async Task<(List<double> Ls, List<double> Scale, int Failures)> UserProbeAsync(CancellationToken stop)
        {
            using var client = Client($"{Dir("m1")}/es.sock", TimeSpan.FromSeconds(30));
            var (ls, scale, failures) = (new List<double>(), new List<double>(), 0);
            var replicas = 1;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var sw = Stopwatch.StartNew();
                    await GetAsync("/services?status=true", client);
                    ls.Add(sw.Elapsed.TotalMilliseconds);
                    var svc = await GetAsync($"/services/{_probeId}", client);
                    var spec = svc["Spec"]!.AsObject();
                    replicas = replicas == 1 ? 2 : 1;
                    spec["Mode"]!["Replicated"]!["Replicas"] = replicas;
                    sw.Restart();
                    await PostAsync($"/services/{_probeId}/update?version={svc["Version"]!["Index"]}", spec.ToJsonString(), client);
                    scale.Add(sw.Elapsed.TotalMilliseconds);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
                {
                    failures++;
                }
                try { await Task.Delay(250, stop); } catch (OperationCanceledException) { }
            }
            // Leave the probe at 1 replica, as the convergence checks expect.
            var last = await GetAsync($"/services/{_probeId}");
            var lastSpec = last["Spec"]!.AsObject();
            lastSpec["Mode"]!["Replicated"]!["Replicas"] = 1;
            await PostAsync($"/services/{_probeId}/update?version={last["Version"]!["Index"]}", lastSpec.ToJsonString());
            return (ls, scale, failures);
        }

        private async Task ConvergeAsync()
        {
            Log($"phase 2: {o.Services} services x {o.Replicas} replicas");
            _probeId = (await PostAsync("/services/create", ServiceSpec("probe", 1, 0)))!["ID"]!.GetValue<string>();
            _desiredTotal = 1;
            using var stop = new CancellationTokenSource();
            var probe = UserProbeAsync(stop.Token);
            var clock = Stopwatch.StartNew();
            var created = new ConcurrentBag<string>();
            var next = 0;
            // 16 creates in flight: a bounded client, as a deployment tool would be.
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) <= o.Services)
                    created.Add((await PostAsync("/services/create", ServiceSpec($"s{i:D4}", o.Replicas, i)))!["ID"]!.GetValue<string>());
            }));
            _serviceIds.AddRange(created);
            var profiler = ProfileConvergence();
            _desiredTotal = (long)o.Services * o.Replicas + 1;
            Figure("converge: creates committed (s)", $"{clock.Elapsed.TotalSeconds:0.0}");
            var (seconds, counts) = await UntilConvergedAsync(clock, "converge");
            await stop.CancelAsync();
            var (ls, scale, failures) = await probe;
            foreach (var p in profiler) await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
            Figure("converge: tasks Running", $"{counts.Running:N0}/{_desiredTotal:N0}");
            Figure("converge: time to all Running (s)", double.IsNaN(seconds) ? $"not reached in {o.PhaseTimeout}" : $"{seconds:0.0}");
            Figure("converge: placements/s end to end", $"{counts.Running / (double.IsNaN(seconds) ? clock.Elapsed.TotalSeconds : seconds):N0}");
            Figure("converge: service ls p50/p99 (ms)", $"{Percentile(ls, 0.5)} / {Percentile(ls, 0.99)} (n={ls.Count})");
            Figure("converge: service scale commit p50/p99 (ms)", $"{Percentile(scale, 0.5)} / {Percentile(scale, 0.99)} (n={scale.Count}, {failures} failed)");
        }

        /// <summary>With --profile DIR: 20 s of thread stack samples (dotnet-trace, dotnet-sampled-thread-time + gc-collect) and the runtime's
        /// counters every second for 60 s (dotnet-counters, CSV) of the manager while it converges.</summary>
        private List<Process> ProfileConvergence()
        {
            if (o.Profile is not { } dir) return [];
            Directory.CreateDirectory(dir);
            var tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools");
            var pid = ManagerPid.ToString(CultureInfo.InvariantCulture);
            Log($"  profiling the manager (pid {pid}) into {dir}");
            var started = new List<Process>();
            foreach (var (tool, arguments) in new[]
            {
                ("dotnet-trace", new[] { "collect", "-p", pid, "--profile", "dotnet-sampled-thread-time,gc-collect", "--duration", "00:00:00:20", "-o", $"{dir}/converge.nettrace" }),
                ("dotnet-counters", new[] { "collect", "-p", pid, "--refresh-interval", "1", "--duration", "00:00:01:00", "--format", "csv", "-o", $"{dir}/converge-counters.csv" }),
            })
            {
                var info = new ProcessStartInfo(Path.Combine(tools, tool), arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
                var p = Process.Start(info);
                if (p is null) continue;
                _ = p.StandardOutput.ReadToEndAsync();
                started.Add(p);
            }
            return started;
        }

        // ---- phase 3: steady state, then (at the end) restart ----

        private int ManagerPid => _processes["manager1"].Id;

        private static long Ticks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime + stime
        }

        private static long Rss(int pid) =>
            long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

        private static long DirBytes(string path) =>
            Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

        private async Task SteadyStateAsync()
        {
            Log("phase 3: steady state (30 s of heartbeats only)");
            var tasks = (await CountsAsync()).Running;
            var before = Ticks(ManagerPid);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(30));
            var cpu = (Ticks(ManagerPid) - before) / 100.0 / clock.Elapsed.TotalSeconds;
            var rss = Rss(ManagerPid);
            Figure("steady: manager RSS (MiB)", $"{rss / 1048576.0:0}");
            Figure("steady: manager RSS per task (bytes)", tasks > 0 ? $"{rss / (double)tasks:0}" : "-");
            Figure("steady: manager CPU, heartbeats only (share of one core)", $"{cpu:P1} of one core, {cpu / Environment.ProcessorCount:P1} of the machine");
            await DiskFiguresAsync("steady");
        }

        private async Task DiskFiguresAsync(string phase)
        {
            var log = await GetAsync("/eventswarm/v1/log");
            var events = log["lastSequence"]!.GetValue<long>();
            var raft = $"{Dir("m1")}/data/raft";
            var total = DirBytes(raft);
            var snapshots = DirBytes($"{raft}/snapshots");
            var history = DirBytes($"{raft}/history");
            var wal = total - snapshots - history;
            var snapshotFiles = Directory.Exists($"{raft}/snapshots") ? new DirectoryInfo($"{raft}/snapshots").GetFiles("*", SearchOption.AllDirectories) : [];
            var newest = snapshotFiles.OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault();
            Figure($"{phase}: events in the log", $"{events:N0} (committed index {log["committedIndex"]})");
            Figure($"{phase}: raft/ on disk (MiB)", $"{total / 1048576.0:0.0} = Raft log {wal / 1048576.0:0.0} + snapshots {snapshots / 1048576.0:0.0} ({snapshotFiles.Length} files) + history {history / 1048576.0:0.0}");
            Figure($"{phase}: disk bytes per event (Raft log / history)", events > 0 ? $"{wal / (double)events:0} / {history / (double)events:0}" : "-");
            Figure($"{phase}: newest snapshot (MiB)", newest is null ? "none" : $"{newest.Length / 1048576.0:0.0} ({newest.Name})");
            var data = $"{Dir("m1")}/data";
            foreach (var sub in Directory.Exists(data) ? Directory.GetDirectories(data) : [])
                Log($"  {Path.GetFileName(sub)}/: {DirBytes(sub) / 1048576.0:0.0} MiB");
        }

        private async Task RestartAsync()
        {
            Log("restart: kill -9 the manager, start it on its data directory");
            var services = (await CountsAsync()).Services;
            Kill("manager1");
            var clock = Stopwatch.StartNew();
            StartManager(1);
            var ping = await UntilSocketAsync(1);
            double answered = double.NaN;
            while (clock.Elapsed < TimeSpan.FromSeconds(o.PhaseTimeout))
            {
                try
                {
                    if ((await CountsAsync()).Services >= services) { answered = clock.Elapsed.TotalSeconds; break; }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException) { }
                await Task.Delay(100);
            }
            Figure("restart: kill -9 -> /_ping answers (s)", $"{ping:0.0}");
            Figure("restart: kill -9 -> service ls shows all services (s)", double.IsNaN(answered) ? "not reached" : $"{answered:0.0}");
            var (seconds, counts) = await UntilConvergedAsync(clock, "restart");
            Figure("restart: kill -9 -> all tasks Running again (s)", double.IsNaN(seconds) ? $"not reached ({counts.Running:N0}/{counts.Desired:N0})" : $"{seconds:0.0}");
            Figure("restart: RSS after restart (MiB)", $"{Rss(ManagerPid) / 1048576.0:0}");
        }

        // ---- phase 4: node failure ----

        private async Task NodeFailureAsync()
        {
            Log($"phase 4: kill -9 the simulate process of {o.Fail} nodes");
            var victims = (await NodesAsync()).Where(n => Hostname(n!).StartsWith("simb-", StringComparison.Ordinal)).Select(n => n!["ID"]!.GetValue<string>()).ToHashSet();
            var killedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            Kill("simB");
            // The running counts only drop once the manager marks the nodes Down (heartbeat timeout): wait for that.
            double down = double.NaN;
            while (clock.Elapsed < TimeSpan.FromSeconds(o.PhaseTimeout))
            {
                var nodes = await NodesAsync();
                if (nodes.Count(n => victims.Contains(n!["ID"]!.GetValue<string>()) && !Ready(n!)) >= victims.Count) { down = clock.Elapsed.TotalSeconds; break; }
                await Task.Delay(250);
            }
            Figure("failure: kill -9 -> all its nodes Down (s)", $"{down:0.0}");
            var (seconds, counts) = await UntilConvergedAsync(clock, "failure");
            Figure("failure: kill -9 -> all tasks Running elsewhere (s)", double.IsNaN(seconds) ? $"not reached ({counts.Running:N0}/{counts.Desired:N0})" : $"{seconds:0.0}");
            // Per task: the replacements (created after the kill) of a sample of services, from their own timestamps.
            var perTask = new List<double>();
            var sinceDown = new List<double>();
            foreach (var id in _serviceIds.Take(40))
            {
                var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["service"] = [id], ["desired-state"] = ["running"] }));
                foreach (var t in (await GetAsync($"/tasks?filters={filter}")).AsArray())
                {
                    var created = t!["CreatedAt"]!.GetValue<DateTimeOffset>();
                    if (created <= killedAt || t["Status"]?["State"]?.GetValue<string>() != "running") continue;
                    var running = t["Status"]!["Timestamp"]!.GetValue<DateTimeOffset>();
                    perTask.Add((running - killedAt).TotalMilliseconds);
                    sinceDown.Add((running - created).TotalMilliseconds);
                }
            }
            Figure("failure: per task, kill -> replacement Running p50/p99 (ms)", $"{Percentile(perTask, 0.5)} / {Percentile(perTask, 0.99)} (n={perTask.Count}, {Math.Min(40, _serviceIds.Count)} services sampled)");
            Figure("failure: per task, replacement created -> Running p50/p99 (ms)", $"{Percentile(sinceDown, 0.5)} / {Percentile(sinceDown, 0.99)}");
        }

        // ---- phase 5: churn ----

        private async Task ChurnAsync()
        {
            var nodes = (await NodesAsync()).Where(n => Ready(n!) && Hostname(n!).StartsWith("sima-", StringComparison.Ordinal)).ToList();
            var drain = nodes.Take(o.Nodes / 20).Select(n => n!["ID"]!.GetValue<string>()).ToList();
            Log($"phase 5: drain {drain.Count} nodes, scale {_serviceIds.Count / 2} services by +-10%");
            var clock = Stopwatch.StartNew();
            var queue = new ConcurrentQueue<Func<Task>>();
            foreach (var id in drain) queue.Enqueue(() => UpdateNodeAsync(id, "drain"));
            var delta = 0L;
            for (var i = 0; i < _serviceIds.Count / 2; i++)
            {
                var (id, up) = (_serviceIds[i * 2], i % 2 == 0);
                var change = Math.Max(1, o.Replicas / 10) * (up ? 1 : -1);
                delta += change;
                queue.Enqueue(async () =>
                {
                    var svc = await GetAsync($"/services/{id}");
                    var spec = svc["Spec"]!.AsObject();
                    spec["Mode"]!["Replicated"]!["Replicas"] = spec["Mode"]!["Replicated"]!["Replicas"]!.GetValue<long>() + change;
                    await PostAsync($"/services/{id}/update?version={svc["Version"]!["Index"]}", spec.ToJsonString());
                });
            }
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                while (queue.TryDequeue(out var work)) await work();
            }));
            _desiredTotal += delta;
            Figure("churn: commands committed (s)", $"{clock.Elapsed.TotalSeconds:0.0} ({drain.Count} drains, {_serviceIds.Count / 2} scales)");
            // Converged: every service at its new count, and a sample of the drained nodes holds no task meant to run.
            async Task<bool> DrainedEmpty()
            {
                foreach (var id in drain.Take(5))
                {
                    var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["node"] = [id], ["desired-state"] = ["running"] }));
                    if ((await GetAsync($"/tasks?filters={filter}")).AsArray().Count > 0) return false;
                }
                return true;
            }
            // No dip is waited for: a drained node's tasks count as Running until the orchestrator shuts them down, which the
            // sample check sees; a scaled service's count differs from its new spec until the change is done.
            var (seconds, counts) = await UntilConvergedAsync(clock, "churn", extra: DrainedEmpty);
            Figure("churn: time to converge (s)", double.IsNaN(seconds) ? $"not reached ({counts.Running:N0}/{counts.Desired:N0})" : $"{seconds:0.0}");
        }

        // ---- phase 6: fan-out (from simulate's --stats lines) ----

        private sealed record Stat(DateTimeOffset At, int Joined, long Tasks, long Running, double? FeedLagP50Ms, double? FeedLagP99Ms, long FeedBytes, long Reports);

        private List<Stat> Stats(string name)
        {
            var path = $"{o.Work}/{name}.stats";
            if (!File.Exists(path)) return [];
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var stats = new List<Stat>();
            while (reader.ReadLine() is { } line)
            {
                try { if (JsonSerializer.Deserialize<Stat>(line, Json) is { } s) stats.Add(s); }
                catch (JsonException) { }
            }
            return stats;
        }

        private (double LagP99, long Bytes, int Seconds) Window(DateTimeOffset from, DateTimeOffset to)
        {
            var lines = new[] { "simA", "simB", "simC" }.SelectMany(Stats).Where(s => s.At > from && s.At <= to).ToList();
            var lags = lines.Where(s => s.FeedLagP99Ms is not null).Select(s => s.FeedLagP99Ms!.Value).ToList();
            return (lags.Count == 0 ? double.NaN : lags.Max(), lines.Sum(s => s.FeedBytes), (int)(to - from).TotalSeconds);
        }

        private async Task FanOutAsync()
        {
            Log("phase 6: fan-out");
            // Baseline: 10 s with nothing changing (heartbeats only).
            var t0 = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(10));
            var quiet = Window(t0, DateTimeOffset.UtcNow);
            Figure("fan-out: feed bytes/s to all nodes, nothing changing", $"{quiet.Bytes / Math.Max(1, quiet.Seconds):N0}");
            // A change every node must see: one node drained and made active again, ten times, 3 s apart.
            var node = (await NodesAsync()).First(n => Ready(n!) && Hostname(n!).StartsWith("sima-", StringComparison.Ordinal))!["ID"]!.GetValue<string>();
            var t1 = DateTimeOffset.UtcNow;
            for (var i = 0; i < 10; i++)
            {
                await UpdateNodeAsync(node, i % 2 == 0 ? "drain" : "active");
                await Task.Delay(3000);
            }
            await Task.Delay(2000);
            var changes = Window(t1, DateTimeOffset.UtcNow);
            var extra = changes.Bytes - quiet.Bytes / (double)Math.Max(1, quiet.Seconds) * changes.Seconds;
            Figure("fan-out: feed lag p99 while a node is drained/activated (ms, worst second)", $"{changes.LagP99:0}");
            Figure("fan-out: manager egress per change (bytes, over the quiet rate)", $"{extra / 10:N0} ({extra / 10 / o.Nodes:0.0} per node)");
            // A worker away: the small process paused (SIGSTOP) for --away seconds, then resumed; what it fetches.
            var away = _processes["simC"];
            Signal(away, "STOP");
            var stoppedAt = Stopwatch.StartNew();
            Log($"  simC ({o.AwayNodes} nodes) stopped for {o.AwaySeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(o.AwaySeconds));
            var resumed = DateTimeOffset.UtcNow;
            Signal(away, "CONT");
            await Task.Delay(TimeSpan.FromSeconds(20));
            var back = Stats("simC").Where(s => s.At > resumed).ToList();
            Figure($"fan-out: a worker away {o.AwaySeconds} s fetches on return (bytes per node, first 20 s)", back.Count == 0 ? "no stats" : $"{back.Sum(s => s.FeedBytes) / (double)o.AwayNodes:N0}");
            Figure("fan-out: worker back: running tasks on the away nodes after 20 s", back.Count == 0 ? "-" : $"{back[^1].Running:N0}");
            await UntilConvergedAsync(Stopwatch.StartNew(), "after away");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var c in _clients) c.Dispose();
            foreach (var name in _processes.Keys.ToList()) Kill(name);
            await Task.CompletedTask;
        }
    }
}
