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
/// Figures (2 cores, Release; the load average of the shared machine is printed with them):
///   (filled in below as measured)
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
            Console.WriteLine($"  one pass:        {placed:N0} placed in {wall:F2} s wall / {cpu:F2} s CPU = {placed / wall:N0} placements/s wall, {placed / cpu:N0}/s CPU");
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
        state = Apply(state, ReplicatedOrchestrator.Reconcile(state, Context(T0)));
        Console.Error.WriteLine($"  ({name}: {state.Tasks.Count:N0} tasks of {services} services on {state.Nodes.Count:N0} nodes built in {clock.Elapsed.TotalSeconds:F1} s)");
        var (events, wall, cpu) = Timed(() => scheduler(state, Context(T0.AddSeconds(1))));
        var placed = events.Count(e => e is TaskAssigned);
        Check(state, events, placed);
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
        Console.WriteLine($"  per pass, the state's queries the scheduler makes: WaitingTasks {1000 * queries[0] / passes:F1} ms, " +
            $"UsageOf every node {1000 * queries[1] / passes:F1} ms, ActiveTasksOf every node for {servicesPerPass} services {1000 * queries[2] / passes:F1} ms");
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
