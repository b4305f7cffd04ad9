using System.Collections.Immutable;
using System.Diagnostics;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Log.History;

/// <summary>
/// The history store at scale (issue 15): EVENTS realistic events (a swarm of 10 nodes and 100 services whose tasks
/// are created, assigned, report preparing/starting/running, fail, are shut down, replaced and reaped; a service
/// scaled or updated in 0.3% of the batches) applied by a real projection and appended to the store in a temporary
/// directory, then: the mix of events, disk bytes per event (data, index, subject index, checkpoints), StateAt at
/// random instants on the store opened again (cold; CPU and wall), one object's events through the subject index,
/// Read throughput.
/// Usage: <c>bench history [EVENTS]</c> (default 1,000,000).
/// </summary>
public static class HistoryBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var target = args.Length > 0 ? long.Parse(args[0]) : 1_000_000;
        var directory = Directory.CreateTempSubdirectory("eventswarm-history-bench-").FullName;
        try
        {
            var workload = new Workload(42);
            var appendClock = new Stopwatch();
            var total = Stopwatch.StartNew();
            using (var store = EventHistoryStore.Open(directory))
            {
                while (workload.Projection.Current.LastSequence < target)
                {
                    var (batch, logPayload) = workload.Next();
                    appendClock.Start();
                    store.Append(batch, logPayload);
                    appendClock.Stop();
                }
                await store.CheckpointsWrittenAsync();
                var (data, index, subjects, checkpoints) = store.SizeOnDisk();
                var events = store.LastSequence;
                var final = workload.Projection.Current;
                Console.WriteLine($"events\t{events}\tbatches\t{workload.Batches}\tlive tasks at the end\t{final.Tasks.Count}\tservices\t{final.Services.Count}\tspec versions\t{final.Services.Values.Sum(s => s.Versions.Count)}");
                Console.WriteLine($"mix (events)\t{string.Join("  ", workload.Mix.OrderByDescending(m => m.Value).Select(m => $"{m.Key} {100.0 * m.Value / events:0.0}%"))}");
                Console.WriteLine($"generated+appended in\t{total.Elapsed.TotalSeconds:0.0} s\tappend alone\t{events / appendClock.Elapsed.TotalSeconds:0} events/s");
                Console.WriteLine($"disk bytes/event\t{(double)(data + index + subjects + checkpoints) / events:0.0}\tdata {(double)data / events:0.0}\tindex {(double)index / events:0.0}\tsubject index {(double)subjects / events:0.0}\tcheckpoints {(double)checkpoints / events:0.0} ({store.Checkpoints.Count} checkpoints, {(double)checkpoints / Math.Max(1, store.Checkpoints.Count) / 1024:0} KiB each, max gap {MaxGap(store.Checkpoints, events)} events)");
            }

            // Cold: opened again (as after a restart), no state cached.
            using var reopened = EventHistoryStore.Open(directory);
            var random = new Random(7);
            var first = reopened.FirstAt!.Value;
            var span = workload.LastAt - first;
            var timings = new List<double>();
            var cpu = new List<double>();
            var process = Process.GetCurrentProcess();
            for (var i = 0; i < 200; i++)
            {
                var instant = first + TimeSpan.FromTicks((long)(random.NextDouble() * span.Ticks));
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var sequence = reopened.SequenceAt(instant);
                var state = reopened.StateAt(sequence);
                timings.Add(clock.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
                if (state.LastSequence != sequence) throw new InvalidOperationException($"StateAt({sequence}) gave the state at {state.LastSequence}");
            }
            timings.Sort();
            cpu.Sort();
            Console.WriteLine($"StateAt(SequenceAt(random instant)) ms\tp50 {Percentile(timings, 0.50):0.0}\tp99 {Percentile(timings, 0.99):0.0}\tmax {timings[^1]:0.0}\t(200 instants, cold store; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            Console.WriteLine($"  CPU time of the same ms\tp50 {Percentile(cpu, 0.50):0.0}\tp99 {Percentile(cpu, 0.99):0.0}\t(all threads of the process)");

            foreach (var selection in new[] { new EventSelection(ServiceId: "svc7"), new EventSelection(ServiceId: "svc42"), new EventSelection(TaskId: "t5000"), new EventSelection(NodeId: "node-5") })
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var found = reopened.Read(selection).LongCount();
                var wall = clock.Elapsed.TotalMilliseconds;
                process.Refresh();
                Console.WriteLine($"Read {selection.ServiceId ?? selection.TaskId ?? selection.NodeId}\t{found} events in {wall:0.0} ms wall, {(process.TotalProcessorTime - cpuBefore).TotalMilliseconds:0.0} ms CPU (subject index)");
            }
            var read = Stopwatch.StartNew();
            var count = reopened.Read(new EventSelection()).LongCount();
            Console.WriteLine($"Read all\t{count / read.Elapsed.TotalSeconds:0} events/s\t({count} events in {read.Elapsed.TotalSeconds:0.0} s)");
            read.Restart();
            var tail = reopened.Read(new EventSelection(FromSequence: reopened.LastSequence - 999)).LongCount();
            Console.WriteLine($"Read last 1,000 by index\t{read.Elapsed.TotalMilliseconds:0.0} ms");
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long MaxGap(IReadOnlyList<long> checkpoints, long last) =>
        checkpoints.Append(last).Zip(checkpoints.Prepend(0L), (a, b) => a - b).DefaultIfEmpty(last).Max();

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>A busy swarm's log: mostly task state reports, with the scheduling and service changes that cause them.</summary>
    private sealed class Workload(int seed)
    {
        private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly Random _random = new(seed);
        private int _ids;

        public ClusterProjection Projection { get; } = new();
        public long Batches { get; private set; }
        public Dictionary<string, long> Mix { get; } = [];
        public DateTimeOffset LastAt { get; private set; } = T0;

        /// <summary>The next batch as the projection applied it, and as the log holds it (its entry's bytes).</summary>
        public (AppliedBatch, byte[]) Next()
        {
            // 100 ms apart, with a clock step back now and then (NTP): the history must not mind.
            var at = T0.AddMilliseconds(Batches * 100 - (Batches % 50_000 == 7 ? 5_000 : 0));
            LastAt = at > LastAt ? at : LastAt;
            var state = Projection.Current;
            var (actor, command, events) = state.Swarm is null ? ("user:root", "SwarmInit", Init(at)) : Decide(state, at);
            Batches++;
            var batch = new EventBatch($"b{Batches}", new EventMetadata(at, actor, command, Guid.NewGuid().ToString("N"),
                actor.StartsWith("system:", StringComparison.Ordinal) ? actor[7..] : null), events);
            foreach (var e in events) Mix[e.GetType().Name] = Mix.GetValueOrDefault(e.GetType().Name) + 1;
            return (Projection.Apply(batch), EventSwarm.Infrastructure.Log.EventJson.Serialize(batch));
        }

        private static List<DomainEvent> Init(DateTimeOffset at)
        {
            var events = new List<DomainEvent> { new SwarmInitialized("cluster-bench", "node-1", "10.0.0.1:2377", at) };
            for (var n = 1; n <= 10; n++)
                events.Add(new NodeJoined($"node-{n}", n <= 3 ? NodeRole.Manager : NodeRole.Worker, $"10.0.0.{n}:2377",
                    new NodeDescription($"host-{n}", "27.3.1", "linux", "x86_64", 8_000_000_000, 32L << 30), at));
            return events;
        }

        private static ServiceSpec Spec(string name, long replicas, int version) => new()
        {
            Name = name,
            Mode = ServiceMode.Replicated(replicas),
            Labels = ImmutableDictionary<string, string>.Empty.Add("com.example.team", "payments").Add("com.example.tier", "backend"),
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec
                {
                    Image = $"registry.example.com/payments/{name}:1.{version}.0@sha256:{new string('a', 64)}",
                    Args = ["--port", "8080", "--log-level", "info"],
                    Env = ["ENVIRONMENT=production", $"SERVICE_NAME={name}", "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:4317"],
                },
                Placement = new Placement(["node.role==worker"]),
            },
        };

        /// <summary>
        /// A busy swarm's day: task lifecycles (created, assigned, preparing/starting/running reported, failed,
        /// shut down, removed) are nearly all of it; a user scales or updates a service a few times a day
        /// (0.3% of the batches: about 20 spec versions per service over 1,000,000 events).
        /// </summary>
        private (string, string, List<DomainEvent>) Decide(ClusterState state, DateTimeOffset at)
        {
            if (state.Services.Count < 100)
            {
                var id = $"svc{state.Services.Count}";
                var spec = Spec(id, 5, 1);
                var created = new List<DomainEvent> { new ServiceCreated(id, spec, at) };
                for (var slot = 1; slot <= 5; slot++) created.Add(new TaskCreated($"t{++_ids}", id, id, slot, null, spec.TaskTemplate, 1, TaskState.Running, at));
                return ("user:alice", "CreateService", created);
            }
            var roll = _random.Next(1000);
            if (roll < 3)
            {
                var target = state.Services.Values.ElementAt(_random.Next(state.Services.Count));
                return roll < 2
                    ? ("user:bob", "ScaleService", [new ServiceScaled(target.Id, target.Spec.Mode.Replicas, at)])
                    : ("user:bob", "UpdateService", [new ServiceUpdated(target.Id, Spec(target.Spec.Name, target.Spec.Mode.Replicas, target.Versions.Count + 1), at)]);
            }
            var tasks = state.Tasks.Values;
            // The control loops drive each task through its life: the oldest work first, as they do.
            if (tasks.FirstOrDefault(t => t.NodeId is null && t.DesiredState == TaskState.Running) is { } pending)
                return ("system:scheduler", "Reconcile", [new TaskAssigned(pending.Id, $"node-{_random.Next(4, 11)}", at)]);
            if (tasks.FirstOrDefault(t => t.NodeId is not null && t.DesiredState == TaskState.Running && t.Status.State < TaskState.Running) is { } starting)
            {
                var next = starting.Status.State < TaskState.Preparing ? TaskState.Preparing : starting.Status.State < TaskState.Starting ? TaskState.Starting : TaskState.Running;
                return ("system:worker", "ReportTaskStatus", [new TaskStatusReported(starting.Id, starting.NodeId!, new TaskObservation(next, at, next.ToString().ToLowerInvariant(), null, $"{starting.Id}c0ffee{starting.Id}", null))]);
            }
            var dead = tasks.Where(t => t.DesiredState == TaskState.Shutdown).Take(5).ToList();
            if (dead.Count >= 5)
                return ("system:reaper", "Reconcile", [.. dead.Select(t => (DomainEvent)new TaskRemoved(t.Id, at))]);
            // A task dies and is replaced in its slot: the orchestrator's usual batch.
            var running = tasks.Where(t => t.DesiredState == TaskState.Running && t.Status.State == TaskState.Running).ToList();
            var task = running[_random.Next(running.Count)];
            var service = state.Services[task.ServiceId];
            return ("system:orchestrator", "Reconcile",
            [
                new TaskStatusReported(task.Id, task.NodeId!, new TaskObservation(TaskState.Failed, at, "task: non-zero exit (1)", "exit 1", $"{task.Id}c0ffee{task.Id}", 1)),
                new TaskDesiredStateChanged(task.Id, TaskState.Shutdown, at),
                new TaskCreated($"t{++_ids}", service.Id, service.Spec.Name, task.Slot, null, service.Spec.TaskTemplate, service.SpecVersion, TaskState.Running, at),
            ]);
        }
    }
}
