using System.Diagnostics;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Scheduling;
using EventSwarm.Application.Services;
using EventSwarm.Application.Tasks;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Log;

/// <summary>
/// Issue 16's control loops at the scale of Nomad's C1M, in process: the C1M steady state (NODES nodes of 4 CPUs and
/// 16 GiB, TASKS/1,000 services of 1,000 replicas, all Running; one service in ten reserves 0.01 CPU and 16 MiB)
/// built by applying real events (TaskCreated, TaskAssigned, TaskStatusReported, in batches of 1,000 read back from
/// the log's JSON as the Raft state machine reads them) through <see cref="ClusterProjection.Apply"/>. Prints the
/// apply rate, managed memory per task, each control loop's pass time at steady state (the static Reconcile of
/// every loop ControlLoopRunner.Loops runs, NodeMonitor with every node's beat fresh, and the runner's NextDue
/// reads), the snapshot as ClusterStateMachine.PersistAsync writes it (JSON of the state: size, time), and a restart
/// from it (deserialize, then the task indexes rebuilt on first read). In process, so run without the
/// integration lock; the box's load average is printed with the figures.
/// Usage: <c>scale-loops [TASKS] [NODES]</c> (default 1000000 5000).
/// <para>
/// Figures, 2026-11-28, 2-core box shared with four other helpers' builds and benches (load averages printed; the
/// figures are slowed by it, the AFTER 1M run most: load 21 → 55). The scheduler is main's naive one in every run
/// (helper "scheduler" replaces it).
/// </para>
/// <code>
/// BEFORE  main 4d54db3 (naive task queries), 100,000 tasks / 5,000 nodes, load 6.0:
///   apply 88,973 events/s (49,914 with the JSON read); 1,086 bytes/task
///   pass: node-monitor 3.3 ms, replicated-orchestrator 4,425 ms, updater 4,495 ms, scheduler 49 ms,
///         task-reaper 4,408 ms, next-due delayed-start 22 ms, restart-backoff 45 ms; total 13,446 ms
///   snapshot 123 MiB (1,292 bytes/task) in 1.74 s; restore: deserialize 2.31 s
/// AFTER   87798d9 (indexes, first cut), 100,000 tasks / 5,000 nodes, load 9.6:
///   apply 10,612 events/s (hash dictionaries, every report recounted — fixed in bc9ea87: create 34 µs, assign
///   31 µs, report 17 µs per event against 11/12/17 µs on main in a micro run at load 22)
///   pass: node-monitor 2.6 ms, replicated-orchestrator 471 ms, updater 595 ms, scheduler 54 ms, task-reaper 0.11 ms,
///         every other loop and next-due read ≤ 0.01 ms; total 1,122 ms
///   snapshot 123 MiB in 2.00 s; restore: deserialize 2.01 s + index build 1.31 s (index 328 bytes/task)
/// AFTER   bc9ea87, 1,000,000 tasks / 5,000 nodes, load 21 → 55:
///   apply 13,969 events/s (11,576 with the JSON read); 1,284 bytes/task managed (1,225 MiB)
///   pass: node-monitor 6.9 ms, replicated-orchestrator 16,901 ms, updater 24,553 ms, scheduler 2,238 ms,
///         task-reaper 2.4 ms, global-orchestrator, allocator, data-version-reaper, next-due reads ≤ 0.07 ms
///   snapshot 1,214 MiB (1,273 bytes/task) in 71.7 s; restore: deserialize 66.9 s + index build 231 s (load 55;
///   index 289 bytes/task of a restored state of 2,654)
/// AFTER   915823c (settled services skipped by the replicated orchestrator), 100,000 tasks / 5,000 nodes, load 17 → 39:
///   apply 22,095 events/s (17,097 with the JSON read); 1,373 bytes/task
///   pass: replicated-orchestrator 9.8 ms (was 4,425 on main), updater 1,014 ms (still reads every task), scheduler 80 ms,
///         node-monitor 7 ms, task-reaper 0.09 ms, the rest ≤ 0.02 ms; total 1,111 ms
///   snapshot 123 MiB in 3.32 s; restore: deserialize 3.93 s + index build 3.02 s (index 356 bytes/task)
/// </code>
/// </summary>
public static class ScaleLoopsBench
{
    private const int BatchSize = 1000;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Task<int> RunAsync(string[] args)
    {
        var taskCount = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        var nodeCount = args.Length > 1 ? int.Parse(args[1]) : 5_000;
        var replicas = Math.Min(1000, taskCount);
        var serviceCount = Math.Max(1, taskCount / replicas);
        taskCount = serviceCount * replicas;
        Console.WriteLine($"scale-loops: {taskCount:N0} tasks ({serviceCount:N0} services x {replicas:N0}) on {nodeCount:N0} nodes; load {LoadAverage()}");

        var projection = new ClusterProjection();
        var sequence = 0L;
        var deserializing = new Stopwatch();
        var applying = new Stopwatch();
        var events = 0L;
        void Apply(IReadOnlyList<DomainEvent> batch, string loop)
        {
            var metadata = new EventMetadata(T0, $"system:{loop}", "Reconcile", Ids.NewBatchId(), loop);
            var bytes = EventJson.Serialize(new EventBatch(metadata.CorrelationId, metadata, batch));
            deserializing.Start();
            var read = EventJson.DeserializeBatch(bytes);
            deserializing.Stop();
            applying.Start();
            projection.Apply(read);
            applying.Stop();
            events += batch.Count;
            sequence += batch.Count;
        }

        Apply([new SwarmInitialized("c1m", "node-00000", "10.0.0.1:2377", T0)], "init");
        var nodeIds = Enumerable.Range(0, nodeCount).Select(i => $"node-{i:D5}").ToArray();
        foreach (var chunk in nodeIds.Chunk(BatchSize))
            Apply([.. chunk.Select(id => new NodeJoined(id, id == nodeIds[0] ? NodeRole.Manager : NodeRole.Worker, $"10.1.{id[^4..]}:2377",
                new NodeDescription(id, "27.0.0", "linux", "x86_64", 4_000_000_000, 16L << 30), T0))], "join");
        var services = Enumerable.Range(0, serviceCount).Select(i => new ServiceSpec
        {
            Name = $"svc-{i:D4}",
            Mode = ServiceMode.Replicated(replicas),
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec { Image = "busybox:latest" },
                Reservations = i % 10 == 0 ? new Reservations(10_000_000, 16L << 20) : null,
            },
        }).ToArray();
        foreach (var chunk in services.Chunk(BatchSize))
            Apply([.. chunk.Select(s => new ServiceCreated(s.Name, s, T0))], "service-create");
        var ids = new string[replicas];
        var before = GC.GetTotalMemory(true);
        events = 0;
        deserializing.Reset();
        applying.Reset();

