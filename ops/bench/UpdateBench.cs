using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Issue 13's figures through the Docker API, so the same code measures EventSwarm and Docker Swarm: 6 replicas of
/// python-hello-world:1.0 (busybox httpd on 5000, published through the routing mesh, on an overlay network)
/// updated to :2.0 by a spec update (new image, same version protocol as `docker service update --image`), then
/// rolled back (rollback=previous, as `docker service rollback`): the time from the call to all 6 running tasks on
/// the new image, and to UpdateStatus completed (rollback_completed); parallelism 2 with delay 0 and 10 s, stop-first,
/// and start-first with delay 0. The rollback_config is the update_config (Swarm's default rollback goes one task
/// at a time, which would measure the default, not the updater). Failed requests meanwhile, 20 requests/s each:
/// through the service's VIP from a client task on the same overlay network (the probe runs in the client
/// container's network namespace, under nsenter), through the routing mesh on the host's own address (traffic to it
/// stays on the host), on 127.0.0.1 when the published port answers there, and to the running tasks' own addresses.
/// The busybox httpd is PID 1 and ignores SIGTERM: every stop takes the whole stop grace period, which is a
/// parameter (the same on both systems).
/// Usage: <c>update NAME API_ENDPOINT ENGINE_ENDPOINT TASK_LABEL MESH_ADDRESS GRACE_SECONDS...</c>, and the probe it
/// runs in the client's namespace: <c>update probe ADDRESS PORT</c> (until its stdin closes).
/// </summary>
public static class UpdateBench
{
    private const int Replicas = 6;
    private const int TargetPort = 5000;
    private const int FirstPublishedPort = 18491;
    private const int RequestsPerSecond = 20;
    private const string Old = "python-hello-world:1.0";
    private const string New = "python-hello-world:2.0";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private sealed record Scenario(string Label, ulong Parallelism, TimeSpan Delay, string Order);

