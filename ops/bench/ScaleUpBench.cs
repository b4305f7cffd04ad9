using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Issue 10's scale-up on one node: `service create --replicas N` of busybox sleeping, then, while the engine works
/// through the queue, the API's responsiveness (/_ping p50/p99 and failures, `service ls` latency), the agent's open
/// descriptors, the most engine calls in flight (from the agent's log), containers running after 60 s and 120 s;
/// then `scale 0`, the time until the engine holds none of them, and whether the agent survived.
/// Usage: <c>scale-up API_SOCKET ENGINE_ENDPOINT AGENT_PID AGENT_LOG [N] [SECONDS]</c>.
/// </summary>
public static class ScaleUpBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (socket, engineEndpoint, pid, agentLog) = (args[0], args[1], int.Parse(args[2]), args[3]);
        var replicas = args.Length > 4 ? ulong.Parse(args[4]) : 100_000;
        var seconds = args.Length > 5 ? int.Parse(args[5]) : 120;
        using var api = new DockerClientBuilder().WithEndpoint(new Uri($"unix://{socket}")).WithApiVersion(new System.Version(1, 41)).Build();
        using var engine = new DockerClientBuilder().WithEndpoint(new Uri(engineEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://eventswarm"), Timeout = TimeSpan.FromSeconds(2) };
        var figures = new List<(string, string)>();
        var mine = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["eventswarm.service.name=bench-scale"] = true } };

        async Task<int> Containers(bool running) =>
            (await engine.Containers.ListContainersAsync(new ContainersListParameters { All = !running, Filters = mine })).Count;
        int Fds() => Directory.Exists($"/proc/{pid}/fd") ? Directory.GetFiles($"/proc/{pid}/fd").Length : -1;

        var id = (await api.Swarm.CreateServiceAsync(new ServiceCreateParameters
        {
            Service = new ServiceSpec
            {
                Name = "bench-scale",
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } },
                TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "busybox:latest", Args = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] } },
            },
        })).ID;

        var clock = Stopwatch.StartNew();
        var pings = new List<double>();
        var pingFailures = 0;
        var lsTimes = new List<double>();
        var maxFds = 0;
        var nextLs = TimeSpan.Zero;
        var marks = new Queue<int>(new[] { 60, 120, 180, 240 }.Where(m => m <= seconds));
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var sw = Stopwatch.StartNew();
            try
            {
                using var response = await http.GetAsync("/_ping");
                if (response.IsSuccessStatusCode) pings.Add(sw.Elapsed.TotalMilliseconds); else pingFailures++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                pingFailures++;
            }
            maxFds = Math.Max(maxFds, Fds());
            if (clock.Elapsed >= nextLs)
            {
                sw.Restart();
                await api.Swarm.ListServicesAsync();
                lsTimes.Add(sw.Elapsed.TotalMilliseconds);
                nextLs = clock.Elapsed + TimeSpan.FromSeconds(5);
            }
            if (marks.TryPeek(out var mark) && clock.Elapsed >= TimeSpan.FromSeconds(mark))
            {
                figures.Add(($"containers running after {marks.Dequeue()} s", $"{await Containers(running: true)}"));
                Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: {figures[^1].Item2} running, {Fds()} fds");
            }
            await Task.Delay(200);
        }
        pings.Sort();
        lsTimes.Sort();
        figures.Add(("/_ping probes (ok + failed)", $"{pings.Count} + {pingFailures}"));
        figures.Add(("/_ping p50 (ms)", pings.Count == 0 ? "-" : $"{pings[pings.Count / 2]:0.0}"));
        figures.Add(("/_ping p99 (ms)", pings.Count == 0 ? "-" : $"{pings[Math.Min(pings.Count - 1, (int)(pings.Count * 0.99))]:0.0}"));
        figures.Add(("service ls max (ms)", lsTimes.Count == 0 ? "-" : $"{lsTimes[^1]:0}"));
        figures.Add(("agent open fds, max", $"{maxFds}"));
        var maxima = Regex.Matches(File.ReadAllText(agentLog), @"engine calls in flight: at most (\d+) at once \(pool of (\d+)\)");
        figures.Add(("engine calls in flight, max (pool)", maxima.Count == 0 ? "-" : $"{maxima.Max(m => int.Parse(m.Groups[1].Value))} ({maxima[0].Groups[2].Value})"));

        var tasks = (await api.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [id] = true } },
        })).GroupBy(t => t.Status.State.ToString()).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        figures.Add(("tasks by state before scale 0", string.Join(", ", tasks)));

        var drain = Stopwatch.StartNew();
        var current = await api.Swarm.InspectServiceAsync(id);
        current.Spec.Mode.Replicated.Replicas = 0;
        await api.Swarm.UpdateServiceAsync(id, new ServiceUpdateParameters { Service = current.Spec, Version = (long)current.Version.Index!.Value });
        figures.Add(("scale 0 answered (ms)", $"{drain.Elapsed.TotalMilliseconds:0}"));
        while (drain.Elapsed < TimeSpan.FromMinutes(5) && await Containers(running: false) > 0) await Task.Delay(500);
        figures.Add(("scale 0 -> engine holds none of them (s)", $"{drain.Elapsed.TotalSeconds:0.0}"));
        await api.Swarm.RemoveServiceAsync(id);
        figures.Add(("agent alive at the end", Directory.Exists($"/proc/{pid}") && (await http.GetAsync("/_ping")).IsSuccessStatusCode ? "yes" : "NO"));

        foreach (var (figure, value) in figures) Console.WriteLine($"scale-up N={replicas}\t{figure}\t{value}");
        return 0;
    }
}
