using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

// Convergence figures measured through the Docker API, so the same code measures EventSwarm (its socket) and
// Docker Swarm (the engine's socket in swarm mode): usage `bench <name> <api endpoint> <engine endpoint> [pid]`.
if (args is ["cluster", .. var clusterArgs]) return await ClusterBench.RunAsync(clusterArgs);
if (args is ["network", .. var networkArgs]) return await NetworkBench.RunAsync(networkArgs);
#pragma warning disable DOTNEXT001 // the log check reads DotNext's experimental WAL (pinned 6.12.0)
if (args is ["logcheck", .. var logArgs]) return await LogCheckBench.RunAsync(logArgs);
#pragma warning restore DOTNEXT001
if (args is ["history", .. var historyArgs]) return await HistoryBench.RunAsync(historyArgs);
if (args is ["scale-cluster", .. var scaleClusterArgs]) return await ScaleClusterBench.RunAsync(scaleClusterArgs);
if (args is ["scale-up", .. var scaleArgs]) return await ScaleUpBench.RunAsync(scaleArgs);
if (args is ["secrets", .. var secretsArgs]) return await SecretsBench.RunAsync(secretsArgs);
if (args is ["update", .. var updateArgs]) return await UpdateBench.RunAsync(updateArgs);
if (args is ["archive", .. var archiveArgs]) return await ArchiveBench.RunAsync(archiveArgs);
if (args is ["logs", .. var logsArgs]) return await LogsBench.RunAsync(logsArgs);
if (args is ["latency", .. var latencyArgs]) return await LatencyBench.RunAsync(latencyArgs);
if (args is ["scale-placement", .. var placementArgs]) return await ScalePlacementBench.RunAsync(placementArgs);
if (args is ["scale-loops", .. var scaleLoopsArgs]) return await ScaleLoopsBench.RunAsync(scaleLoopsArgs);
if (args is ["web", .. var webArgs]) return await WebBench.RunAsync(webArgs);
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: EventSwarm.Bench NAME API_ENDPOINT ENGINE_ENDPOINT [PID_FOR_RSS]");
    return 2;
}
var (name, apiEndpoint, engineEndpoint) = (args[0], args[1], args[2]);
using var api = new DockerClientBuilder().WithEndpoint(new Uri(apiEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
using var engine = new DockerClientBuilder().WithEndpoint(new Uri(engineEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
var limit = TimeSpan.FromMinutes(3);

async Task<string> Create(string service, ulong replicas, TimeSpan? restartDelay)
{
    var spec = new ServiceSpec
    {
        Name = service,
        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } },
        TaskTemplate = new TaskSpec
        {
            ContainerSpec = new ContainerSpec { Image = "busybox:latest", Args = ["sleep", "3600"], StopGracePeriod = TimeSpan.FromSeconds(1) },
            RestartPolicy = restartDelay is null ? null : new SwarmRestartPolicy { Condition = "any", Delay = restartDelay },
        },
    };
    return (await api.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec })).ID;
}

async Task<IList<TaskResponse>> Running(string serviceId) =>
    (await api.Tasks.ListAsync(new TasksListParameters
    {
        Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } },
    })).Where(t => t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running).ToList();

async Task<double> UntilRunning(string serviceId, int count, Stopwatch clock, Func<IList<TaskResponse>, bool>? extra = null)
{
    while (clock.Elapsed < limit)
    {
        var running = await Running(serviceId);
        if (running.Count >= count && (extra is null || extra(running))) return clock.Elapsed.TotalSeconds;
        await Task.Delay(50);
    }
    throw new TimeoutException($"{name}: {serviceId} did not reach {count} running tasks within {limit}");
}

async Task Remove(string serviceId)
{
    await api.Swarm.RemoveServiceAsync(serviceId);
    await Task.Delay(TimeSpan.FromSeconds(3));
}

async Task<double> Replacement(string service, TimeSpan? delay)
{
    var id = await Create(service, 1, delay);
    await UntilRunning(id, 1, Stopwatch.StartNew());
    var victim = (await Running(id)).Single();
    var clock = Stopwatch.StartNew();
    await engine.Containers.RemoveContainerAsync(victim.Status.ContainerStatus.ContainerID, new ContainerRemoveParameters { Force = true });
    var seconds = await UntilRunning(id, 1, clock, running => running.All(t => t.ID != victim.ID));
    await Remove(id);
    return seconds;
}

var figures = new List<(string, string)>();

// The floor under every convergence figure: the engine itself creating and starting containers, no orchestrator.
if (name == "engine")
{
    async Task<double> StartContainers(int count)
    {
        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var id = (await engine.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = "busybox:latest",
                Cmd = ["sleep", "3600"],
                Labels = new Dictionary<string, string> { ["eventswarm.bench"] = "1" },
            })).ID;
            await engine.Containers.StartContainerAsync(id, new ContainerStartParameters());
            return id;
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(ids.Select(id => engine.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true })));
        return seconds;
    }
    figures.Add(("create 1 replica -> Running (s)", $"{await StartContainers(1):0.00}"));
    figures.Add(("scale 1 -> 30 all Running (s)", $"{await StartContainers(29):0.00}"));
    foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
    return 0;
}

var create = Stopwatch.StartNew();
var s1 = await Create($"bench-{name}-s1", 1, null);
figures.Add(("create 1 replica -> Running (s)", $"{await UntilRunning(s1, 1, create):0.00}"));

var scale = Stopwatch.StartNew();
var current = await api.Swarm.InspectServiceAsync(s1);
current.Spec.Mode.Replicated.Replicas = 30;
await api.Swarm.UpdateServiceAsync(s1, new ServiceUpdateParameters { Service = current.Spec, Version = (long)current.Version.Index!.Value });
figures.Add(("scale 1 -> 30 all Running (s)", $"{await UntilRunning(s1, 30, scale):0.00}"));

// One command through the log: a service label change, which starts no task on either system.
var latencies = new List<double>();
for (var i = 0; i < 100; i++)
{
    var svc = await api.Swarm.InspectServiceAsync(s1);
    svc.Spec.Labels = new Dictionary<string, string> { ["bench"] = i.ToString() };
    var sw = Stopwatch.StartNew();
    await api.Swarm.UpdateServiceAsync(s1, new ServiceUpdateParameters { Service = svc.Spec, Version = (long)svc.Version.Index!.Value });
    latencies.Add(sw.Elapsed.TotalMilliseconds);
}
latencies.Sort();
figures.Add(("command commit latency p50 (ms)", $"{latencies[latencies.Count / 2]:0.0}"));
figures.Add(("command commit latency p99 (ms)", $"{latencies[(int)(latencies.Count * 0.99)]:0.0}"));
await Remove(s1);

figures.Add(("docker rm -f -> replacement Running, delay 0 (s)", $"{await Replacement($"bench-{name}-d0", TimeSpan.Zero):0.00}"));
figures.Add(("docker rm -f -> replacement Running, default delay (s)", $"{await Replacement($"bench-{name}-d5", null):0.00}"));

if (args.Length > 3 && File.Exists($"/proc/{args[3]}/status"))
{
    var rss = File.ReadLines($"/proc/{args[3]}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
    figures.Add(("RSS of the orchestrator process (MiB)", $"{long.Parse(rss) / 1024.0:0.0}"));
}

foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
return 0;
