using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Service networking figures, measured from inside a client task's network namespace (the script runs this
/// under `nsenter -n` into the client container), so every request takes the path a container's would, and the
/// same code measures EventSwarm and Docker Swarm. Names are resolved through Docker's resolver at 127.0.0.11,
/// as in a container. Usage: <c>network NAME API_ENDPOINT SERVICE PORT MESH_ADDRESS</c>; the engines of the nodes
/// are found at /run/eventswarm-cluster/&lt;hostname&gt;/docker.sock.
/// </summary>
public static class NetworkBench
{
    private static readonly TimeSpan LoadPhase = TimeSpan.FromSeconds(5);
    private const int Concurrency = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var (name, apiEndpoint, service, port, meshAddress) = (args[0], args[1], args[2], int.Parse(args[3]), args[4]);
        using var api = new DockerClientBuilder().WithEndpoint(new Uri(apiEndpoint)).WithApiVersion(new System.Version(1, 41)).Build();
        var dns = new DnsClient(IPAddress.Parse("127.0.0.11"), 1000);
        var figures = new List<(string, string)>();
        void Add(string figure, string value)
        {
            figures.Add((figure, value));
            Console.Error.WriteLine($"{name}: {figure} = {value}");
        }

        var vip = (await ResolveAsync(dns, service)).FirstOrDefault() ?? "";
        var tasks = await RunningTasksAsync(api, service);
        var direct = tasks.Select(t => t.Address).First();

        // Throughput and latency: one TCP connection per request (balancing is per connection), 8 at a time.
        var (directRate, directP99, directFailed) = await LoadAsync(direct, port);
        var (vipRate, vipP99, vipFailed) = await LoadAsync(vip, port);
        var (meshRate, meshP99, meshFailed) = await LoadAsync(meshAddress, port);
        Add("requests/s direct to a task", $"{directRate:0}");
        Add("requests/s through the VIP", vipFailed > 0.5 ? $"{vipRate:0} ({vipFailed:P0} failed)" : $"{vipRate:0}");
        Add("requests/s through the routing mesh", meshFailed > 0.5 ? $"{meshRate:0} ({meshFailed:P0} failed)" : $"{meshRate:0}");
        Add("p99 ms direct to a task", $"{directP99:0.0}");
        Add("p99 ms through the VIP", $"{vipP99:0.0}");
        Add("p99 ms through the routing mesh", $"{meshP99:0.0}");
        Add("VIP requests/s vs direct (%)", vipFailed > 0.5 ? "0" : $"{100 * vipRate / directRate:0}");
        Add("mesh requests/s vs direct (%)", meshFailed > 0.5 ? "0" : $"{100 * meshRate / directRate:0}");

