using System.Collections.Immutable;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Secrets;

namespace EventSwarm.Domain.Tasks;

/// <summary>
/// The task indexes the control loops and the API read at scale (issue 16): tasks by service, by node and by slot,
/// the tasks waiting for a node, the runnable tasks that ended (restart candidates), those parked until a time,
/// those no longer wanted (the reaper's), and each node's load. swarmkit keeps the same in its store's indexes
/// (by service, by node, by slot, by desired state) so its orchestrators never walk every task.
/// <para>
/// Immutable with structural sharing: a task's change costs O(log n) per index it touches, and every older state
/// keeps its own index (history, time travel and snapshots hold states, not copies). It describes exactly the
/// <see cref="Tasks"/> dictionary it was built for; <see cref="ClusterState"/> rebuilds it when its Tasks are not
/// that one (a state read from JSON, or made with <c>with { Tasks = … }</c>), so it cannot drift from the tasks.
/// Sets of task IDs use the tasks' own key comparer, so every query yields tasks in the order of <c>Tasks</c>.
/// </para>
/// </summary>
public sealed class TaskIndex
{
    // Keyed by ID in ordinal order: a sorted tree of ordinal compares is cheaper to change than a hash dictionary
    // (ImmutableDictionary), and a change of task costs a few of these changes on every apply.
    private static readonly ImmutableSortedDictionary<string, ImmutableSortedSet<string>> NoSets =
        ImmutableSortedDictionary.Create<string, ImmutableSortedSet<string>>(StringComparer.Ordinal);

    private readonly ImmutableSortedSet<string> _noIds;

    private TaskIndex(ImmutableSortedDictionary<string, SwarmTask> tasks, ImmutableSortedSet<string> noIds)
    {
        Tasks = tasks;
        _noIds = noIds;
        Waiting = Ended = Retired = noIds;
    }

    /// <summary>The tasks this index describes (compared by reference).</summary>
    public ImmutableSortedDictionary<string, SwarmTask> Tasks { get; private init; }

    /// <summary>Task IDs by service, every state.</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> ByService { get; private init; } = NoSets;

    /// <summary>Task IDs by node they were given to, every state.</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> ByNode { get; private init; } = NoSets;

    /// <summary>Task IDs by replicated slot (slot &gt; 0): a slot's history.</summary>
    public ImmutableSortedDictionary<(string ServiceId, long Slot), ImmutableSortedSet<string>> BySlot { get; private init; } =
        ImmutableSortedDictionary.Create<(string ServiceId, long Slot), ImmutableSortedSet<string>>(SlotOrder.Instance);

    /// <summary>
    /// Task IDs by network they hold an address on: tasks with attachments that have not ended, or were orphaned
    /// (their container may live on). Every network scan (allocator, removal checks, routes, DNS) starts here.
    /// </summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> ByNetwork { get; private init; } = NoSets;

    /// <summary>Task IDs by secret or config they read, for tasks whose container has not ended.</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> ByFile { get; private init; } = NoSets;

    /// <summary>Runnable and not past Pending: waiting for a node.</summary>
    public ImmutableSortedSet<string> Waiting { get; private init; }

    /// <summary>Runnable but finished: the slot's current task ended, the supervisor's and the back-off's input.</summary>
    public ImmutableSortedSet<string> Ended { get; private init; }

    /// <summary>Desired state past Running (shut down or to be removed): the reaper's input.</summary>
    public ImmutableSortedSet<string> Retired { get; private init; }

    /// <summary>Runnable tasks created with a start time, by that time then ID.</summary>
    public ImmutableSortedSet<(DateTimeOffset NotBefore, string Id)> Parked { get; private init; } =
        ImmutableSortedSet.Create<(DateTimeOffset NotBefore, string Id)>(ParkedOrder.Instance);

    /// <summary>Per service: its runnable tasks, the slots they fill, and how many are not settled (see <see cref="ServiceTally"/>).</summary>
    public ImmutableSortedDictionary<string, ServiceTally> Tallies { get; private init; } =
        ImmutableSortedDictionary.Create<string, ServiceTally>(StringComparer.Ordinal);

    /// <summary>Runnable tasks per (service, slot): a slot is filled while it holds one.</summary>
    public ImmutableSortedDictionary<(string ServiceId, long Slot), int> RunnableInSlot { get; private init; } =
        ImmutableSortedDictionary.Create<(string ServiceId, long Slot), int>(SlotOrder.Instance);

