using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Issue 12's figures through the Docker API, so the same code measures EventSwarm and Docker Swarm: a secret
/// created -> its file readable in a new task (several rounds), and a secret used by 10 tasks rotated -> every
/// running task reads the new data, with the requests failed meanwhile. EventSwarm rotates in place
/// (<c>POST /eventswarm/v1/secrets/{id}/rotate</c>); Docker, whose secrets are immutable, rotates the manual way
/// (a new secret, then a service update replacing the reference, target unchanged), start-first for a fair
/// comparison, and both then do the manual way with the default update order. What a task reads is checked in
/// its container (exec cat through the engine), found by the task label.
/// Usage: <c>secrets NAME API_ENDPOINT ENGINE_ENDPOINT TASK_LABEL MESH_ADDRESS|-</c>: MESH_ADDRESS is one of the
/// host's own addresses (traffic to it stays on the host), "-" when the system's routing mesh does not work here
/// (Docker Swarm: no IPVS on this kernel), then only the loop to the tasks' own addresses runs. Whether the
/// published port answers on 127.0.0.1 is a figure of its own.
/// </summary>
public static class SecretsBench
{
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("SECRETS_BENCH_ROUNDS"), out var rounds) ? rounds : 5;
    private const int Replicas = 10;
    private const int TargetPort = 8000;
    private const int PublishedPort = 18481;
    private const int RequestsPerSecond = 20;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var (name, apiEndpoint, engineEndpoint, taskLabel, mesh) = (args[0], args[1], args[2], args[3], args[4] == "-" ? null : args[4]);
        var bench = new Run(name, apiEndpoint, engineEndpoint, taskLabel, mesh);
        var figures = new List<(string, string)>();
        void Add(string figure, string value)
        {
            figures.Add((figure, value));
            Console.Error.WriteLine($"{name}: {figure} = {value}");
        }

        var usable = new List<double>();
        for (var i = 0; i < Rounds; i++)
            if (await bench.CreateToUsableAsync(i) is { } seconds) usable.Add(seconds);
        usable.Sort();
        Add("secret create -> readable in a new task, p50 (s)", usable.Count == 0 ? "timeout" : $"{usable[usable.Count / 2]:0.00}");
        Add("secret create -> readable in a new task, max (s)", usable.Count < Rounds ? "timeout" : $"{usable[^1]:0.00}");

        try
        {
            await bench.StartRotationServiceAsync();
        }
        catch (TimeoutException e)
        {
            // The figures so far still count; the rotation cannot be measured on a service that never served.
            Console.Error.WriteLine($"{name}: {e.Message}");
            await bench.CleanUpAsync();
            foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
            return 1;
        }
        Add("published port answers on 127.0.0.1", await bench.AnswersOnLoopbackAsync() ? "yes" : "no");
        var first = await bench.RotateAsync(name == "eventswarm" ? Rotation.InPlace : Rotation.ManualStartFirst);
        Add($"rotate, {Replicas} tasks -> all read the new data (s)", first.Seconds);
        Add("rotate: requests failed, routing mesh", first.Mesh);
        Add("rotate: requests failed, direct to tasks", first.Direct);
        var manual = await bench.RotateAsync(Rotation.ManualDefaultOrder);
        Add($"manual rotation, default order -> all read it (s)", manual.Seconds);
        Add("manual: requests failed, routing mesh", manual.Mesh);
        Add("manual: requests failed, direct to tasks", manual.Direct);
        await bench.CleanUpAsync();

        foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
        return 0;
    }

    private enum Rotation { InPlace, ManualStartFirst, ManualDefaultOrder }

    private sealed record Outcome(string Seconds, string Mesh, string Direct);

    private sealed class Run(string name, string apiEndpoint, string engineEndpoint, string taskLabel, string? mesh)
    {
        private readonly DockerClient _api = Client(apiEndpoint);
        private readonly DockerClient _engine = Client(engineEndpoint);
        private readonly HttpClient _http = RawClient(apiEndpoint);
        private readonly List<string> _secrets = [];
        private string _rotated = "";
        private string _rotatedId = "";
        private string _rotatedData = "";
        private string _service = "";

        /// <summary>One round: the clock runs from the secret's create to the file holding its data in the task.</summary>
        public async Task<double?> CreateToUsableAsync(int round)
        {
            var secret = $"bench-{name}-new{round}";
            var data = Guid.NewGuid().ToString("N");
            var clock = Stopwatch.StartNew();
            var secretId = await CreateSecretAsync(secret, data);
            var service = await CreateServiceAsync($"bench-{name}-new{round}", 1, secretId, secret, secret, published: false);
            double? seconds = null;
            while (clock.Elapsed < Limit && seconds is null)
            {
                foreach (var task in await RunningTasksAsync(service))
                    if (await ReadAsync(task, secret) == data) seconds = clock.Elapsed.TotalSeconds;
                if (seconds is null) await Task.Delay(50);
            }
            Console.Error.WriteLine($"{name}: round {round}: {(seconds is { } s ? $"{s:0.00} s" : "timeout")}");
            await RemoveServiceAsync(service);
            return seconds;
        }

        /// <summary>10 replicas of busybox httpd answering with the secret's content (its file, through a symlink).</summary>
        public async Task StartRotationServiceAsync()
        {
            _rotated = $"bench-{name}-rot";
            _rotatedData = "v1-" + Guid.NewGuid().ToString("N");
            _rotatedId = await CreateSecretAsync(_rotated, _rotatedData);
            _service = await CreateServiceAsync($"bench-{name}-rot", Replicas, _rotatedId, _rotated, _rotated, published: true);
            await UntilAllReadAsync(_rotatedData, Stopwatch.StartNew());
            if (mesh is not null)
            {
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(30) && await RequestAsync(mesh, PublishedPort) != _rotatedData) await Task.Delay(200);
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        /// <summary>Whether the published port answers on the loopback address, as `docker run -p` does.</summary>
        public async Task<bool> AnswersOnLoopbackAsync()
        {
            for (var i = 0; i < 3; i++)
                if (await RequestAsync("127.0.0.1", PublishedPort) is not null) return true;
            return false;
        }

        public async Task<Outcome> RotateAsync(Rotation how)
        {
            var data = $"v{_secrets.Count + 1}-" + Guid.NewGuid().ToString("N");
            await Direct.RefreshNowAsync();
            using var stop = new CancellationTokenSource(Limit + TimeSpan.FromSeconds(30));
            var meshLoop = mesh is null ? null : RequestLoop.RunAsync(() => [mesh], PublishedPort, RequestsPerSecond, stop.Token);
            var directLoop = RequestLoop.RunAsync(() => DirectTargets(), TargetPort, RequestsPerSecond, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var clock = Stopwatch.StartNew();
            var startedAt = DateTime.UtcNow;
            string seconds;
            try
            {
                if (how == Rotation.InPlace)
                {
                    var response = await _http.PostAsync($"/eventswarm/v1/secrets/{_rotatedId}/rotate", Body(new { Data = Base64(data) }));
                    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"rotate: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    // Docker's way: the data under a new name, mounted at the old target, on every service using it.
                    var next = $"{_rotated}-v{_secrets.Count + 1}";
                    var nextId = await CreateSecretAsync(next, data);
                    var current = await _api.Swarm.InspectServiceAsync(_service);
                    var spec = current.Spec;
                    spec.TaskTemplate.ContainerSpec.Secrets = [Reference(nextId, next, _rotated)];
                    spec.UpdateConfig = how == Rotation.ManualStartFirst ? new SwarmUpdateConfig { Parallelism = 1, Order = "start-first" } : null;
                    await _api.Swarm.UpdateServiceAsync(_service, new ServiceUpdateParameters { Service = spec, Version = (long)current.Version.Index!.Value });
                }
                seconds = $"{await UntilAllReadAsync(data, clock):0.00}";
            }
            catch (TimeoutException e)
            {
                Console.Error.WriteLine($"{name}: {e.Message}");
                seconds = "timeout";
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
            stop.Cancel();
            var direct = await directLoop;
            var meshResult = meshLoop is null ? null : await meshLoop;
            foreach (var (loop, result) in new[] { ("mesh", meshResult), ("direct", direct) })
                foreach (var failure in result?.Failures ?? [])
                    Console.Error.WriteLine($"{name}: {how}: {loop} request to {failure.Target} failed {(failure.Sent - startedAt).TotalSeconds:0.00} s into the rotation: {failure.Why}");
            await Task.Delay(TimeSpan.FromSeconds(3));
            return new Outcome(seconds, meshResult is null ? "n/a" : $"{meshResult.Failures.Count}/{meshResult.Total}", $"{direct.Failures.Count}/{direct.Total}");
        }

        public async Task CleanUpAsync()
        {
            await RemoveServiceAsync(_service);
            foreach (var secret in _secrets) await _http.DeleteAsync($"/v1.41/secrets/{secret}");
        }

        private async Task<string> CreateSecretAsync(string secret, string data)
        {
            var response = await _http.PostAsync("/v1.41/secrets/create", Body(new { Name = secret, Data = Base64(data) }));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"secret create {secret}: {(int)response.StatusCode} {text}");
            var id = JsonDocument.Parse(text).RootElement.GetProperty("ID").GetString()!;
            _secrets.Add(id);
            return id;
        }

        private async Task<string> CreateServiceAsync(string service, ulong replicas, string secretId, string secret, string target, bool published)
        {
            var spec = new ServiceSpec
            {
                Name = service,
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } },
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new ContainerSpec
                    {
                        Image = "busybox:latest",
                        Args = published
                            ? ["sh", "-c", $"mkdir -p /www && ln -s /run/secrets/{target} /www/index.html && exec httpd -f -p {TargetPort} -h /www"]
                            : ["sleep", "3600"],
                        Secrets = [Reference(secretId, secret, target)],
                        StopGracePeriod = TimeSpan.FromSeconds(1),
                    },
                },
                EndpointSpec = published
                    ? new EndpointSpec { Ports = [new PortConfig { Protocol = "tcp", TargetPort = TargetPort, PublishedPort = PublishedPort, PublishMode = "ingress" }] }
                    : null,
            };
            return (await _api.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec })).ID;
        }

        private static SecretReference Reference(string id, string secret, string target) => new()
        {
            SecretID = id,
            SecretName = secret,
            File = new SecretReferenceFileTarget { Name = target, UID = "0", GID = "0", Mode = Convert.ToUInt32("444", 8) },
        };

        private async Task RemoveServiceAsync(string service)
        {
            await _api.Swarm.RemoveServiceAsync(service);
            // The secret may go only once no task of the service is left, and the next round starts on a quiet engine.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && (await ContainersAsync(service)).Count > 0) await Task.Delay(200);
        }

        private async Task<IList<ContainerListResponse>> ContainersAsync(string serviceId) =>
            await _engine.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{taskLabel.Replace("task.id", "service.id")}={serviceId}"] = true },
                },
            });

        private async Task<IList<TaskResponse>> RunningTasksAsync(string serviceId) =>
            [.. (await _api.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } },
            })).Where(t => t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running)];

        /// <summary>
        /// Until the service runs its 10 tasks and every one of them reads <paramref name="data"/>. A container
        /// reads the same bytes for its life on both systems, so what it read is kept; an old or missing read is
        /// tried again after a second (exec costs the engine, which is busy rolling the tasks).
        /// </summary>
        private async Task<double> UntilAllReadAsync(string data, Stopwatch clock)
        {
            var reads = new Dictionary<string, (string? Content, TimeSpan At)>();
            while (clock.Elapsed < Limit)
            {
                var running = await RunningTasksAsync(_service);
                var stale = running.Where(t => !reads.TryGetValue(t.ID, out var r) || (r.Content != data && clock.Elapsed - r.At > TimeSpan.FromSeconds(1))).ToList();
                var read = await Task.WhenAll(stale.Select(async t => (t.ID, Content: await ReadAsync(t, _rotated))));
                foreach (var (id, content) in read) reads[id] = (content, clock.Elapsed);
                if (running.Count >= Replicas && running.All(t => reads.TryGetValue(t.ID, out var r) && r.Content == data))
                    return clock.Elapsed.TotalSeconds;
                await Task.Delay(100);
            }
            var states = (await _api.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [_service] = true } },
            })).GroupBy(t => $"{t.Status.State}/{t.DesiredState}{(string.IsNullOrEmpty(t.Status.Err) ? "" : " " + t.Status.Err)}").Select(g => $"{g.Count()} {g.Key}");
            var seen = reads.Values.GroupBy(r => r.Content == data ? "new" : r.Content is null ? "unreadable" : "old").Select(g => $"{g.Count()} {g.Key}");
            throw new TimeoutException($"{_service}: not all {Replicas} running tasks read the new data within {Limit}: tasks {string.Join(", ", states)}; reads {string.Join(", ", seen)}");
        }

        /// <summary>The file /run/secrets/&lt;target&gt; in the task's container, found by the task label; null if unreadable.</summary>
        private async Task<string?> ReadAsync(TaskResponse task, string target)
        {
            try
            {
                var container = (await _engine.Containers.ListContainersAsync(new ContainersListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{taskLabel}={task.ID}"] = true } },
                })).FirstOrDefault();
                if (container is null) return null;
                var exec = await _engine.Exec.CreateContainerExecAsync(container.ID, new ContainerExecCreateParameters
                {
                    Cmd = ["cat", $"/run/secrets/{target}"],
                    AttachStdout = true,
                    AttachStderr = true,
                });
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var stream = await _engine.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), timeout.Token);
                var (stdout, _) = await stream.ReadOutputToEndAsync(timeout.Token);
                return (await _engine.Exec.InspectContainerExecAsync(exec.ID)).ExitCode == 0 ? stdout : null;
            }
            catch (Exception e) when (e is DockerApiException or IOException or OperationCanceledException)
            {
                return null;
            }
        }

        private ReachableTasks? _direct;

        /// <summary>The running tasks' own addresses the host can reach, re-listed once a second.</summary>
        private ReachableTasks Direct => _direct ??= new ReachableTasks(async () =>
        {
            var pids = new List<long>();
            foreach (var task in await RunningTasksAsync(_service))
            {
                var container = (await _engine.Containers.ListContainersAsync(new ContainersListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{taskLabel}={task.ID}"] = true } },
                })).FirstOrDefault();
                if (container is not null) pids.Add((await _engine.Containers.InspectContainerAsync(container.ID)).State.Pid);
            }
            return pids;
        });

        private string[] DirectTargets() => Direct.Current();
    }

    private static async Task<string?> RequestAsync(string address, int port) => (await RequestWithReasonAsync(address, port)).Body;

    private static Task<(string? Body, string Why)> RequestWithReasonAsync(string address, int port) =>
        HttpProbe.GetAsync(address, port, TimeSpan.FromSeconds(1));

    private static DockerClient Client(string endpoint) =>
        new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).WithApiVersion(new System.Version(1, 41)).Build();

    /// <summary>Plain HTTP over the API's unix socket, for the secret calls: the body as Docker's API takes it.</summary>
    private static HttpClient RawClient(string endpoint)
    {
        var path = new Uri(endpoint).LocalPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static string Base64(string data) => Convert.ToBase64String(Encoding.UTF8.GetBytes(data));
}