        // A new task: from Running (the task's own status time) to its address in tasks.<service> and to its
        // first answer through the VIP. DNS and the VIP are watched from before the scale-up, so neither figure
        // waits on the bench noticing the new task through the API.
        var before = tasks.Select(t => t.Id).ToHashSet();
        var knownAddresses = tasks.Select(t => t.Address).ToHashSet();
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var newAddressSeen = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                if ((await ResolveAsync(dns, "tasks." + service)).FirstOrDefault(a => !knownAddresses.Contains(a)) is { } fresh)
                    return (fresh, (DateTime?)DateTime.UtcNow);
                await Task.Delay(5);
            }
            return ("", null);
        });
        var answers = new List<(DateTime Sent, string Body)>();
        var vipWatch = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested && vip.Length > 0)
            {
                var sent = DateTime.UtcNow;
                if (await RequestAsync(vip, port, TimeSpan.FromMilliseconds(500)) is { } body)
                    lock (answers) answers.Add((sent, body.Trim()));
            }
        })));
        await ScaleAsync(api, service, tasks.Count + 1);
        TaskInfo? added = null;
        var probe = Stopwatch.StartNew();
        while (added is null && probe.Elapsed < TimeSpan.FromSeconds(50))
        {
            added = (await RunningTasksAsync(api, service)).FirstOrDefault(t => !before.Contains(t.Id));
            if (added is null) await Task.Delay(20);
        }
        DateTime? inVip = null;
        while (added is not null && inVip is null && !watching.IsCancellationRequested)
        {
            lock (answers)
                inVip = answers.Where(a => a.Body.Length > 0 && added.ContainerId.StartsWith(a.Body, StringComparison.Ordinal))
                    .Select(a => (DateTime?)a.Sent).Min();
            await Task.Delay(20);
        }
        var (freshAddress, inDns) = await newAddressSeen.WaitAsync(TimeSpan.FromSeconds(60));
        watching.Cancel();
        await vipWatch;
        Add("task Running -> in tasks.<service> DNS (ms)", freshAddress == added?.Address ? Since(added?.RunningAt, inDns) : "never");
        Add("task Running -> answering through the VIP (ms)", Since(added?.RunningAt, inVip));

        // A killed task: from the kill to its address leaving DNS, and the failures through the VIP meanwhile.
        var victim = added ?? (await RunningTasksAsync(api, service)).Last();
        var vipLoop = RequestLoopAsync(vip, port, TimeSpan.FromSeconds(6));
        await Task.Delay(500);
        var killedAt = DateTime.UtcNow;
        // Polled while the kill is under way: the engine answers the kill only after it cleaned the container up.
        var dnsPoll = Task.Run(async () =>
        {
            while (DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(5))
            {
                if (!(await ResolveAsync(dns, "tasks." + service)).Contains(victim.Address)) return (DateTime?)DateTime.UtcNow;
                await Task.Delay(5);
            }
            return null;
        });
        await KillAsync(api, victim);
        var outOfDns = await dnsPoll;
        var killLoop = await vipLoop;
        Add("task killed -> out of tasks.<service> DNS (ms)", Since(killedAt, outOfDns));
        var lastFailure = killLoop.Failures.Where(f => f >= killedAt).DefaultIfEmpty().Max();
        Add("task killed -> last failed VIP request sent (ms)", killLoop.Failures.Count == 0 ? "0" : Since(killedAt, lastFailure));
        Add("VIP requests failed around the kill", $"{killLoop.Failures.Count}/{killLoop.Total}");

        // Scaling 3 -> 1 -> 3 under two request loops (VIP and mesh): failed requests.
        await ScaleAsync(api, service, 3);
        await UntilRunningAsync(api, service, 3);
        await Task.Delay(2000);
        var loops = new[] { RequestLoopAsync(vip, port, TimeSpan.FromSeconds(30)), RequestLoopAsync(meshAddress, port, TimeSpan.FromSeconds(30)) };
        await Task.Delay(1000);
        var scaledDown = DateTime.UtcNow;
        await ScaleAsync(api, service, 1);
        await UntilRunningAsync(api, service, 1, exactly: true);
        await Task.Delay(3000);
        var scaledUp = DateTime.UtcNow;
        await ScaleAsync(api, service, 3);
        await UntilRunningAsync(api, service, 3);
        var results = await Task.WhenAll(loops);
        foreach (var failure in results.SelectMany(r => r.Failures))
            Console.Error.WriteLine($"{name}: a request failed {(failure - scaledDown).TotalMilliseconds:0} ms after scale-down, {(failure - scaledUp).TotalMilliseconds:0} ms after scale-up");
        Add("failed requests, scale 3->1->3, VIP", $"{results[0].Failures.Count}/{results[0].Total}");
        Add("failed requests, scale 3->1->3, mesh", $"{results[1].Failures.Count}/{results[1].Total}");

        foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
        return 0;
    }

    private sealed record TaskInfo(string Id, string Address, string ContainerId, string NodeId, DateTime RunningAt);

    private static string Since(DateTime? from, DateTime? to) =>
        from is { } f && to is { } t ? $"{Math.Max(0, (t - f).TotalMilliseconds):0}" : "never";

    private static async Task<IReadOnlyList<TaskInfo>> RunningTasksAsync(DockerClient api, string service)
    {
        var tasks = await api.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [service] = true } },
        });
        return [.. tasks
            .Where(t => t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running && t.NetworksAttachments is { Count: > 0 })
            .Select(t => new TaskInfo(t.ID,
                t.NetworksAttachments.Where(a => a.Network.Spec.Name != "ingress").SelectMany(a => a.Addresses).First().Split('/')[0],
                t.Status.ContainerStatus?.ContainerID ?? "", t.NodeID, (t.Status.Timestamp ?? DateTime.UtcNow).ToUniversalTime()))];
    }

    private static async Task ScaleAsync(DockerClient api, string service, int replicas)
    {
        var current = await api.Swarm.InspectServiceAsync(service);
        current.Spec.Mode.Replicated.Replicas = (ulong)replicas;
        await api.Swarm.UpdateServiceAsync(current.ID, new ServiceUpdateParameters { Service = current.Spec, Version = (long)current.Version.Index!.Value });
    }

    private static async Task UntilRunningAsync(DockerClient api, string service, int count, bool exactly = false)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            var running = (await RunningTasksAsync(api, service)).Count;
            if (exactly ? running == count : running >= count) return;
            await Task.Delay(100);
        }
    }

    private static async Task KillAsync(DockerClient api, TaskInfo task)
    {
        var node = await api.Swarm.InspectNodeAsync(task.NodeId);
        using var engine = new DockerClientBuilder().WithEndpoint(new Uri($"unix:///run/eventswarm-cluster/{node.Description.Hostname}/docker.sock"))
            .WithApiVersion(new System.Version(1, 41)).Build();
        await engine.Containers.KillContainerAsync(task.ContainerId, new ContainerKillParameters { Signal = "KILL" });
    }

    private static async Task<IReadOnlyList<string>> ResolveAsync(DnsClient dns, string name)
    {
        try
        {
            var answer = await dns.ResolveAsync(DomainName.Parse(name), RecordType.A);
            return answer?.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()).ToList() ?? [];
        }
        catch (Exception)
        {
            return [];
        }
    }

    /// <summary>One HTTP/1.0 request on a new connection; the body, or null when it failed (however it failed).</summary>
    private static async Task<string?> RequestAsync(string address, int port, TimeSpan timeout)
    {
        try
        {
            return (await HttpProbe.GetAsync(address, port, timeout)).Body;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static async Task<(double Rate, double P99, double FailedShare)> LoadAsync(string address, int port)
    {
        if (address.Length == 0) return (0, double.NaN, 1);
        var latencies = new List<double>();
        var failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (clock.Elapsed < LoadPhase)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await RequestAsync(address, port, TimeSpan.FromSeconds(1)) is not null;
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    if (ok) latencies.Add(ms);
                    else failed++;
                }
            }
        }));
        latencies.Sort();
        var total = latencies.Count + failed;
        return (latencies.Count / clock.Elapsed.TotalSeconds, latencies.Count == 0 ? double.NaN : latencies[(int)(latencies.Count * 0.99)], total == 0 ? 1 : (double)failed / total);
    }

    private sealed record LoopResult(int Total, List<DateTime> Failures);

    /// <summary>
    /// Requests one after another (two loops at a time), for a bounded time; when each failed request was sent
    /// (a request to a dead address fails only at its 1 s timeout, so the send time is what tells the rotation).
    /// </summary>
    private static async Task<LoopResult> RequestLoopAsync(string address, int port, TimeSpan duration)
    {
        var failures = new List<DateTime>();
        var total = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var sent = DateTime.UtcNow;
                var ok = address.Length > 0 && await RequestAsync(address, port, TimeSpan.FromSeconds(1)) is not null;
                lock (failures)
                {
                    total++;
                    if (!ok) failures.Add(sent);
                }
                if (!ok) await Task.Delay(10);
            }
        }));
        return new LoopResult(total, failures);
    }
}