    /// <summary>
    /// Runnable tasks per (service, spec version): when every runnable task of a service is of its current version,
    /// the rolling updater has nothing to replace there and skips the service without reading its tasks.
    /// </summary>
    public ImmutableSortedDictionary<(string ServiceId, long SpecVersion), int> RunnableOfVersion { get; private init; } =
        ImmutableSortedDictionary.Create<(string ServiceId, long SpecVersion), int>(SlotOrder.Instance);

    /// <summary>Per node: its active tasks from Assigned on, their reservations, and how many are each service's.</summary>
    public ImmutableSortedDictionary<string, NodeLoad> Load { get; private init; } =
        ImmutableSortedDictionary.Create<string, NodeLoad>(StringComparer.Ordinal);

    public static TaskIndex Empty(ImmutableSortedDictionary<string, SwarmTask> tasks) =>
        new(tasks, ImmutableSortedSet.Create(tasks.KeyComparer));

    /// <summary>The index of a whole set of tasks, built in one go (a state restored from a snapshot or from JSON).</summary>
    public static TaskIndex Build(ImmutableSortedDictionary<string, SwarmTask> tasks)
    {
        var empty = Empty(tasks);
        var byService = new Dictionary<string, ImmutableSortedSet<string>.Builder>();
        var byNode = new Dictionary<string, ImmutableSortedSet<string>.Builder>();
        var bySlot = new Dictionary<(string, long), ImmutableSortedSet<string>.Builder>();
        var byNetwork = new Dictionary<string, ImmutableSortedSet<string>.Builder>();
        var byFile = new Dictionary<string, ImmutableSortedSet<string>.Builder>();
        var waiting = empty._noIds.ToBuilder();
        var ended = empty._noIds.ToBuilder();
        var retired = empty._noIds.ToBuilder();
        var parked = empty.Parked.ToBuilder();
        var usage = new Dictionary<string, NodeUsage>();
        var active = new Dictionary<string, Dictionary<string, int>>();
        foreach (var task in tasks.Values)
        {
            Bucket(byService, task.ServiceId, empty._noIds).Add(task.Id);
            if (task.NodeId is not null) Bucket(byNode, task.NodeId, empty._noIds).Add(task.Id);
            if (task.Slot > 0) Bucket(bySlot, (task.ServiceId, task.Slot), empty._noIds).Add(task.Id);
            foreach (var network in NetworksHeld(task)) Bucket(byNetwork, network, empty._noIds).Add(task.Id);
            foreach (var file in FilesRead(task)) Bucket(byFile, file, empty._noIds).Add(task.Id);
            if (IsWaiting(task)) waiting.Add(task.Id);
            if (IsEnded(task)) ended.Add(task.Id);
            if (IsRetired(task)) retired.Add(task.Id);
            if (IsParked(task)) parked.Add((task.NotBefore!.Value, task.Id));
            if (CountsOnNode(task))
            {
                usage[task.NodeId!] = Add(usage.GetValueOrDefault(task.NodeId!, NodeUsage.None), task, 1);
                if (!active.TryGetValue(task.NodeId!, out var perService)) active[task.NodeId!] = perService = [];
                perService[task.ServiceId] = perService.GetValueOrDefault(task.ServiceId) + 1;
            }
        }
        var (tallies, runnableInSlot, ofVersion) = (empty.Tallies, empty.RunnableInSlot, empty.RunnableOfVersion);
        foreach (var task in tasks.Values) (tallies, runnableInSlot, ofVersion) = Tally(tallies, runnableInSlot, ofVersion, task, 1);
        return new TaskIndex(tasks, empty._noIds)
        {
            Tallies = tallies,
            RunnableInSlot = runnableInSlot,
            RunnableOfVersion = ofVersion,
            ByService = Sorted(byService),
            ByNode = Sorted(byNode),
            BySlot = bySlot.ToImmutableSortedDictionary(p => p.Key, p => p.Value.ToImmutable(), SlotOrder.Instance),
            ByNetwork = Sorted(byNetwork),
            ByFile = Sorted(byFile),
            Waiting = waiting.ToImmutable(),
            Ended = ended.ToImmutable(),
            Retired = retired.ToImmutable(),
            Parked = parked.ToImmutable(),
            Load = usage.ToImmutableSortedDictionary(p => p.Key,
                p => new NodeLoad(p.Value, active[p.Key].ToImmutableSortedDictionary(StringComparer.Ordinal)), StringComparer.Ordinal),
        };
    }

