using System.Text;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Services;
using EventSwarm.Domain.Networking;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.UnitTests.Properties;

/// <summary>
/// What must hold of a swarm whatever happened to it, each a named check: the name is the first thing a failure
/// says. <see cref="Always"/> holds after every pass of the loops and every batch of reports; <see cref="AtFixedPoint"/>
/// once the leader and the workers have nothing left to do; <see cref="ReplayGivesTheSameDigest"/> at the end of a
/// history (a digest costs milliseconds: after every step it would take most of the suite's time).
/// </summary>
public static class SwarmInvariants
{
    public static void Always(SimulatedSwarm swarm)
    {
        OneDesiredRunningTaskPerSlot(swarm.State, swarm.Clock.Now);
        OneDesiredRunningTaskPerNodeOfAGlobalService(swarm.State, swarm.Clock.Now);
        AddressesAreUniquePerNetwork(swarm.State);
        IngressPortsAreUnique(swarm.State);
        UpdatesKeepToTheirParallelism(swarm);
        NoOlderSpecRunsOnceAnUpdateCompleted(swarm.State);
    }

    public static void AtFixedPoint(SimulatedSwarm swarm)
    {
        Always(swarm);
        RunningTasksMatchTheServices(swarm.State);
        SecretVersionsAreThoseStillRead(swarm.State);
        NoLoopEmitsAtAFixedPoint(swarm);
    }

    /// <summary>
    /// Swarm's slot model: a replica slot never has two tasks wanted running (two containers of one slot), but for
    /// a replacement started first (update_config order start-first, or a rotated secret): then the slot's old task
    /// runs on beside its replacement (or that one's restart) until that one runs, and no more than those two. The pass after the replacement was reported running shuts the old one down
    /// (<paramref name="now"/> is the time of that report until then); a replacement that failed leaves it running,
    /// as swarmkit's updater does.
    /// </summary>
    public static void OneDesiredRunningTaskPerSlot(ClusterState state, DateTimeOffset now)
    {
        foreach (var slot in state.Tasks.Values.Where(t => t.Slot > 0 && t.DesiredState == TaskState.Running).GroupBy(t => (t.ServiceId, t.Slot)))
            if (slot.Count() > 1 && !IsStartedFirst(slot, now))
                Fail(nameof(OneDesiredRunningTaskPerSlot), state, $"slot {slot.Key.Slot} of {slot.Key.ServiceId} has {slot.Count()} tasks desired running: {Ids(slot)}");
    }

    private static bool IsStartedFirst(IEnumerable<SwarmTask> wanted, DateTimeOffset now)
    {
        var tasks = wanted.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        // The newer one may be of the same spec as the older: the restart of a failed replacement after a rollback.
        return tasks.Count == 2 && (tasks[1].Status.State != TaskState.Running || tasks[1].RunningSince >= now);
    }

    /// <summary>
    /// A replicated service mid-update has at most its parallelism of slots in flight: slots where a replacement the
    /// updater made since the update (or rollback) started is still on its way to Running. Sound against what is not
    /// the updater's: restarts are the orchestrator's (not counted), a slot whose replacement failed is the failure
    /// action's (swarmkit's worker moves on from it too), and a new spec or a scale starts the count over, as swarmkit
    /// starts a new updater then without waiting for the old one's slots.
    /// </summary>
    public static void UpdatesKeepToTheirParallelism(SimulatedSwarm swarm)
    {
        var state = swarm.State;
        foreach (var service in state.Services.Values.Where(s => !s.Spec.Mode.IsGlobal && s.UpdateStatus is { IsActive: true, StartedAt: not null }))
        {
            var parallelism = RollingUpdater.ConfigOf(service).Parallelism;
            if (parallelism == 0) continue;
            var replacements = state.TasksOf(service.Id).Where(t => t.SpecVersion == service.SpecVersion && t.CreatedAt >= service.UpdateStatus!.StartedAt).ToList();
            var failed = replacements.Where(RollingUpdater.EndedOnItsOwn).Select(t => t.Slot).ToHashSet();
            var inFlight = replacements
                .Where(t => swarm.UpdaterCreated.Contains(t.Id) && t.IsRunnable && t.Status.State < TaskState.Running && !failed.Contains(t.Slot))
                .ToList();
            if (inFlight.Select(t => t.Slot).Distinct().Count() > parallelism)
                Fail(nameof(UpdatesKeepToTheirParallelism), state, $"{service.Id} (parallelism {parallelism}) has replacements in flight in slots [{string.Join(", ", inFlight.Select(t => t.Slot).Distinct().Order())}]: {Ids(inFlight)}");
        }
    }