    private static readonly Scenario[] Scenarios =
    [
        new("par 2, delay 0", 2, TimeSpan.Zero, "stop-first"),
        new("par 2, delay 10s", 2, TimeSpan.FromSeconds(10), "stop-first"),
        new("par 2, delay 0, start-first", 2, TimeSpan.Zero, "start-first"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["probe", var address, var port]) return await ProbeAsync(address, int.Parse(port));
        var (name, apiEndpoint, engineEndpoint, taskLabel, mesh) = (args[0], args[1], args[2], args[3], args[4]);
        var graces = args[5..].Select(g => TimeSpan.FromSeconds(double.Parse(g, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var figures = new List<(string, string)>();
        void Add(string figure, string value)
        {
            figures.Add((figure, value));
            Console.Error.WriteLine($"{name}: {figure} = {value}");
        }

        var bench = new Run(name, apiEndpoint, engineEndpoint, taskLabel, mesh);
        var published = FirstPublishedPort;
        try
        {
            await bench.StartClientAsync();
            foreach (var grace in graces)
                foreach (var scenario in Scenarios)
                {
                    var prefix = $"grace {grace.TotalSeconds:0}s, {scenario.Label}";
                    try
                    {
                        await bench.CreateAsync(scenario, grace, published++);
                        if (figures.Count == 0)
                        {
                            Add("before: answers through the VIP", bench.VipAnswers ? "yes" : "no");
                            Add($"before: answers through the mesh ({mesh})", bench.MeshAnswers ? "yes" : "no");
                            Add("before: answers on 127.0.0.1", bench.LoopbackAnswers ? "yes" : "no");
                        }
                        var update = await bench.RollAsync(New, rollback: false);
                        Add($"{prefix}: update -> 6 running on 2.0 (s)", update.AllNew);
                        Add($"{prefix}: update -> UpdateStatus completed (s)", update.Completed);
                        foreach (var (path, result) in update.Failed) Add($"{prefix}: update: failed, {path}", result);
                        var rollback = await bench.RollAsync(Old, rollback: true);
                        Add($"{prefix}: rollback -> 6 running on 1.0 (s)", rollback.AllNew);
                        Add($"{prefix}: rollback -> rollback_completed (s)", rollback.Completed);
                        foreach (var (path, result) in rollback.Failed) Add($"{prefix}: rollback: failed, {path}", result);
                    }
                    catch (TimeoutException e)
                    {
                        Console.Error.WriteLine($"{name}: {prefix}: {e.Message}");
                        Add($"{prefix}: update -> 6 running on 2.0 (s)", "timeout");
                    }
                    finally
                    {
                        await bench.RemoveAsync();
                    }
                }
        }
        finally
        {
            await bench.CleanUpAsync();
        }
        foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
        return 0;
    }

    private sealed record Outcome(string AllNew, string Completed, IReadOnlyList<(string Path, string Result)> Failed);

    private sealed class Run(string name, string apiEndpoint, string engineEndpoint, string taskLabel, string mesh)
    {
        private readonly DockerClient _api = Client(apiEndpoint);
        private readonly DockerClient _engine = Client(engineEndpoint);
        private string _network = "";
        private string _client = "";
        private long _clientPid;
        private string _service = "";
        private string _vip = "";
        private int _port;
        private bool? _meshWorks;

        public bool VipAnswers { get; private set; }

        public bool MeshAnswers { get; private set; }

        public bool LoopbackAnswers { get; private set; }

        /// <summary>The overlay network and one client task on it, in whose network namespace the VIP probe runs.</summary>
        public async Task StartClientAsync()
        {
            _network = (await _api.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = $"bench-{name}-upd", Driver = "overlay", Attachable = true })).ID;
            _client = (await _api.Swarm.CreateServiceAsync(new ServiceCreateParameters
            {
                Service = new ServiceSpec
                {
                    Name = $"bench-{name}-updclient",
                    Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
                    TaskTemplate = new TaskSpec
                    {
                        ContainerSpec = new ContainerSpec { Image = "busybox:latest", Args = ["sleep", "3600"], StopGracePeriod = TimeSpan.FromSeconds(1) },
                        Networks = [new NetworkAttachmentConfig { Target = _network }],
                    },
                },
            })).ID;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Limit && _clientPid == 0)
            {
                if ((await RunningTasksAsync(_client)).FirstOrDefault() is { } task && await PidOfAsync(task.ID) is { } pid) _clientPid = pid;
                else await Task.Delay(200);
            }
            if (_clientPid == 0) throw new TimeoutException($"{name}: the client task did not run within {Limit}");
        }

        /// <summary>6 replicas of :1.0 with the scenario's update and rollback configs; back once all answer.</summary>
        public async Task CreateAsync(Scenario scenario, TimeSpan grace, int port)
        {
            _port = port;
            var config = new SwarmUpdateConfig
            {
                Parallelism = scenario.Parallelism,
                Delay = scenario.Delay,
                Monitor = TimeSpan.FromSeconds(5),
                FailureAction = "pause",
                Order = scenario.Order,
            };
            _service = (await _api.Swarm.CreateServiceAsync(new ServiceCreateParameters
            {
                Service = new ServiceSpec
                {
                    Name = $"bench-{name}-upd{port}",
                    Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = Replicas } },
                    TaskTemplate = new TaskSpec
                    {
                        ContainerSpec = new ContainerSpec { Image = Old, StopGracePeriod = grace },
                        Networks = [new NetworkAttachmentConfig { Target = _network }],
                    },
                    UpdateConfig = config,
                    RollbackConfig = new SwarmUpdateConfig
                    {
                        Parallelism = config.Parallelism,
                        Delay = config.Delay,
                        Monitor = config.Monitor,
                        FailureAction = config.FailureAction,
                        Order = config.Order,
                    },
                    EndpointSpec = new EndpointSpec { Ports = [new PortConfig { Protocol = "tcp", TargetPort = TargetPort, PublishedPort = (uint)port, PublishMode = "ingress" }] },
                },
            })).ID;
            await UntilAllOnAsync(Old, Stopwatch.StartNew());
            var service = await _api.Swarm.InspectServiceAsync(_service);
            _vip = service.Endpoint?.VirtualIPs?.FirstOrDefault(v => v.NetworkID == _network)?.Addr?.Split('/')[0] ?? "";