        var placed = 0L;
        for (var s = 0; s < serviceCount; s++)
        {
            var spec = services[s];
            var service = projection.Current.Services[spec.Name];
            for (var r = 0; r < replicas; r++) ids[r] = Ids.NewId();
            Apply([.. ids.Select((id, r) => new TaskCreated(id, service.Id, spec.Name, r + 1, null, service.TemplateForNewTask(projection.Current),
                service.SpecVersion, TaskState.Running, T0))], "replicated-orchestrator");
            Apply([.. ids.Select(id => new TaskAssigned(id, nodeIds[placed++ % nodeCount], T0))], "scheduler");
            Apply([.. ids.Select(id => new TaskStatusReported(id, projection.Current.Tasks[id].NodeId!,
                new TaskObservation(TaskState.Running, T0.AddSeconds(1), "started", ContainerId: id)))], "worker");
        }
        var state = projection.Current;
        var after = GC.GetTotalMemory(true);
        Console.WriteLine($"apply: {events:N0} events in {applying.Elapsed.TotalSeconds:F1} s = {events / applying.Elapsed.TotalSeconds:N0} events/s "
            + $"(ClusterProjection.Apply; JSON read of the batches {deserializing.Elapsed.TotalSeconds:F1} s more = {events / (applying.Elapsed + deserializing.Elapsed).TotalSeconds:N0} events/s with it)");
        Console.WriteLine($"memory: {(after - before) / (double)taskCount:N0} bytes/task managed ({(after - before) / 1048576.0:N0} MiB for {taskCount:N0} tasks; heap {after / 1048576.0:N0} MiB)");

