using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Issue 16's latency of one change on a real node, repeated REPS times: `service create` of 1 replica (busybox
/// `sleep 3600`, restart condition any, delay 0) → its task Running, then `docker rm -f` of its container →
/// the replacement Running, then the service removed and its containers gone before the next repetition. The
/// "engine" system is the floor: the engine's own create + start of the same container, one at a time.
/// Running is watched through the task list every 10 ms (so each figure carries up to 10 ms of polling).
/// For EventSwarm (API_SOCKET given), each repetition is also broken into stages from timestamps on the same clock:
/// the batches' metadata At in the log (/eventswarm/v1/events: when the command or pass decided, just before its
/// commit), the worker's task status timestamps (when it observed the state), and the engine's container events
/// (when create and start ended). Engine stages are printed for Docker Swarm too.
/// Usage: <c>latency SYSTEM API_ENDPOINT ENGINE_ENDPOINT REPS [API_SOCKET]</c>, SYSTEM one of engine, eventswarm, swarm.
/// Prints "system\tfigure\tvalue" lines (p50 and p90 in seconds) and "stage\t..." lines (milliseconds from the call).
/// </summary>
public static class LatencyBench
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var (system, apiEndpoint, engineEndpoint, reps) = (args[0], args[1], args[2], int.Parse(args[3]));
        var socket = args.Length > 4 ? args[4] : null;
        using var api = new DockerClientBuilder().WithEndpoint(new Uri(apiEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
        using var engine = new DockerClientBuilder().WithEndpoint(new Uri(engineEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
        using var http = socket is null ? null : UnixHttp(socket);
        var taskLabel = system == "swarm" ? "com.docker.swarm.task.id" : "eventswarm.task.id";

        if (system == "engine")
        {
            var floor = new List<double>();
            var parts = new List<Dictionary<string, double>>();
            for (var i = -1; i < reps; i++)
            {
                var clock = Stopwatch.StartNew();
                var id = (await engine.Containers.CreateContainerAsync(new CreateContainerParameters
                {
                    Name = $"bench-latency-engine-{i + 1}",
                    Image = "busybox:latest",
                    Cmd = ["sleep", "3600"],
                    Labels = new Dictionary<string, string> { ["eventswarm.bench"] = "latency" },
                })).ID;
                var created = clock.Elapsed.TotalMilliseconds;
                await engine.Containers.StartContainerAsync(id, new ContainerStartParameters());
                // The first one warms the engine and the client up, as each system's first repetition does.
                if (i >= 0)
                {
                    floor.Add(clock.Elapsed.TotalSeconds);
                    parts.Add(new() { ["create answered"] = created, ["start answered"] = clock.Elapsed.TotalMilliseconds });
                }
                await engine.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
                await Task.Delay(200);
            }
            Print(system, "create + start", floor);
            PrintStages(system, "create", parts);
            return 0;
        }

        var creates = new List<double>();
        var replacements = new List<double>();
        var createStages = new List<Dictionary<string, double>>();
        var replaceStages = new List<Dictionary<string, double>>();
        // Repetition -1 warms up (the first create of a process pays for JIT and connections on both systems): not counted.
        for (var i = -1; i < reps; i++)
        {
            var name = $"bench-{system}-latency-{i + 1}";
            var spec = new ServiceSpec
            {
                Name = name,
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new ContainerSpec { Image = "busybox:latest", Args = ["sleep", "3600"], StopGracePeriod = TimeSpan.FromSeconds(1) },
                    RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.Zero },
                },
                // LATENCY_BENCH_NO_BACKOFF=1: EventSwarm's crash-loop back-off (100 ms for a task that ran < 10 s, issue 10)
                // is left out of the rm -f figure (Docker Swarm ignores the label).
                Labels = Environment.GetEnvironmentVariable("LATENCY_BENCH_NO_BACKOFF") == "1"
                    ? new Dictionary<string, string> { ["com.eventswarm.restart-backoff"] = "false" }
                    : null,
            };
            var createdAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var serviceId = (await api.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec })).ID;
            var answered = clock.Elapsed.TotalMilliseconds;
            var first = await UntilRunning(api, serviceId, clock, null);
            var createSeconds = clock.Elapsed.TotalSeconds;
            var createSeen = clock.Elapsed.TotalMilliseconds;

            await Task.Delay(300); // the Running report's commit and anything after it settle before the next change
            var replacedAt = DateTimeOffset.UtcNow;
            clock = Stopwatch.StartNew();
            await engine.Containers.RemoveContainerAsync(first.Status.ContainerStatus.ContainerID, new ContainerRemoveParameters { Force = true });
            var second = await UntilRunning(api, serviceId, clock, first.ID);
            var replaceSeconds = clock.Elapsed.TotalSeconds;
            var replaceSeen = clock.Elapsed.TotalMilliseconds;
            await Task.Delay(300);

            var engineEvents = await EngineEvents(engine, createdAt, taskLabel);
            var create = new Dictionary<string, double> { ["create call answered"] = answered };
            var replace = new Dictionary<string, double>();
            if (http is not null)
            {
                var log = await LogEvents(http, serviceId);
                Stages(create, log, engineEvents, createdAt, createSeen, first.ID, null);
                Stages(replace, log, engineEvents, replacedAt, replaceSeen, second.ID, first.ID);
            }
            else
            {
                EngineStages(create, engineEvents, createdAt, first.ID, null);
                EngineStages(replace, engineEvents, replacedAt, second.ID, first.ID);
            }
            create["Running seen by the client"] = createSeen;
            replace["Running seen by the client"] = replaceSeen;
            if (i >= 0)
            {
                creates.Add(createSeconds);
                replacements.Add(replaceSeconds);
                createStages.Add(create);
                replaceStages.Add(replace);
            }
            Console.Error.WriteLine($"{system} #{i + 1}: create -> Running {createSeconds:0.000} s, rm -f -> replacement Running {replaceSeconds:0.000} s{(i < 0 ? " (warm-up)" : "")}");

            await api.Swarm.RemoveServiceAsync(serviceId);
            var gone = Stopwatch.StartNew();
            var mine = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name + "."] = true } };
            while (gone.Elapsed < Limit && (await engine.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = mine })).Count > 0)
                await Task.Delay(100);
        }
        Print(system, "create 1 replica -> Running", creates);
        Print(system, "docker rm -f -> replacement Running (delay 0)", replacements);
        PrintStages(system, "create", createStages);
        PrintStages(system, "rm -f", replaceStages);
        return 0;
    }

    private static HttpClient UnixHttp(string socket) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://eventswarm"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The service's first running task that is not <paramref name="not"/>, polled every 10 ms.</summary>
    private static async Task<TaskResponse> UntilRunning(IDockerClient api, string serviceId, Stopwatch clock, string? not)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } };
        while (clock.Elapsed < Limit)
        {
            var tasks = await api.Tasks.ListAsync(new TasksListParameters { Filters = filter });
            if (tasks.FirstOrDefault(t => t.ID != not && t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running) is { } running)
                return running;
            await Task.Delay(Poll);
        }
        throw new TimeoutException($"{serviceId}: no task running within {Limit}");
    }

    private sealed record EngineEvent(string Action, string ContainerId, string TaskId, DateTimeOffset At);

    /// <summary>The engine's container events since <paramref name="since"/> up to now, of task containers.</summary>
    private static async Task<List<EngineEvent>> EngineEvents(IDockerClient engine, DateTimeOffset since, string taskLabel)
    {
        var events = new List<EngineEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var until = DateTimeOffset.UtcNow.AddMilliseconds(100);
        await engine.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Since = (since.ToUnixTimeMilliseconds() / 1000.0 - 1).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
            Until = (until.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["label"] = new Dictionary<string, bool> { [taskLabel] = true },
            },
        }, new Progress(m =>
        {
            if (m.Actor?.Attributes is { } attributes && attributes.TryGetValue(taskLabel, out var task))
                lock (events) events.Add(new EngineEvent(m.Action, m.Actor.ID, task, DateTimeOffset.FromUnixTimeMilliseconds((m.TimeNano ?? 0) / 1_000_000)));
        }), timeout.Token);
        lock (events) return [.. events];
    }

    private sealed class Progress(Action<Message> report) : IProgress<Message>
    {
        public void Report(Message value) => report(value);
    }

    private static void EngineStages(Dictionary<string, double> stages, List<EngineEvent> engine, DateTimeOffset t0, string taskId, string? replaced)
    {
        double Ms(DateTimeOffset at) => (at - t0).TotalMilliseconds;
        if (replaced is not null && engine.FirstOrDefault(e => e.TaskId == replaced && e.Action == "die") is { } died)
            stages["engine: old container died"] = Ms(died.At);
        if (engine.FirstOrDefault(e => e.TaskId == taskId && e.Action == "create") is { } created) stages["engine: container created"] = Ms(created.At);
        if (engine.FirstOrDefault(e => e.TaskId == taskId && e.Action == "start") is { } started) stages["engine: container started"] = Ms(started.At);
    }

    private static async Task<List<JsonElement>> LogEvents(HttpClient http, string serviceId)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/eventswarm/v1/events?filter=service={serviceId}"));
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The stages of one change, in milliseconds from <paramref name="t0"/>, from the log and the engine's events.</summary>
    private static void Stages(Dictionary<string, double> stages, List<JsonElement> log, List<EngineEvent> engine, DateTimeOffset t0, double seenMs, string taskId,
        string? replaced)
    {
        double Ms(DateTimeOffset at) => (at - t0).TotalMilliseconds;
        static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
        static DateTimeOffset Time(JsonElement e) => e.GetProperty("time").GetDateTimeOffset();
        static string? TaskOf(JsonElement e) => e.GetProperty("event").TryGetProperty("taskId", out var id) ? id.GetString() : null;
        static string State(JsonElement e) => e.GetProperty("event").GetProperty("status").GetProperty("state").GetString()!;
        static DateTimeOffset Observed(JsonElement e) => e.GetProperty("event").GetProperty("status").GetProperty("timestamp").GetDateTimeOffset();

        if (replaced is null && log.FirstOrDefault(e => Type(e) == "service-created") is { ValueKind: JsonValueKind.Object } service)
            stages["service-created decided (commit follows)"] = Ms(Time(service));
        var reports = log.Where(e => Type(e) == "task-status-reported").ToList();
        if (replaced is not null)
        {
            if (engine.FirstOrDefault(e => e.TaskId == replaced && e.Action == "die") is { } died) stages["engine: old container died"] = Ms(died.At);
            if (reports.FirstOrDefault(e => TaskOf(e) == replaced && State(e) is "failed" or "complete" or "shutdown") is { ValueKind: JsonValueKind.Object } end)
            {
                stages["worker: old task's end observed"] = Ms(Observed(end));
                stages["old task's end decided (report command)"] = Ms(Time(end));
            }
        }
        if (log.FirstOrDefault(e => Type(e) == "task-created" && TaskOf(e) == taskId) is { ValueKind: JsonValueKind.Object } created)
            stages["task-created decided (pass)"] = Ms(Time(created));
        if (log.FirstOrDefault(e => Type(e) == "task-assigned" && TaskOf(e) == taskId) is { ValueKind: JsonValueKind.Object } assigned)
            stages["task-assigned decided (pass)"] = Ms(Time(assigned));
        foreach (var state in new[] { "preparing", "ready", "starting" })
            if (reports.FirstOrDefault(e => TaskOf(e) == taskId && State(e) == state) is { ValueKind: JsonValueKind.Object } report)
                stages[$"worker: {state} observed"] = Ms(Observed(report));
        if (engine.FirstOrDefault(e => e.TaskId == taskId && e.Action == "create") is { } made) stages["engine: container created"] = Ms(made.At);
        if (engine.FirstOrDefault(e => e.TaskId == taskId && e.Action == "start") is { } started) stages["engine: container started"] = Ms(started.At);
        if (reports.FirstOrDefault(e => TaskOf(e) == taskId && State(e) == "running") is { ValueKind: JsonValueKind.Object } running)
        {
            stages["worker: running observed"] = Ms(Observed(running));
            stages["running decided (report command)"] = Ms(Time(running));
        }
        // Batches decided from the call until the client saw Running (a batch's At is on the agent's clock, the same machine's).
        stages["log entries for the change"] = log.Where(e => Time(e) >= t0 && Time(e) <= t0.AddMilliseconds(seenMs))
            .Select(e => e.GetProperty("metadata").GetProperty("correlationId").GetString()).Distinct().Count();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static void Print(string system, string figure, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        Console.WriteLine($"{system}\t{figure} p50 (s)\t{Percentile(sorted, 0.5):0.000}");
        Console.WriteLine($"{system}\t{figure} p90 (s)\t{Percentile(sorted, 0.9):0.000}");
    }

    /// <summary>Each stage's p50 and p90 over the repetitions that saw it, in the order of their p50.</summary>
    private static void PrintStages(string system, string change, List<Dictionary<string, double>> reps)
    {
        var names = reps.SelectMany(r => r.Keys).Distinct()
            .Select(n => (Name: n, Values: reps.Where(r => r.ContainsKey(n)).Select(r => r[n]).Order().ToList()))
            .OrderBy(s => s.Name.StartsWith("log entries", StringComparison.Ordinal)).ThenBy(s => Percentile(s.Values, 0.5));
        foreach (var (name, values) in names)
            Console.WriteLine($"stage\t{system}\t{change}\t{name}\t{Percentile(values, 0.5):0}\t{Percentile(values, 0.9):0}\t{values.Count}/{reps.Count}");
    }
}