            // The mesh and the VIP need a moment after the tasks run (Swarm's never answer here: waited for once).
            var wait = Stopwatch.StartNew();
            var bound = _meshWorks == false ? TimeSpan.Zero : TimeSpan.FromSeconds(15);
            do
            {
                MeshAnswers = (await HttpProbe.GetAsync(mesh, _port, TimeSpan.FromSeconds(1))).Body is not null;
                if (!MeshAnswers) await Task.Delay(200);
            }
            while (!MeshAnswers && wait.Elapsed < bound);
            _meshWorks ??= MeshAnswers;
            var vip = await ProbeVipAsync(TimeSpan.FromSeconds(2));
            VipAnswers = vip.Failures.Count < vip.Total;
            LoopbackAnswers = (await HttpProbe.GetAsync("127.0.0.1", _port, TimeSpan.FromSeconds(1))).Body is not null;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        /// <summary>
        /// The update to <paramref name="image"/> (or the rollback to it) under the request loops: the clock runs from
        /// the API call to all 6 running tasks on the image, none on the other, and to the UpdateStatus the updater
        /// records at the end.
        /// </summary>
        public async Task<Outcome> RollAsync(string image, bool rollback)
        {
            await Direct.RefreshNowAsync();
            using var stop = new CancellationTokenSource(Limit + TimeSpan.FromSeconds(30));
            var vipLoop = VipLoop(stop.Token);
            var meshLoop = RequestLoop.RunAsync(() => [mesh], _port, RequestsPerSecond, stop.Token);
            var loopbackLoop = LoopbackAnswers ? RequestLoop.RunAsync(() => ["127.0.0.1"], _port, RequestsPerSecond, stop.Token) : null;
            var directLoop = RequestLoop.RunAsync(DirectTargets, TargetPort, RequestsPerSecond, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(1));

            var current = await _api.Swarm.InspectServiceAsync(_service);
            var spec = current.Spec;
            spec.TaskTemplate.ContainerSpec.Image = image;
            var startedAt = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            // docker's `service rollback` sends the current spec with rollback=previous; the manager restores the previous one.
            await _api.Swarm.UpdateServiceAsync(_service, new ServiceUpdateParameters
            {
                Service = rollback ? current.Spec : spec,
                Version = (long)current.Version.Index!.Value,
                Rollback = rollback ? "previous" : null,
            });
            string allNew = "timeout", completed = "timeout";
            try
            {
                allNew = $"{await UntilAllOnAsync(image, clock):0.00}";
            }
            catch (TimeoutException e)
            {
                Console.Error.WriteLine($"{name}: {e.Message}");
            }
            var done = rollback ? "rollback_completed" : "completed";
            while (clock.Elapsed < Limit)
            {
                var state = (await _api.Swarm.InspectServiceAsync(_service)).UpdateStatus?.State;
                if (state == done)
                {
                    completed = $"{clock.Elapsed.TotalSeconds:0.00}";
                    break;
                }
                if (state is "paused" or "rollback_paused")
                {
                    completed = state;
                    break;
                }
                await Task.Delay(100);
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
            stop.Cancel();
            var results = new List<(string, RequestLoop.Result?)>
            {
                ("VIP", await vipLoop),
                ("mesh", await meshLoop),
                ("127.0.0.1", loopbackLoop is null ? null : await loopbackLoop),
                ("direct to tasks", await directLoop),
            };
            var what = rollback ? "rollback" : "update";
            foreach (var (path, result) in results)
                foreach (var failure in result?.Failures ?? [])
                    Console.Error.WriteLine($"{name}: {what}: {path}: request to {failure.Target} failed {(failure.Sent - startedAt).TotalSeconds:0.00} s in: {failure.Why}");
            await Task.Delay(TimeSpan.FromSeconds(2));
            return new Outcome(allNew, completed, [.. results.Select(r => (r.Item1, r.Item2?.ToString() ?? "n/a"))]);
        }

        public async Task RemoveAsync()
        {
            if (_service.Length == 0) return;
            try
            {
                await _api.Swarm.RemoveServiceAsync(_service);
            }
            catch (DockerApiException e)
            {
                Console.Error.WriteLine($"{name}: remove {_service}: {e.Message}");
            }
            await UntilGoneAsync(_service);
            _service = "";
        }

        public async Task CleanUpAsync()
        {
            await RemoveAsync();
            if (_client.Length > 0)
            {
                await _api.Swarm.RemoveServiceAsync(_client);
                await UntilGoneAsync(_client);
            }
            if (_network.Length > 0)
            {
                // The network goes once no task uses it; the tasks' removal may lag the containers' a moment.
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    try
                    {
                        await _api.Networks.DeleteNetworkAsync(_network);
                        break;
                    }
                    catch (DockerApiException)
                    {
                        await Task.Delay(500);
                    }
                }
            }
        }

