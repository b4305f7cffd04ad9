using System.Collections.Immutable;
using System.Diagnostics;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Scheduling;
using EventSwarm.Application.Services;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

/// <summary>
/// Issue 16's placement rate: the real scheduler (<see cref="Scheduler.Reconcile"/>) in process on Nomad's C1M shape —
/// NODES nodes of 4 CPUs / 16 GiB, 10 % of them labelled zone=a; TASKS/1,000 services of 1,000 replicas, 10 % of them
/// constrained to node.labels.zone==a and another 10 % reserving 0.1 CPU / 64 MiB. The tasks are created by the real
/// replicated orchestrator and applied as events, then timed:
///   1. one pass placing every waiting task (placements/s, wall and process CPU);
///   2. the same placements in passes of 10,000 waiting tasks over a state that grows to TASKS (the leader's loop
///      sees its waiting tasks arrive in batches: this counts the per-pass cost of reading the loads);
///   3. before/after at a smaller shape (NODES/10 nodes, TASKS/20 tasks): the per-task scheduler issue 16 replaced
///      (tests/UnitTests/Scheduling/PerTaskScheduler.cs, compiled in) against the task-group scheduler.
/// In process, single-threaded: runs without the integration lock. Usage: <c>scale-placement [TASKS] [NODES] [one|passes|before-after]</c>.
///
/// Figures (2 cores, Release, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 as scale.sh runs it; the machine is shared
/// with the other helpers' builds, so wall clock follows its load while CPU time does not), 2026-11-28:
///   C1M (1,000,000 tasks, 5,000 nodes), task indexes merged (87798d9):
///     one pass, load 12.7 (10:14 UTC): 1,000,000 placed in 5.81 s wall / 5.53 s CPU = 172,232 placements/s wall,
///       180,950/s CPU (the orchestrator's 1M TaskCreated applied in 36 s, not timed; peak RSS 1.55 GiB).
///     one pass, load 25.7 (10:28 UTC, with the per-service counts below): 14.81 s wall / 6.22 s CPU = 67,526/s wall,
///       160,779/s CPU.
///     passes of 10k waiting tasks over a state growing to 1M, load 12.7: 100 passes, 13.20 s wall / 12.09 s CPU =
///       75,729/s wall, 82,711/s CPU (132 ms a pass); load 18.7: 198.6 ms a pass, of which the state's queries were
///       ActiveTasksOf(service, node) for 10 services × 5,000 nodes 133.5 ms (2.7 µs a lookup in the index's
///       ImmutableDictionary of 1M (service, node) keys), WaitingTasks 28.0 ms, UsageOf 5,000 nodes 4.9 ms. Since then
///       a service's counts come from its own tasks when it has fewer than the loaded nodes (1,000 reads, not 5,000),
///       and none are read for a node without tasks: see the 200k figure below.
///   passes of 10k at 200,000 tasks on 5,000 nodes, load 56.9 (10:47 UTC, own counts): 20 passes, 3.91 s wall / 1.56 s
///     CPU = 51,144/s wall, 128,050/s CPU (195.5 ms a pass wall, 78 ms CPU); asking ActiveTasksOf of every node
///     instead would have cost 181.7 ms a pass alone at that load.
///   passes of 10k at C1M, load 47→30 (10:50 UTC, own counts): 100 passes, 18.28 s wall / 7.90 s CPU = 54,695/s wall,
///     126,614/s CPU (79 ms CPU a pass, against 121 ms before); ActiveTasksOf of every node would have been 239.5 ms.
///   before/after at 50,000 tasks on 500 nodes (load 12.7): per-task scheduler 5,353 placements/s wall (5,540/s CPU),
///     task groups 387,316/s wall (397,741/s CPU): ×72. At 5,000 tasks on 100 nodes: 9,506/s against 745,990/s (×78).
/// </summary>
public static class ScalePlacementBench
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly EventMetadata Metadata = new(T0, "bench", "scale-placement", "bench");

    public static Task<int> RunAsync(string[] args)
    {
        var tasks = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        var nodes = args.Length > 1 ? int.Parse(args[1]) : 5_000;
        // A third argument runs one part alone (one, passes, before-after), e.g. under dotnet-trace.
        var part = args.Length > 2 ? args[2] : "all";
        // The node runs with InvariantGlobalization (ordinal string order): scale.sh sets the same for this process.
        var invariant = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT") is "1" or "true";
        Console.WriteLine($"scale-placement: {tasks:N0} tasks on {nodes:N0} nodes, load average {LoadAverage()}{(invariant ? "" : ", culture-aware string order (ICU): slower than the node")}");

        if (part is "all" or "one")
        {
            var (placed, wall, cpu) = OnePass(tasks, nodes, Scheduler.Reconcile, "task groups");
            Console.WriteLine($"  all waiting:     {placed:N0} placed (passes of at most {Scheduler.MaxPlacementsPerPass:N0}) in {wall:F2} s wall / {cpu:F2} s CPU = {placed / wall:N0} placements/s wall, {placed / cpu:N0}/s CPU");
        }
        if (part is "all" or "passes")
        {
            var (passes, pPlaced, pWall, pCpu) = InPasses(tasks, nodes, 10_000);
            Console.WriteLine($"  passes of 10k:   {passes} passes, {pPlaced:N0} placed in {pWall:F2} s wall / {pCpu:F2} s CPU = {pPlaced / pWall:N0} placements/s wall, {pPlaced / pCpu:N0}/s CPU ({1000 * pWall / passes:F1} ms a pass)");
        }
        if (part is "all" or "before-after")
        {
            var (smallTasks, smallNodes) = (Math.Max(tasks / 20, 1000), Math.Max(nodes / 10, 10));
            var (oPlaced, oWall, oCpu) = OnePass(smallTasks, smallNodes, EventSwarm.UnitTests.Scheduling.PerTaskScheduler.Reconcile, "per task");
            var (nPlaced, nWall, nCpu) = OnePass(smallTasks, smallNodes, Scheduler.Reconcile, "task groups");
            Console.WriteLine($"  before/after at {smallTasks:N0} tasks on {smallNodes:N0} nodes: per task {oPlaced / oWall:N0}/s wall ({oPlaced / oCpu:N0}/s CPU), " +
            $"task groups {nPlaced / nWall:N0}/s wall ({nPlaced / nCpu:N0}/s CPU): x{oWall / nWall:F0}");
        }
        Console.WriteLine($"  load average after: {LoadAverage()}");
        return Task.FromResult(0);
    }

    private static (int Placed, double Wall, double Cpu) OnePass(int tasks, int nodes, ControlLoop scheduler, string name)
    {
        var clock = Stopwatch.StartNew();
        var (state, services) = Swarm(tasks, nodes);
        // The orchestrator decides at most ReplicatedOrchestrator.MaxEventsPerPass events a pass: as many passes as it takes.
        for (IReadOnlyList<DomainEvent> created; (created = ReplicatedOrchestrator.Reconcile(state, Context(T0))).Count > 0;)
            state = Apply(state, created);
        Console.Error.WriteLine($"  ({name}: {state.Tasks.Count:N0} tasks of {services} services on {state.Nodes.Count:N0} nodes built in {clock.Elapsed.TotalSeconds:F1} s)");
        // Every waiting task at once; a scheduler bounded per pass (Scheduler.MaxPlacementsPerPass) takes several passes.
        var (placed, wall, cpu) = (0, 0.0, 0.0);
        var all = new List<DomainEvent>();
        var built = state;
        for (var pass = 1; ; pass++)
        {
            var current = state;
            var (events, w, c) = Timed(() => scheduler(current, Context(T0.AddSeconds(pass))));
            var assigned = events.Count(e => e is TaskAssigned);
            if (assigned == 0) break;
            all.AddRange(events);
            (placed, wall, cpu) = (placed + assigned, wall + w, cpu + c);
            state = Apply(state, events);
        }
        Check(built, all, placed);
        return (placed, wall, cpu);
    }

    private static (int Passes, int Placed, double Wall, double Cpu) InPasses(int tasks, int nodes, int perPass)
    {
        var (state, services) = Swarm(tasks, nodes);
        var servicesPerPass = Math.Max(perPass / 1000, 1);
        var all = state.Services.Values.ToList();
        var (passes, placed, wall, cpu) = (0, 0, 0.0, 0.0);
        var queries = new double[3];
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < all.Count; first += servicesPerPass)
        {
            // The orchestrator creates this batch's tasks (it sees only these services: its own pass is not timed here).
            var batch = state with { Services = ImmutableSortedDictionary.CreateRange(all.Skip(first).Take(servicesPerPass).Select(s => KeyValuePair.Create(s.Id, s))) };
            var now = T0.AddSeconds(passes + 1);
            state = Apply(state, ReplicatedOrchestrator.Reconcile(batch, Context(now)));
            var (events, w, c) = Timed(() => Scheduler.Reconcile(state, Context(now)));
            Queries(state, queries);
            (passes, placed, wall, cpu) = (passes + 1, placed + events.Count(e => e is TaskAssigned), wall + w, cpu + c);
            state = Apply(state, events);
        }
        Console.Error.WriteLine($"  (passes: {state.Tasks.Count:N0} tasks of {services} services, {clock.Elapsed.TotalSeconds:F1} s in all with the applies)");
        Console.WriteLine($"  per pass, the state's queries alone: WaitingTasks {1000 * queries[0] / passes:F1} ms, " +
            $"UsageOf every node {1000 * queries[1] / passes:F1} ms, ActiveTasksOf every node for {servicesPerPass} services (what the scheduler would ask without counting a service's own tasks) {1000 * queries[2] / passes:F1} ms");
        return (passes, placed, wall, cpu);
    }

    /// <summary>The contract queries of one pass alone (after the pass, on the same state): the share of a pass that is the indexes'.</summary>
    private static void Queries(ClusterState state, double[] seconds)
    {
        var clock = Stopwatch.StartNew();
        var waiting = state.WaitingTasks.ToList();
        seconds[0] += clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var node in state.Nodes.Keys) state.UsageOf(node);
        seconds[1] += clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var service in waiting.Select(t => t.ServiceId).Distinct())
            foreach (var node in state.Nodes.Keys)
                state.ActiveTasksOf(service, node);
        seconds[2] += clock.Elapsed.TotalSeconds;
    }

    private static (IReadOnlyList<DomainEvent> Events, double Wall, double Cpu) Timed(Func<IReadOnlyList<DomainEvent>> pass)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var events = pass();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (events, wall, (process.TotalProcessorTime - cpu0).TotalSeconds);
    }

    /// <summary>Every task placed (the shape fits), and spread within one task per node of even for each service.</summary>
    private static void Check(ClusterState state, IReadOnlyList<DomainEvent> events, int placed)
    {
        if (placed != state.Tasks.Count) throw new InvalidOperationException($"placed {placed} of {state.Tasks.Count}");
        var perService = events.OfType<TaskAssigned>().GroupBy(a => state.Tasks[a.TaskId].ServiceId);
        foreach (var service in perService.Take(50))
        {
            var counts = service.GroupBy(a => a.NodeId).Select(g => g.Count()).ToList();
            var spec = state.Services[service.Key].Spec;
            var eligible = spec.TaskTemplate.Placement is null ? state.Nodes.Count : state.Nodes.Values.Count(n => n.Labels.GetValueOrDefault("zone") == "a");
            var min = counts.Count < eligible ? 0 : counts.Min();
            if (counts.Max() - min > 1) throw new InvalidOperationException($"service {service.Key} spread {min}..{counts.Max()}");
        }
    }

    /// <summary>The C1M shape: nodes (10 % labelled zone=a) and services (10 % constrained, 10 % reserving), no tasks yet.</summary>
    private static (ClusterState State, int Services) Swarm(int tasks, int nodes)
    {
        var random = Ids;
        var events = new List<DomainEvent> { new SwarmInitialized("c1m", "node-0", "10.0.0.1:2377", T0) };
        for (var i = 0; i < nodes; i++)
        {
            var id = Id(random);
            events.Add(new NodeJoined(id, i == 0 ? NodeRole.Manager : NodeRole.Worker, $"10.0.{i / 250}.{i % 250 + 1}:2377",
                new NodeDescription($"sim-{i}", "27.0.0", "linux", "x86_64", 4_000_000_000, 16L << 30), T0));
            if (i % 10 == 3) events.Add(new NodeLabelsChanged(id, ImmutableDictionary<string, string>.Empty.Add("zone", "a"), T0));
        }
        var services = Math.Max(tasks / 1000, 1);
        for (var s = 0; s < services; s++)
        {
            var template = new TaskTemplate
            {
                Container = new ContainerSpec { Image = "busybox:latest" },
                Placement = s % 10 == 1 ? new Placement(["node.labels.zone==a"]) : null,
                Reservations = s % 10 == 2 ? new Reservations(100_000_000, 64L << 20) : null,
            };
            var spec = new ServiceSpec { Name = $"svc{s}", Mode = ServiceMode.Replicated(Math.Min(tasks, 1000)), TaskTemplate = template };
            events.Add(new ServiceCreated(Id(random), spec, T0));
        }
        return (Apply(ClusterState.Initial, events), services);
    }

    private static ClusterState Apply(ClusterState state, IEnumerable<DomainEvent> events)
    {
        foreach (var e in events) state = state.Apply(new RecordedEvent(state.LastSequence + 1, Metadata, e));
        return state;
    }

    // One generator for every ID of a run: the same IDs each run, never one twice.
    private static readonly Random Ids = new(1616);

    private static ReconcileContext Context(DateTimeOffset now) => new(now, () => Id(Ids));

    /// <summary>An ID as swarmkit makes them: 25 characters of base 36.</summary>
    private static string Id(Random random) => string.Create(25, random, (span, r) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[r.Next(36)];
    });

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
