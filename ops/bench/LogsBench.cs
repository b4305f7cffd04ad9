using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Issue 17's service logs figures, the same code against EventSwarm's socket and a Docker Swarm engine's:
/// <list type="bullet">
/// <item>first line latency: <c>GET /services/{id}/logs?follow=1&amp;tail=1&amp;details=1</c> (what <c>docker service logs
/// -f --tail 1</c> asks) on a new connection → its first frame, RUNS times, on a quiet 1-replica service (a line every
/// 0.5 s); p50 and p99 in ms;</item>
/// <item>lines/s of a chatty task (busybox printing as fast as it can): followed for 5 s (as delivered to the client), and
/// its whole log read back once without follow; the same two through the engine's own container logs, the floor.</item>
/// </list>
/// Usage: <c>logs SYSTEM API_ENDPOINT ENGINE_ENDPOINT RUNS</c>. Prints "system\tfigure\tvalue" lines.
/// </summary>
public static class LogsBench
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args)
    {
        var (system, apiEndpoint, engineEndpoint, runs) = (args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        using var api = new DockerClientBuilder().WithEndpoint(new Uri(apiEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();

        var quiet = await CreateAsync(api, "bench-logs-quiet", "i=0; while true; do echo \"quiet line $i\"; i=$((i+1)); sleep 0.5; done");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var latencies = new List<double>();
        for (var i = -1; i < runs; i++)
        {
            using var http = UnixHttp(apiEndpoint);
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync($"/v1.41/services/{quiet}/logs?stdout=1&stderr=1&details=1&follow=1&tail=1", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            if (await ReadFrameAsync(body) is null) throw new InvalidOperationException($"{system}: no line from {quiet}");
            // The first one warms the connection and the server up.
            if (i >= 0) latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        await api.Swarm.RemoveServiceAsync(quiet);
        latencies.Sort();
        Print(system, "service logs -f first line p50 (ms)", Percentile(latencies, 0.50).ToString("0.0", CultureInfo.InvariantCulture));
        Print(system, "service logs -f first line p99 (ms)", Percentile(latencies, 0.99).ToString("0.0", CultureInfo.InvariantCulture));

        var chatty = await CreateAsync(api, "bench-logs-chatty", "while true; do echo 0123456789abcdefghijklmnopqrstuvwxyz; done");
        var task = (await api.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [chatty] = true } },
        })).First(t => t.Status.State == TaskState.Running);
        var container = task.Status.ContainerStatus.ContainerID;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Print(system, "chatty task followed, lines/s", (await CountAsync(apiEndpoint, $"/v1.41/services/{chatty}/logs?stdout=1&stderr=1&details=1&follow=1&tail=0", TimeSpan.FromSeconds(5)) / 5).ToString("0", CultureInfo.InvariantCulture));
        Print(system, "chatty task followed, engine alone, lines/s", (await CountAsync(engineEndpoint, $"/v1.41/containers/{container}/logs?stdout=1&stderr=1&follow=1&tail=0", TimeSpan.FromSeconds(5)) / 5).ToString("0", CultureInfo.InvariantCulture));
        // Its whole log so far (up to the 50 MB cap), without follow: through the service, then the engine alone.
        var whole = Stopwatch.StartNew();
        var lines = await CountAsync(apiEndpoint, $"/v1.41/services/{chatty}/logs?stdout=1&stderr=1&details=1&tail=all", Limit);
        Print(system, "chatty task whole log read, lines/s", (lines / whole.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
        whole.Restart();
        lines = await CountAsync(engineEndpoint, $"/v1.41/containers/{container}/logs?stdout=1&stderr=1&tail=all", Limit);
        Print(system, "chatty task whole log read, engine alone, lines/s", (lines / whole.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
        await api.Swarm.RemoveServiceAsync(chatty);
        return 0;
    }

    /// <summary>A one-replica busybox service running <paramref name="script"/>, once its task is Running; its log capped at 50 MB.</summary>
    private static async Task<string> CreateAsync(IDockerClient api, string name, string script)
    {
        var id = (await api.Swarm.CreateServiceAsync(new ServiceCreateParameters
        {
            Service = new ServiceSpec
            {
                Name = name,
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new ContainerSpec { Image = "busybox:latest", Args = ["sh", "-c", script], StopGracePeriod = TimeSpan.FromSeconds(1) },
                    LogDriver = new SwarmDriver { Name = "json-file", Options = new Dictionary<string, string> { ["max-size"] = "50m", ["max-file"] = "1" } },
                },
            },
        })).ID;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            var tasks = await api.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [id] = true } },
            });
            if (tasks.Any(t => t.Status.State == TaskState.Running)) return id;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{name} did not run within {Limit}");
    }

    /// <summary>Frames read from <paramref name="path"/> until it ends or <paramref name="limit"/> has passed.</summary>
    private static async Task<double> CountAsync(string endpoint, string path, TimeSpan limit)
    {
        using var http = UnixHttp(endpoint);
        using var stop = new CancellationTokenSource(limit);
        long frames = 0;
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            while (await ReadFrameAsync(body, stop.Token) is not null) frames++;
        }
        catch (OperationCanceledException)
        {
        }
        return frames;
    }

    private static async Task<byte[]?> ReadFrameAsync(Stream body, CancellationToken ct = default)
    {
        var header = new byte[8];
        try
        {
            await body.ReadExactlyAsync(header, ct);
            var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4))];
            await body.ReadExactlyAsync(payload, ct);
            return payload;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static void Print(string system, string figure, string value) => Console.WriteLine($"{system}\t{figure}\t{value}");

    private static HttpClient UnixHttp(string endpoint) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(new Uri(endpoint).LocalPath), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://docker"), Timeout = Timeout.InfiniteTimeSpan };
}