        private async Task UntilGoneAsync(string serviceId)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(90) && (await ContainersAsync(serviceId)).Count > 0) await Task.Delay(200);
        }

        private async Task<double> UntilAllOnAsync(string image, Stopwatch clock)
        {
            while (clock.Elapsed < Limit)
            {
                var running = await RunningTasksAsync(_service);
                if (running.Count(t => ImageOf(t) == image) >= Replicas && running.All(t => ImageOf(t) == image)) return clock.Elapsed.TotalSeconds;
                await Task.Delay(50);
            }
            var states = (await TasksAsync(_service)).GroupBy(t => $"{ImageOf(t)} {t.Status.State}/{t.DesiredState}").Select(g => $"{g.Count()} {g.Key}");
            throw new TimeoutException($"{_service}: not all {Replicas} running tasks on {image} within {Limit}: {string.Join(", ", states)}");
        }

        /// <summary>The image as the task spec names it; Swarm may pin it to a digest after an @.</summary>
        private static string ImageOf(TaskResponse task) => task.Spec.ContainerSpec.Image.Split('@')[0];

        private async Task<IList<TaskResponse>> TasksAsync(string serviceId) =>
            await _api.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } },
            });

        private async Task<IList<TaskResponse>> RunningTasksAsync(string serviceId) =>
            [.. (await TasksAsync(serviceId)).Where(t => t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running)];

        private async Task<IList<ContainerListResponse>> ContainersAsync(string serviceId) =>
            await _engine.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{taskLabel.Replace("task.id", "service.id")}={serviceId}"] = true },
                },
            });

        private async Task<long?> PidOfAsync(string taskId)
        {
            var container = (await _engine.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{taskLabel}={taskId}"] = true } },
            })).FirstOrDefault();
            if (container is null) return null;
            var pid = (await _engine.Containers.InspectContainerAsync(container.ID)).State.Pid;
            return pid > 0 ? pid : null;
        }

        /// <summary>
        /// The VIP loop: this program's <c>update probe</c> in the client container's network namespace (nsenter -n),
        /// so the requests take a container's path to the VIP; stopped by closing its stdin, it reports its failures.
        /// </summary>
        private async Task<RequestLoop.Result> VipLoop(CancellationToken stop)
        {
            var start = new ProcessStartInfo("nsenter") { RedirectStandardInput = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-t", $"{_clientPid}", "-n", "--", Environment.ProcessPath!, typeof(UpdateBench).Assembly.Location, "update", "probe", _vip.Length == 0 ? "0.0.0.0" : _vip, $"{TargetPort}" })
                start.ArgumentList.Add(arg);
            using var probe = Process.Start(start)!;
            var output = probe.StandardOutput.ReadToEndAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
            }
            probe.StandardInput.Close();
            var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await probe.WaitForExitAsync(CancellationToken.None);
            if (lines.Length == 0 || lines[0].Split('\t') is not [var total, _]) throw new InvalidOperationException($"{name}: the VIP probe reported nothing (exit {probe.ExitCode})");
            var failures = lines.Skip(1).Select(l => l.Split('\t', 3)).Where(f => f.Length == 3)
                .Select(f => new RequestLoop.Failure(DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[0])).UtcDateTime, f[1], f[2])).ToList();
            return new RequestLoop.Result(int.Parse(total), failures);
        }

        private async Task<RequestLoop.Result> ProbeVipAsync(TimeSpan duration)
        {
            using var stop = new CancellationTokenSource(duration);
            return await VipLoop(stop.Token);
        }

        private ReachableTasks? _direct;

        /// <summary>The running tasks' own addresses the host can reach, re-listed once a second.</summary>
        private ReachableTasks Direct => _direct ??= new ReachableTasks(async () =>
        {
            var pids = new List<long>();
            foreach (var task in await RunningTasksAsync(_service))
                if (await PidOfAsync(task.ID) is { } pid) pids.Add(pid);
            return pids;
        });

        private string[] DirectTargets() => Direct.Current();
    }

    /// <summary>In the client's namespace: the request loop to one address until stdin closes (bounded), then "total failed" and the failures.</summary>
    private static async Task<int> ProbeAsync(string address, int port)
    {
        using var stop = new CancellationTokenSource(Limit + TimeSpan.FromMinutes(1));
        var loop = RequestLoop.RunAsync(() => [address], port, RequestsPerSecond, stop.Token);
        await Console.In.ReadToEndAsync(stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        await stop.CancelAsync();
        var result = await loop;
        Console.WriteLine($"{result.Total}\t{result.Failures.Count}");
        foreach (var failure in result.Failures)
            Console.WriteLine($"{new DateTimeOffset(failure.Sent).ToUnixTimeMilliseconds()}\t{failure.Target}\t{failure.Why}");
        return 0;
    }

    private static DockerClient Client(string endpoint) =>
        new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).WithApiVersion(new System.Version(1, 41)).Build();
}