    /// <summary>
    /// Once an update (or rollback) is completed, no slot's current task runs an older spec: every one it could
    /// reach was replaced first. Not reached, rightly: a node that is not ready and active (a paused node keeps its
    /// global task, a lost node's tasks wait for their restart), and the old task of a start-first pair whose
    /// replacement failed and is not restarted (swarmkit keeps it serving too).
    /// </summary>
    public static void NoOlderSpecRunsOnceAnUpdateCompleted(ClusterState state)
    {
        foreach (var service in state.Services.Values.Where(s => s.UpdateStatus?.State is UpdateState.Completed or UpdateState.RollbackCompleted))
        {
            var current = state.TasksOf(service.Id).Where(t => t.IsRunnable)
                .GroupBy(t => t.Slot > 0 ? t.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture) : t.NodeId ?? "")
                .Select(g => g.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).First());
            if (current.FirstOrDefault(t => t.SpecVersion != service.SpecVersion && t.Status.State == TaskState.Running && t.NodeId is not null
                    && state.Nodes.TryGetValue(t.NodeId, out var node) && node.Status == NodeStatus.Ready && node.Availability == NodeAvailability.Active) is { } stale)
                Fail(nameof(NoOlderSpecRunsOnceAnUpdateCompleted), state, $"{service.Id}'s {service.UpdateStatus!.State} update left task {stale.Id} of spec v{stale.SpecVersion} (the service's is v{service.SpecVersion}) running on {stale.NodeId}");
        }
    }

    private static long SecretVersion(SwarmTask task) => task.Spec.Container.Secrets.IsDefaultOrEmpty ? 0 : task.Spec.Container.Secrets[0].DataVersion;

    /// <summary>
    /// Old versions of the secret's data are kept exactly as long as a task whose container has not ended reads
    /// them: at a fixed point the secret holds its current version and those, no more.
    /// </summary>
    public static void SecretVersionsAreThoseStillRead(ClusterState state)
    {
        foreach (var secret in state.Secrets.Values)
        {
            var read = state.Tasks.Values.Where(t => !t.Status.State.IsTerminal()).Select(SecretVersion).Where(v => v > 0).ToHashSet();
            var expected = read.Append(secret.Current.Number).Distinct().Order();
            if (!secret.Data.Select(d => d.Number).Order().SequenceEqual(expected))
                Fail(nameof(SecretVersionsAreThoseStillRead), state,
                    $"secret {secret.Spec.Name} holds versions [{string.Join(", ", secret.Data.Select(d => d.Number))}] while tasks read [{string.Join(", ", read.Order())}]");
        }
    }

    /// <summary>A global service's node is its slot: one task wanted running per node, but for a replacement started first.</summary>
    public static void OneDesiredRunningTaskPerNodeOfAGlobalService(ClusterState state, DateTimeOffset now)
    {
        foreach (var node in state.Tasks.Values.Where(t => t.Slot == 0 && t.DesiredState == TaskState.Running).GroupBy(t => (t.ServiceId, t.NodeId)))
            if (node.Count() > 1 && !IsStartedFirst(node, now))
                Fail(nameof(OneDesiredRunningTaskPerNodeOfAGlobalService), state, $"node {node.Key.NodeId} has {node.Count()} tasks of global {node.Key.ServiceId} desired running: {Ids(node)}");
    }

    /// <summary>
    /// No two endpoints on a network share an address: VIPs, and tasks whose container may exist — not finished, or
    /// orphaned on a node that is not back (its container may still run there) — each within the subnet, never
    /// its network, broadcast or gateway address.
    /// </summary>
    public static void AddressesAreUniquePerNetwork(ClusterState state)
    {
        var holders = new List<(string Network, string Address, string Holder)>();
        foreach (var service in state.Services.Values)
            holders.AddRange(service.Endpoint.VirtualIps.Select(v => (v.NetworkId, v.Address, $"VIP of {service.Id}")));
        foreach (var task in state.Tasks.Values.Where(t => ContainerMayExist(t, state)))
            holders.AddRange(task.Networks.Select(a => (a.NetworkId, a.Address, $"task {task.Id}")));

        foreach (var (networkId, address, holder) in holders)
        {
            if (!state.Networks.TryGetValue(networkId, out var network)) continue;
            var ip = Ipv4Subnet.ParseAddress(address);
            if (!network.Subnet.Contains(ip) || ip == network.Subnet.Network || ip == network.Subnet.Broadcast || ip == network.Gateway)
                Fail(nameof(AddressesAreUniquePerNetwork), state, $"{holder} has {address} on {network.Spec.Name} ({network.Subnet}, gateway {Ipv4Subnet.Format(network.Gateway)})");
        }
        foreach (var shared in holders.GroupBy(h => (h.Network, h.Address)).Where(g => g.Count() > 1))
            Fail(nameof(AddressesAreUniquePerNetwork), state, $"{shared.Key.Address} on {shared.Key.Network} is held by {string.Join(", ", shared.Select(h => h.Holder))}");
    }

    private static bool ContainerMayExist(SwarmTask task, ClusterState state) =>
        !task.Status.State.IsTerminal()
        || (task.Status.State == TaskState.Orphaned && task.NodeId is not null
            && state.Nodes.TryGetValue(task.NodeId, out var node) && node.Status != NodeStatus.Ready);

    /// <summary>An ingress port is published by one service only, whether asked for or given by the allocator.</summary>
    public static void IngressPortsAreUnique(ClusterState state)
    {
        var published = state.Services.Values
            .SelectMany(s => (s.Endpoint.Ports.IsDefault ? [] : s.Endpoint.Ports).Where(p => p.Mode == PublishMode.Ingress).Select(p => (p.Protocol, p.PublishedPort, s.Id)));
        foreach (var port in published.GroupBy(p => (p.Protocol, p.PublishedPort)).Where(g => g.Count() > 1))
            Fail(nameof(IngressPortsAreUnique), state, $"port {port.Key.PublishedPort} is published by {string.Join(", ", port.Select(p => p.Id))}");
    }

    /// <summary>
    /// Nodes suffice for a service without reservations when one is ready, active and meets its constraint (no
    /// max-replicas-per-node is generated, so one such node can run every replica). Then a replicated service
    /// runs exactly its replica count, all of its current spec, each on such a node or on a paused one (a paused
    /// node keeps what it runs, Swarm's rule); a global one runs one task of its current spec on each such node,
    /// at most one (of any spec: it gets no update either) on a paused node, and none elsewhere. When none suffices
    /// a replicated service runs at most its count: a stop-first update stalls on a replacement that cannot be
    /// placed, as Swarm's does, leaving the other slots as they were. Under a restart policy that may leave a slot
    /// empty on purpose (on-failure, none, a maximum of attempts), or with a memory reservation, the counts are
    /// upper bounds.
    /// </summary>
    public static void RunningTasksMatchTheServices(ClusterState state)
    {
        foreach (var service in state.Services.Values)
        {
            var eligible = state.Nodes.Values.Where(n => Suffices(n, service)).Select(n => n.Id).ToHashSet();
            var running = state.TasksOf(service.Id)
                .Where(t => t.Status.State == TaskState.Running && t.NodeId is not null && state.Nodes.ContainsKey(t.NodeId))
                .ToList();
            // The old task of a start-first pair whose replacement failed and was not restarted serves on (swarmkit
            // keeps it too): it may run an older spec, where the older constraint put it.
            var overtaken = state.TasksOf(service.Id).Where(t => t.IsRunnable)
                .GroupBy(t => t.Slot > 0 ? t.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture) : t.NodeId ?? "")
                .SelectMany(g => g.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).Skip(1))
                .Select(t => t.Id).ToHashSet();
            // A paused update (a replacement failed) leaves the slots it had not reached on the older spec, where
            // the older constraint placed them, until a new spec or a rollback moves it on (swarmkit's pause).
            var paused = service.UpdateStatus?.IsPaused == true;
            // A policy that may leave a slot (or node) without a task on purpose, or reservations (whether nodes
            // suffice then depends on what else they run), only bound what runs.
            var policy = service.Spec.TaskTemplate.EffectiveRestartPolicy;
            var reserves = service.Spec.TaskTemplate.EffectiveReservations.MemoryBytes > 0;
            // A paused update may also leave slots on a replacement of the older spec that cannot be placed.
            var alwaysRestarts = policy.Condition == RestartCondition.Any && policy.MaxAttempts == 0 && !reserves && !paused;
            var what = $"{service.Spec.Name} ({service.Id}, {(service.Spec.Mode.IsGlobal ? "global" : $"{service.Spec.Mode.Replicas} replicas")}, spec v{service.SpecVersion}; nodes that suffice: [{string.Join(", ", eligible.Order())}])";
            if (running.FirstOrDefault(t => state.Nodes[t.NodeId!].Status != NodeStatus.Ready) is { } lost)
                Fail(nameof(RunningTasksMatchTheServices), state, $"{what}: task {lost.Id} counts as running on {lost.NodeId}, which is {state.Nodes[lost.NodeId!].Status}");
            if (service.Spec.Mode.IsGlobal)
            {
                foreach (var node in state.Nodes.Values.Where(n => n.Status == NodeStatus.Ready))
                {
                    var here = running.Where(t => t.NodeId == node.Id).ToList();
                    var wrong = eligible.Contains(node.Id) ? here.Count > 1 || (alwaysRestarts && here.Count == 0) || (!reserves && !paused && here.Any(t => t.SpecVersion != service.SpecVersion && !overtaken.Contains(t.Id)))
                        : node.Availability == NodeAvailability.Pause ? here.Count > 1
                        : here.Count > 0;
                    if (wrong)
                        Fail(nameof(RunningTasksMatchTheServices), state, $"{what}: node {node.Id} ({node.Availability}) runs [{Ids(here)}]");
                }
                continue;
            }
            var replicas = service.Spec.Mode.Replicas;
            if (eligible.Count > 0 || replicas == 0)
            {
                if (alwaysRestarts ? running.Count != replicas : running.Count > replicas)
                    Fail(nameof(RunningTasksMatchTheServices), state, $"{what}: {running.Count} running [{Ids(running)}], expected {replicas}");
                // With reservations a stop-first update may stall on a replacement that no longer fits (Swarm's does
                // too), leaving tasks of the old spec where the old constraint put them.
                if (reserves || paused) continue;
                if (running.FirstOrDefault(t => t.SpecVersion != service.SpecVersion && !overtaken.Contains(t.Id)) is { } stale)
                    Fail(nameof(RunningTasksMatchTheServices), state, $"{what}: task {stale.Id} still runs spec v{stale.SpecVersion} on {stale.NodeId}");
                if (running.FirstOrDefault(t => !overtaken.Contains(t.Id) && !eligible.Contains(t.NodeId!) && state.Nodes[t.NodeId!].Availability != NodeAvailability.Pause) is { } misplaced)
                    Fail(nameof(RunningTasksMatchTheServices), state, $"{what}: task {misplaced.Id} runs on {misplaced.NodeId}, which does not suffice");
            }
            else if (running.Count > replicas)
                Fail(nameof(RunningTasksMatchTheServices), state, $"{what}: {running.Count} running [{Ids(running)}] with no node that suffices, more than {replicas}");
        }
    }

    /// <summary>The test's own reading of the constraints the generator writes (not the scheduler's parser).</summary>
    private static bool Suffices(Node node, Service service) =>
        node.Status == NodeStatus.Ready && node.Availability == NodeAvailability.Active
        && (service.Spec.TaskTemplate.Placement?.Constraints ?? []).All(c => c switch
        {
            "node.role==worker" => node.Role == NodeRole.Worker,
            "node.labels.zone==a" => node.Labels.TryGetValue("zone", out var zone) && zone == "a",
            "node.hostname!=n2" => node.Description.Hostname != "n2",
            _ => throw new InvalidOperationException($"the generator wrote a constraint this check cannot read: {c}"),
        });

    /// <summary>
    /// At a fixed point each loop run once more on its own decides nothing, now and two minutes later (every delay
    /// and back-off over), and no worker has anything left to report.
    /// </summary>
    public static void NoLoopEmitsAtAFixedPoint(SimulatedSwarm swarm)
    {
        var n = 0;
        foreach (var now in new[] { swarm.Clock.Now, swarm.Clock.Now + TimeSpan.FromMinutes(2) })
            foreach (var (name, loop) in swarm.Loops)
            {
                var events = loop(swarm.State, new ReconcileContext(now, () => $"again{++n}"));
                if (events.Count > 0)
                    Fail(nameof(NoLoopEmitsAtAFixedPoint), swarm.State, $"{name} at +{(now - swarm.Clock.Now).TotalSeconds}s still decides: {string.Join("; ", events)}");
            }
        foreach (var node in swarm.State.Nodes.Keys.Where(swarm.IsLive))
            if (swarm.WorkerReports(node) is { Count: > 0 } reports)
                Fail(nameof(NoLoopEmitsAtAFixedPoint), swarm.State, $"the worker of {node} still reports: {string.Join("; ", reports.Select(r => $"{r.TaskId} {r.Status.State}"))}");
    }

    /// <summary>Every event appended since the start, read back and folded into a fresh state, gives the same digest.</summary>
    public static void ReplayGivesTheSameDigest(SimulatedSwarm swarm)
    {
        var replayed = swarm.Replay();
        var (live, again) = (StateDigest.Of(swarm.State), StateDigest.Of(replayed));
        if (live != again)
            Fail(nameof(ReplayGivesTheSameDigest), swarm.State, $"the state's digest is {live}, its replay's {again} (last sequence {swarm.State.LastSequence} vs {replayed.LastSequence})");
    }

    private static string Ids(IEnumerable<SwarmTask> tasks) => string.Join(", ", tasks.Select(t => t.Id));

    private static void Fail(string invariant, ClusterState state, string details) =>
        throw new PropertyViolation(invariant, $"{details}\n{Describe(state)}");

    /// <summary>The state as a reader of the failure needs it: nodes, services, and each task's slot, node and states.</summary>
    public static string Describe(ClusterState state)
    {
        var text = new StringBuilder();
        text.AppendLine("  nodes: " + string.Join(", ", state.Nodes.Values.Select(n => $"{n.Id} {n.Status}/{n.Availability}")));
        foreach (var service in state.Services.Values)
            text.AppendLine($"  service {service.Id} {service.Spec.Name} {(service.Spec.Mode.IsGlobal ? "global" : $"replicas={service.Spec.Mode.Replicas}")} v{service.SpecVersion} " +
                $"update={service.UpdateStatus?.State.ToString() ?? "-"} constraint=[{string.Join(",", service.Spec.TaskTemplate.Placement?.Constraints ?? [])}] vips=[{string.Join(",", service.Endpoint.VirtualIps.Select(v => $"{v.NetworkId}:{v.Address}"))}]");
        foreach (var task in state.Tasks.Values.OrderBy(t => t.ServiceId).ThenBy(t => t.Slot).ThenBy(t => t.CreatedAt))
            text.AppendLine($"    task {task.Id} {task.ServiceId}.{(task.Slot > 0 ? task.Slot.ToString() : "g")} on {task.NodeId ?? "-"} desired={task.DesiredState} " +
                $"status={task.Status.State} v{task.SpecVersion} created={(task.CreatedAt - T0).TotalSeconds}s{(task.NotBefore is { } nb ? $" notBefore={(nb - T0).TotalSeconds}s" : "")} " +
                $"nets=[{string.Join(",", task.Networks.Select(a => $"{a.NetworkId}:{a.Address}"))}]");
        return text.ToString();
    }
}