    private static ImmutableSortedDictionary<string, ImmutableSortedSet<string>> Sorted(Dictionary<string, ImmutableSortedSet<string>.Builder> buckets) =>
        buckets.ToImmutableSortedDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal);

    /// <summary>
    /// The index after one task changed from <paramref name="old"/> to <paramref name="new"/> (null: absent), for
    /// the resulting <paramref name="tasks"/>. The only place the index changes as the state evolves.
    /// </summary>
    public TaskIndex With(SwarmTask? old, SwarmTask? @new, ImmutableSortedDictionary<string, SwarmTask> tasks)
    {
        var byService = ByService;
        var byNode = ByNode;
        var bySlot = BySlot;
        var waiting = Waiting;
        var ended = Ended;
        var retired = Retired;
        var parked = Parked;
        var load = Load;

        if (old is not null && (@new is null || old.Id != @new.Id || old.ServiceId != @new.ServiceId))
            byService = Without(byService, old.ServiceId, old.Id);
        if (@new is not null && (old is null || old.Id != @new.Id || old.ServiceId != @new.ServiceId))
            byService = With(byService, @new.ServiceId, @new.Id, _noIds);

        if (old?.NodeId is not null && (@new is null || old.Id != @new.Id || old.NodeId != @new.NodeId))
            byNode = Without(byNode, old.NodeId, old.Id);
        if (@new?.NodeId is not null && (old is null || old.Id != @new.Id || old.NodeId != @new.NodeId))
            byNode = With(byNode, @new.NodeId, @new.Id, _noIds);

        var oldSlot = old is { Slot: > 0 } ? (old.ServiceId, old.Slot) : default((string, long)?);
        var newSlot = @new is { Slot: > 0 } ? (@new.ServiceId, @new.Slot) : default((string, long)?);
        if (oldSlot is { } os && (newSlot != oldSlot || old!.Id != @new!.Id)) bySlot = Without(bySlot, os, old!.Id);
        if (newSlot is { } ns && (newSlot != oldSlot || old!.Id != @new!.Id)) bySlot = With(bySlot, ns, @new!.Id, _noIds);

        var byNetwork = Keyed(ByNetwork, old, @new, NetworksHeld);
        var byFile = Keyed(ByFile, old, @new, FilesRead);
        waiting = Member(waiting, old, @new, IsWaiting);
        ended = Member(ended, old, @new, IsEnded);
        retired = Member(retired, old, @new, IsRetired);
        if (old is not null && IsParked(old)) parked = parked.Remove((old.NotBefore!.Value, old.Id));
        if (@new is not null && IsParked(@new)) parked = parked.Add((@new.NotBefore!.Value, @new.Id));

        var (tallies, runnableInSlot, ofVersion) = (Tallies, RunnableInSlot, RunnableOfVersion);
        if (!(old is not null && @new is not null && old.ServiceId == @new.ServiceId && old.Slot == @new.Slot && old.SpecVersion == @new.SpecVersion
              && old.IsRunnable == @new.IsRunnable && IsUnsettled(old) == IsUnsettled(@new)))
        {
            if (old is not null) (tallies, runnableInSlot, ofVersion) = Tally(tallies, runnableInSlot, ofVersion, old, -1);
            if (@new is not null) (tallies, runnableInSlot, ofVersion) = Tally(tallies, runnableInSlot, ofVersion, @new, 1);
        }

        // Most changes are status reports between Assigned and Running: they count the same before and after.
        var counted = old is not null && CountsOnNode(old);
        var counts = @new is not null && CountsOnNode(@new);
        if (!(counted && counts && old!.NodeId == @new!.NodeId && old.ServiceId == @new.ServiceId
              && old.Spec.EffectiveReservations == @new.Spec.EffectiveReservations))
        {
            if (counted) load = load.SetItem(old!.NodeId!, load[old.NodeId!].With(old, -1));
            if (counts) load = load.SetItem(@new!.NodeId!, load.GetValueOrDefault(@new.NodeId!, NodeLoad.None).With(@new, 1));
            if (counted && load[old!.NodeId!].Usage.Tasks == 0) load = load.Remove(old.NodeId!);
        }

        return new TaskIndex(tasks, _noIds)
        {
            ByService = byService,
            ByNode = byNode,
            BySlot = bySlot,
            ByNetwork = byNetwork,
            ByFile = byFile,
            Waiting = waiting,
            Ended = ended,
            Retired = retired,
            Parked = parked,
            Load = load,
            Tallies = tallies,
            RunnableInSlot = runnableInSlot,
            RunnableOfVersion = ofVersion,
        };
    }

    /// <summary>The networks whose addresses the task holds (NetworkAllocator.HoldsAddresses, before the node check).</summary>
    public static IReadOnlyList<string> NetworksHeld(SwarmTask t) =>
        t.Networks.IsDefaultOrEmpty || (t.Status.State.IsTerminal() && t.Status.State != TaskState.Orphaned)
            ? []
            : [.. t.Networks.Select(a => a.NetworkId).Distinct()];

    /// <summary>The secrets and configs a task whose container has not ended reads.</summary>
    public static IReadOnlyList<string> FilesRead(SwarmTask t)
    {
        var secrets = t.Spec.Container.Secrets;
        var configs = t.Spec.Container.Configs;
        if (t.Status.State.IsTerminal() || (secrets.IsDefaultOrEmpty && configs.IsDefaultOrEmpty)) return [];
        return [.. secrets.OrEmpty().Select(r => r.SecretId).Concat(configs.OrEmpty().Select(r => r.ConfigId)).Distinct()];
    }

    public static bool IsWaiting(SwarmTask t) => t.IsRunnable && t.Status.State <= TaskState.Pending;

    public static bool IsEnded(SwarmTask t) => t.IsRunnable && t.Status.State.IsTerminal();

    public static bool IsRetired(SwarmTask t) => !t.IsRunnable;

    public static bool IsParked(SwarmTask t) => t.IsRunnable && t.NotBefore is not null;

    /// <summary>Runnable and finished, or wanted in a state other than Running (parked in Ready): the orchestrator has work.</summary>
    public static bool IsUnsettled(SwarmTask t) => t.IsRunnable && (t.Status.State.IsTerminal() || t.DesiredState != TaskState.Running);

    private static (ImmutableSortedDictionary<string, ServiceTally>, ImmutableSortedDictionary<(string, long), int>, ImmutableSortedDictionary<(string, long), int>) Tally(
        ImmutableSortedDictionary<string, ServiceTally> tallies, ImmutableSortedDictionary<(string, long), int> runnableInSlot,
        ImmutableSortedDictionary<(string, long), int> ofVersion, SwarmTask task, int sign)
    {
        if (!task.IsRunnable) return (tallies, runnableInSlot, ofVersion);
        var version = (task.ServiceId, task.SpecVersion);
        var inVersion = ofVersion.GetValueOrDefault(version) + sign;
        ofVersion = inVersion == 0 ? ofVersion.Remove(version) : ofVersion.SetItem(version, inVersion);
        var slot = (task.ServiceId, task.Slot);
        var inSlot = runnableInSlot.GetValueOrDefault(slot) + sign;
        runnableInSlot = inSlot == 0 ? runnableInSlot.Remove(slot) : runnableInSlot.SetItem(slot, inSlot);
        var tally = tallies.GetValueOrDefault(task.ServiceId, ServiceTally.None);
        tally = new ServiceTally(tally.Runnable + sign,
            tally.RunnableSlots + (sign > 0 && inSlot == 1 ? 1 : sign < 0 && inSlot == 0 ? -1 : 0),
            tally.Unsettled + (IsUnsettled(task) ? sign : 0));
        tallies = tally == ServiceTally.None ? tallies.Remove(task.ServiceId) : tallies.SetItem(task.ServiceId, tally);
        return (tallies, runnableInSlot, ofVersion);
    }

    /// <summary>What swarmkit's nodeInfo counts against a node: active tasks from Assigned on.</summary>
    public static bool CountsOnNode(SwarmTask t) => t.NodeId is not null && t.IsActive && t.Status.State >= TaskState.Assigned;

    private static NodeUsage Add(NodeUsage usage, SwarmTask task, int sign)
    {
        var reserved = task.Spec.EffectiveReservations;
        return new NodeUsage(usage.Tasks + sign, usage.NanoCpus + (sign * reserved.NanoCpus), usage.MemoryBytes + (sign * reserved.MemoryBytes));
    }

    /// <summary>
    /// A service's runnable tasks, the distinct slots they fill, and how many of them are unsettled (ended, or wanted
    /// in a state other than Running): with as many slots as tasks as replicas and none unsettled, the replicated
    /// orchestrator has nothing to do for the service unless a node of its tasks became invalid.
    /// </summary>
    public sealed record ServiceTally(int Runnable, int RunnableSlots, int Unsettled)
    {
        public static ServiceTally None { get; } = new(0, 0, 0);
    }

    /// <summary>What a node holds (swarmkit's nodeInfo): its usage, and its active tasks per service (the spread key).</summary>
    public sealed record NodeLoad(NodeUsage Usage, ImmutableSortedDictionary<string, int> Services)
    {
        public static NodeLoad None { get; } = new(NodeUsage.None, ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal));

        internal NodeLoad With(SwarmTask task, int sign)
        {
            var count = Services.GetValueOrDefault(task.ServiceId) + sign;
            return new NodeLoad(Add(Usage, task, sign), count == 0 ? Services.Remove(task.ServiceId) : Services.SetItem(task.ServiceId, count));
        }
    }

    private static ImmutableSortedSet<string> Member(ImmutableSortedSet<string> set, SwarmTask? old, SwarmTask? @new, Func<SwarmTask, bool> holds)
    {
        var was = old is not null && holds(old);
        var @is = @new is not null && holds(@new);
        if (was && (!@is || old!.Id != @new!.Id)) set = set.Remove(old!.Id);
        if (@is && (!was || old!.Id != @new!.Id)) set = set.Add(@new!.Id);
        return set;
    }

    private ImmutableSortedDictionary<string, ImmutableSortedSet<string>> Keyed(ImmutableSortedDictionary<string, ImmutableSortedSet<string>> index,
        SwarmTask? old, SwarmTask? @new, Func<SwarmTask, IReadOnlyList<string>> keysOf)
    {
        var was = old is null ? [] : keysOf(old);
        var @is = @new is null ? [] : keysOf(@new);
        if (old is not null && @new is not null && old.Id == @new.Id && was.SequenceEqual(@is)) return index;
        foreach (var key in was) index = Without(index, key, old!.Id);
        foreach (var key in @is) index = With(index, key, @new!.Id, _noIds);
        return index;
    }

    private static TIndex With<TIndex, TKey>(TIndex index, TKey key, string id, ImmutableSortedSet<string> empty)
        where TIndex : IImmutableDictionary<TKey, ImmutableSortedSet<string>> where TKey : notnull =>
        (TIndex)index.SetItem(key, (index.TryGetValue(key, out var ids) ? ids : empty).Add(id));

    private static TIndex Without<TIndex, TKey>(TIndex index, TKey key, string id)
        where TIndex : IImmutableDictionary<TKey, ImmutableSortedSet<string>> where TKey : notnull
    {
        if (!index.TryGetValue(key, out var ids)) return index;
        ids = ids.Remove(id);
        return (TIndex)(ids.IsEmpty ? index.Remove(key) : index.SetItem(key, ids));
    }

    private static ImmutableSortedSet<string>.Builder Bucket<TKey>(Dictionary<TKey, ImmutableSortedSet<string>.Builder> buckets,
        TKey key, ImmutableSortedSet<string> empty) where TKey : notnull
    {
        if (!buckets.TryGetValue(key, out var bucket)) buckets[key] = bucket = empty.ToBuilder();
        return bucket;
    }

    private sealed class SlotOrder : IComparer<(string ServiceId, long Slot)>
    {
        public static readonly SlotOrder Instance = new();

        public int Compare((string ServiceId, long Slot) x, (string ServiceId, long Slot) y) =>
            string.CompareOrdinal(x.ServiceId, y.ServiceId) is var byService && byService != 0 ? byService : x.Slot.CompareTo(y.Slot);
    }

    private sealed class ParkedOrder : IComparer<(DateTimeOffset NotBefore, string Id)>
    {
        public static readonly ParkedOrder Instance = new();

        public int Compare((DateTimeOffset NotBefore, string Id) x, (DateTimeOffset NotBefore, string Id) y) =>
            x.NotBefore.CompareTo(y.NotBefore) is var byTime && byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
    }
}
