using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Figures on a 3-manager cluster through the Docker API, so the same code measures EventSwarm and Docker Swarm:
/// commands committed per second (sequential and 32 in flight, through the leader and through a follower),
/// scale 1 → 30 over three nodes, the leader's RSS with 30+ services, and leader failover to the first
/// command that succeeds. Usage: <c>cluster NAME LEADER_API FOLLOWER_API LEADER_PID KILL_COMMAND</c>.
/// </summary>
public static class ClusterBench
{
    /// <summary>Commands per writer in the concurrent phase; raise it (CLUSTER_BENCH_ROUNDS) to profile a longer run.</summary>
    private static readonly int InFlightRounds = int.TryParse(Environment.GetEnvironmentVariable("CLUSTER_BENCH_ROUNDS"), out var rounds) ? rounds : 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var (name, leaderEndpoint, followerEndpoint, leaderPid, kill) = (args[0], args[1], args[2], args[3], args[4]);
        using var leader = Client(leaderEndpoint);
        using var follower = Client(followerEndpoint);
        var figures = new List<(string, string)>();

        // 32 services without tasks: each writer updates its own, so no two commands conflict.
        var services = new List<string>();
        for (var i = 0; i < 32; i++)
            services.Add((await leader.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = Spec($"bench-{name}-c{i}", 0) })).ID);

        foreach (var (via, client) in new[] { ("leader", leader), ("follower", follower) })
        {
            figures.Add(($"commands/s sequential, via the {via}", $"{await Throughput(client, services.Take(1).ToList(), 200):0}"));
            figures.Add(($"commands/s 32 in flight, via the {via}", $"{await Throughput(client, services, InFlightRounds):0}"));
        }

        var web = (await leader.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = Spec($"bench-{name}-web", 1) })).ID;
        await UntilRunning(leader, web, 1, Stopwatch.StartNew());
        var scale = Stopwatch.StartNew();
        var current = await leader.Swarm.InspectServiceAsync(web);
        current.Spec.Mode.Replicated.Replicas = 30;
        await leader.Swarm.UpdateServiceAsync(web, new ServiceUpdateParameters { Service = current.Spec, Version = (long)current.Version.Index!.Value });
        figures.Add(("scale 1 -> 30 over 3 nodes, all Running (s)", $"{await UntilRunning(leader, web, 30, scale):0.00}"));

        var rss = File.ReadLines($"/proc/{leaderPid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        figures.Add(($"leader RSS with {services.Count + 1} services (MiB)", $"{long.Parse(rss) / 1024.0:0.0}"));

        // Failover: kill the leader's process, then one command every 100 ms through a follower until one succeeds.
        Process.Start("bash", ["-c", kill])!.WaitForExit();
        var failover = Stopwatch.StartNew();
        var succeeded = false;
        for (var i = 0; i < 600 && !succeeded; i++)
        {
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Touch(follower, services[0], i, attempt.Token);
                succeeded = true;
            }
            catch (Exception)
            {
                await Task.Delay(100);
            }
        }
        figures.Add(("leader killed -> first command committed (s)", succeeded ? $"{failover.Elapsed.TotalSeconds:0.00}" : "nan"));

        foreach (var (figure, value) in figures) Console.WriteLine($"{name}\t{figure}\t{value}");
        return 0;
    }

    private static DockerClient Client(string endpoint) =>
        new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).WithApiVersion(new System.Version(1, 41)).Build();

    private static ServiceSpec Spec(string name, ulong replicas) => new()
    {
        Name = name,
        TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "busybox:latest", Command = ["sleep", "3600"] } },
        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } },
    };

    private static async Task Touch(DockerClient client, string service, int i, CancellationToken ct)
    {
        var spec = await client.Swarm.InspectServiceAsync(service, ct);
        spec.Spec.Labels = new Dictionary<string, string> { ["bench"] = i.ToString() };
        await client.Swarm.UpdateServiceAsync(service, new ServiceUpdateParameters { Service = spec.Spec, Version = (long)spec.Version.Index!.Value }, ct);
    }

    /// <summary>Commands per second: each service gets its writer, which reads its version then updates it.</summary>
    private static async Task<double> Throughput(DockerClient client, IReadOnlyList<string> services, int perWriter)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(services.Select(async service =>
        {
            for (var i = 0; i < perWriter; i++) await Touch(client, service, i, CancellationToken.None);
        }));
        return services.Count * perWriter / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> UntilRunning(DockerClient client, string service, int count, Stopwatch clock)
    {
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var tasks = await client.Tasks.ListAsync(new TasksListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [service] = true } } });
            if (tasks.Count(t => t.Status.State == TaskState.Running && t.DesiredState == TaskState.Running) >= count) return clock.Elapsed.TotalSeconds;
            await Task.Delay(100);
        }
        return double.NaN;
    }
}
