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
/// are created, assigned, report their states, are shut down and reaped; services scaled and updated) applied by a
/// real projection and appended to the store in a temporary directory, then: disk bytes per event (data, index,
/// checkpoints), StateAt at random instants on the store opened again (cold), Read throughput.
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
                var (data, index, checkpoints) = store.SizeOnDisk();
                var events = store.LastSequence;
                Console.WriteLine($"events\t{events}\tbatches\t{workload.Batches}\tlive tasks at the end\t{workload.Projection.Current.Tasks.Count}");
                Console.WriteLine($"generated+appended in\t{total.Elapsed.TotalSeconds:0.0} s\tappend alone\t{events / appendClock.Elapsed.TotalSeconds:0} events/s");
                Console.WriteLine($"disk bytes/event\t{(double)(data + index + checkpoints) / events:0.0}\tdata {(double)data / events:0.0}\tindex {(double)index / events:0.0}\tcheckpoints {(double)checkpoints / events:0.0} ({store.Checkpoints.Count} checkpoints, max gap {MaxGap(store.Checkpoints, events)} events)");
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

            var read = Stopwatch.StartNew();
            var count = reopened.Read(new EventSelection()).LongCount();
            Console.WriteLine($"Read all\t{count / read.Elapsed.TotalSeconds:0} events/s\t({count} events in {read.Elapsed.TotalSeconds:0.0} s)");
            read.Restart();
            var ofService = reopened.Read(new EventSelection(ServiceId: "svc7")).LongCount();
            Console.WriteLine($"Read --service svc7\t{ofService} events in {read.Elapsed.TotalMilliseconds:0} ms (whole history scanned)");
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
            var roll = _random.Next(100);
            var tasks = state.Tasks.Values;
            var pending = tasks.FirstOrDefault(t => t.NodeId is null && t.DesiredState == TaskState.Running);
            if (pending is not null && roll < 60)
                return ("system:scheduler", "Reconcile", [new TaskAssigned(pending.Id, $"node-{_random.Next(4, 11)}", at)]);
            var task = tasks.ElementAt(_random.Next(tasks.Count()));
            if (roll < 75 && task.NodeId is { } node && task.Status.State < TaskState.Running)
            {
                var next = task.Status.State < TaskState.Starting ? TaskState.Starting : TaskState.Running;
                return ("system:worker", "ReportTaskStatus", [new TaskStatusReported(task.Id, node, new TaskObservation(next, at, next.ToString().ToLowerInvariant(), null, $"{task.Id}c0ffee{task.Id}", null))]);
            }
            if (roll < 90 && task.DesiredState == TaskState.Running && task.Status.State == TaskState.Running)
            {
                // A task dies and is replaced in its slot: the orchestrator's usual batch.
                var service = state.Services[task.ServiceId];
                return ("system:orchestrator", "Reconcile",
                [
                    new TaskStatusReported(task.Id, task.NodeId!, new TaskObservation(TaskState.Failed, at, "task: non-zero exit (1)", "exit 1", $"{task.Id}c0ffee{task.Id}", 1)),
                    new TaskDesiredStateChanged(task.Id, TaskState.Shutdown, at),
                    new TaskCreated($"t{++_ids}", service.Id, service.Spec.Name, task.Slot, null, service.Spec.TaskTemplate, service.SpecVersion, TaskState.Running, at),
                ]);
            }
            var dead = tasks.Where(t => t.DesiredState == TaskState.Shutdown).Take(5).ToList();
            if (roll < 97 && dead.Count > 0)
                return ("system:reaper", "Reconcile", [.. dead.Select(t => (DomainEvent)new TaskRemoved(t.Id, at))]);
            var target = state.Services.Values.ElementAt(_random.Next(state.Services.Count));
            return roll < 99
                ? ("user:bob", "ScaleService", [new ServiceScaled(target.Id, target.Spec.Mode.Replicas, at)])
                : ("user:bob", "UpdateService", [new ServiceUpdated(target.Id, Spec(target.Spec.Name, target.Spec.Mode.Replicas, _random.Next(1, 50)), at)]);
        }
    }
}