        // Steady state: every node beat just now, nothing to do. Each loop's pass, three times, the fastest and slowest.
        var now = T0.AddMinutes(10);
        var beats = nodeIds.ToDictionary(id => id, _ => now);
        (string, ControlLoop)[] loops =
        [
            ("node-monitor", (st, ctx) => NodeMonitor.Reconcile(st, ctx, beats, TimeSpan.FromSeconds(5), T0)),
            ("replicated-orchestrator", ReplicatedOrchestrator.Reconcile),
            ("global-orchestrator", GlobalOrchestrator.Reconcile),
            ("updater", RollingUpdater.Reconcile),
            ("allocator", NetworkAllocator.Reconcile),
            ("scheduler", Scheduler.Reconcile),
            ("task-reaper", TaskReaper.Reconcile),
            ("data-version-reaper", EventSwarm.Application.Secrets.DataVersionReaper.Reconcile),
        ];
        var total = TimeSpan.Zero;
        foreach (var (name, loop) in loops)
        {
            var (fastest, slowest, decided) = Time(() => loop(state, new ReconcileContext(now, Ids.NewId)).Count);
            total += fastest;
            Console.WriteLine($"pass {name,-24} {fastest.TotalMilliseconds,10:F2} ms (slowest of 3 {slowest.TotalMilliseconds:F2} ms), {decided} events");
        }
        foreach (var (name, read) in new (string, Func<DateTimeOffset?>)[]
                 {
                     ("next-due delayed-start", () => DelayedStart.NextDue(state, now)),
                     ("next-due restart-backoff", () => RestartBackoff.NextDue(state, now)),
                     ("next-due updater", () => RollingUpdater.NextDue(state, now)),
                 })
        {
            var (fastest, slowest, _) = Time(() => read() is null ? 0 : 1);
            total += fastest;
            Console.WriteLine($"read {name,-24} {fastest.TotalMilliseconds,10:F2} ms (slowest of 3 {slowest.TotalMilliseconds:F2} ms)");
        }
        Console.WriteLine($"pass total (fastest of each): {total.TotalMilliseconds:F1} ms");

        // The Raft snapshot: ClusterStateMachine.PersistAsync writes JsonSerializer.SerializeToUtf8Bytes(state, EventJson.Options).
        var watch = Stopwatch.StartNew();
        var snapshot = JsonSerializer.SerializeToUtf8Bytes(state, EventJson.Options);
        var serialize = watch.Elapsed;
        Console.WriteLine($"snapshot: {snapshot.Length / 1048576.0:N0} MiB ({snapshot.Length / (double)taskCount:N0} bytes/task), serialized in {serialize.TotalSeconds:F2} s");
        state = null!;
        projection = null!;
        watch.Restart();
        var restored = JsonSerializer.Deserialize<ClusterState>(snapshot, EventJson.Options)!;
        var deserialize = watch.Elapsed;
        snapshot = null!;
        var unindexed = GC.GetTotalMemory(true);
        watch.Restart();
        // The index is built on the first read of the restored state (ClusterState.TaskIndex); main has none.
        _ = restored.TasksOf(services[0].Name).Count();
        var index = watch.Elapsed;
        var indexed = GC.GetTotalMemory(true);
        Console.WriteLine($"restore: deserialize {deserialize.TotalSeconds:F2} s + first task read (index build) {index.TotalSeconds:F2} s; "
            + $"index {(indexed - unindexed) / (double)taskCount:N0} bytes/task of a restored state of {indexed / (double)taskCount:N0}; load {LoadAverage()}");
        GC.KeepAlive(restored);
        return Task.FromResult(0);
    }

    private static (TimeSpan Fastest, TimeSpan Slowest, int Result) Time(Func<int> run)
    {
        var (fastest, slowest, result) = (TimeSpan.MaxValue, TimeSpan.Zero, 0);
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            result = run();
            var elapsed = watch.Elapsed;
            if (elapsed < fastest) fastest = elapsed;
            if (elapsed > slowest) slowest = elapsed;
        }
        return (fastest, slowest, result);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
