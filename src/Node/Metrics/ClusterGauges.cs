using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using Prometheus;

namespace EventSwarm.Node.Metrics;

/// <summary>
/// The figures read from the state at each scrape. The cluster's (nodes, services, tasks, replicas, Raft) are a
/// manager's: a worker holds a copy of the projection too, but a Prometheus that scrapes every node and sums would
/// count the swarm once per node, so a worker shows only what is its own (its tasks, its disk), as dockerd's swarm
/// metrics (swarm_manager_nodes, swarm_manager_tasks_total...) come from managers only. Heartbeat lag is the
/// leader's: only the leader hears heartbeats.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class ClusterGauges
{
    private readonly NodeMetrics _metrics;
    private readonly ClusterProjection _projection;
    private readonly Membership _membership;
    private readonly RaftLogHost _raft;
    private readonly Heartbeats _heartbeats;
    private readonly LocalNode _local;
    private readonly DiskAlarm _disk;
    private readonly Infrastructure.Archive.ArchiveStatus? _archive;

    private readonly Gauge _nodes;
    private readonly Gauge _services;
    private readonly Gauge _tasks;
    private readonly Gauge _desired;
    private readonly Gauge _running;
    private readonly Gauge _heartbeatLag;
    private readonly Gauge _nodeTasks;
    private readonly Gauge _term;
    private readonly Gauge _lastIndex;
    private readonly Gauge _commitIndex;
    private readonly Gauge _isLeader;
    private readonly Gauge _diskAlarm;
    private readonly Counter _writeErrors;
    private readonly Gauge _available;
    private readonly Gauge _reserve;

    public ClusterGauges(NodeMetrics metrics, ClusterProjection projection, Membership membership, RaftLogHost raft, Heartbeats heartbeats, LocalNode local,
        DiskAlarm disk, Infrastructure.Archive.ArchiveStatus? archive = null)
    {
        (_metrics, _projection, _membership, _raft, _heartbeats, _local, _disk, _archive) = (metrics, projection, membership, raft, heartbeats, local, disk, archive);
        var f = metrics.Factory;
        var managerOnly = new GaugeConfiguration { SuppressInitialValue = true };
        _nodes = f.CreateGauge("eventswarm_nodes", "Nodes of the swarm by role, state and availability (managers only).", ["role", "state", "availability"]);
        _services = f.CreateGauge("eventswarm_services", "Services in the swarm (managers only).", managerOnly);
        _tasks = f.CreateGauge("eventswarm_tasks", "Tasks the swarm holds (history included), by state (managers only).", ["state"]);
        _desired = f.CreateGauge("eventswarm_service_desired_replicas", "Tasks a service wants running, as `service ls` shows (managers only).", ["service"]);
        _running = f.CreateGauge("eventswarm_service_running_replicas", "Tasks of a service running, as `service ls` shows (managers only).", ["service"]);
        _heartbeatLag = f.CreateGauge("eventswarm_node_heartbeat_lag_seconds", "Time since the node's last heartbeat (the leader only).", ["node", "hostname"]);
        _nodeTasks = f.CreateGauge("eventswarm_node_tasks", "Tasks assigned to this node that it holds, by state (every node).", ["state"]);
        _term = f.CreateGauge("eventswarm_raft_term", "The Raft term this manager is in.", managerOnly);
        _lastIndex = f.CreateGauge("eventswarm_raft_last_log_index", "Index of the last entry of this manager's log, committed or not.", managerOnly);
        _commitIndex = f.CreateGauge("eventswarm_raft_commit_index", "Index of the last entry committed in this manager's log.", managerOnly);
        _isLeader = f.CreateGauge("eventswarm_raft_is_leader", "1 while this manager leads the swarm, 0 otherwise.", managerOnly);
        // The disk alarm's figures, as the first /metrics of the node served them (names kept).
        _diskAlarm = f.CreateGauge("eventswarm_disk_full_alarm", "1 while writes are refused for want of space on the data directory's filesystem (etcd's NOSPACE alarm).");
        _writeErrors = f.CreateCounter("eventswarm_log_write_errors_total", "Writes to the log refused or failed for want of space since the agent started.");
        _available = f.CreateGauge("eventswarm_data_dir_available_bytes", "Bytes still free for the agent on the data directory's filesystem.");
        _reserve = f.CreateGauge("eventswarm_data_dir_reserve_bytes", "Free space below which the disk alarm is raised.");
        if (archive is not null) _archiveGauges = new ArchiveGauges(f);
        metrics.BeforeScrape(Refresh);
    }

    private readonly ArchiveGauges? _archiveGauges;

    private void Refresh()
    {
        var state = _projection.Current;
        _diskAlarm.Set(_disk.IsRaised ? 1 : 0);
        _writeErrors.IncTo(_disk.WriteErrors);
        _available.Set(_disk.AvailableBytes());
        _reserve.Set(_disk.ReserveBytes);
        if (_archive is not null) _archiveGauges!.Set(_archive.Read(DateTimeOffset.UtcNow));

        var inSwarm = state.Swarm is not null;
        ByState(_nodeTasks, inSwarm ? state.TasksOn(_local.NodeId) : []);
        var manager = inSwarm && !_membership.IsWorker && _raft.IsOpen;
        if (!manager)
        {
            foreach (var gauge in new[] { _nodes, _tasks, _desired, _running, _heartbeatLag }) RemoveAll(gauge, new HashSet<string>());
            foreach (var gauge in new[] { _services, _term, _lastIndex, _commitIndex, _isLeader }) gauge.Unpublish();
            return;
        }
        _term.Set(_raft.Term);
        _lastIndex.Set(_raft.LastIndex);
        _commitIndex.Set(_raft.CommittedIndex);
        _isLeader.Set(_raft.IsLeader ? 1 : 0);
        _services.Set(state.Services.Count);

        // Every combination, zeros included: a state no node is in reads 0, not "no data".
        var nodes = state.Nodes.Values.GroupBy(n => (n.Role, n.Status, n.Availability)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var role in Enum.GetValues<NodeRole>())
            foreach (var status in Enum.GetValues<NodeStatus>())
                foreach (var availability in Enum.GetValues<NodeAvailability>())
                    _nodes.WithLabels(Label(role), Label(status), Label(availability)).Set(nodes.GetValueOrDefault((role, status, availability)));

        ByState(_tasks, state.Tasks.Values);

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in state.Services.Values)
        {
            var (running, desired) = Api.ServiceEndpoints.Replicas(service, state);
            names.Add(service.Spec.Name);
            _desired.WithLabels(service.Spec.Name).Set(desired);
            _running.WithLabels(service.Spec.Name).Set(running);
        }
        RemoveAll(_desired, names);
        RemoveAll(_running, names);

        var beats = _raft.IsLeader ? _heartbeats.Snapshot(DateTimeOffset.UtcNow) : new Dictionary<string, DateTimeOffset>();
        var now = DateTimeOffset.UtcNow;
        var beating = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (nodeId, last) in beats)
        {
            if (!state.Nodes.TryGetValue(nodeId, out var node)) continue;
            beating.Add(nodeId);
            _heartbeatLag.WithLabels(nodeId, node.Description.Hostname).Set(Math.Max(0, (now - last).TotalSeconds));
        }
        RemoveAll(_heartbeatLag, beating);
    }

    /// <summary>Docker's spelling of the states (lower case), as `node ls` and `service ps` print them.</summary>
    private static string Label<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static void ByState(Gauge gauge, IEnumerable<SwarmTask> tasks)
    {
        var counts = tasks.GroupBy(t => t.Status.State).ToDictionary(g => g.Key, g => g.Count());
        foreach (var state in Enum.GetValues<TaskState>()) gauge.WithLabels(Label(state)).Set(counts.GetValueOrDefault(state));
    }

    /// <summary>Drops the series whose first label is not in <paramref name="keep"/> (a service removed, a node gone).</summary>
    private static void RemoveAll(Gauge gauge, IReadOnlySet<string> keep)
    {
        foreach (var labels in gauge.GetAllLabelValues().ToList())
            if (!keep.Contains(labels[0])) gauge.RemoveLabelled(labels);
    }

    /// <summary>The archiver's progress (agent --archive; figures of the leader, which alone archives), names kept from the first /metrics.</summary>
    private sealed class ArchiveGauges(IMetricFactory f)
    {
        private readonly Gauge _up = f.CreateGauge("eventswarm_archive_up", "1 while the archive (PostgreSQL) answered the archiver's last attempt.");
        private readonly Gauge _through = f.CreateGauge("eventswarm_archive_archived_sequence", "Log index (event sequence) the archive holds the log through.");
        private readonly Gauge _lagEvents = f.CreateGauge("eventswarm_archive_lag_events", "Events committed to the log and not yet in the archive.");
        private readonly Gauge _lagSeconds = f.CreateGauge("eventswarm_archive_lag_seconds", "How long the oldest event not yet archived has waited.");
        private readonly Counter _errors = f.CreateCounter("eventswarm_archive_errors_total", "Archive attempts that failed since the agent started.");

        // One series at most: the label is the last error's text, replaced (not added to) when another error comes.
        private readonly Gauge _lastError = f.CreateGauge("eventswarm_archive_last_error_timestamp_seconds", "When the archiver last failed, with its error.", ["error"]);

        public void Set(Infrastructure.Archive.ArchiveSnapshot archive)
        {
            _up.Set(archive.Up ? 1 : 0);
            _through.Set(archive.ArchivedThrough);
            _lagEvents.Set(archive.LagEvents);
            _lagSeconds.Set(archive.LagSeconds);
            _errors.IncTo(archive.Errors);
            var error = archive.LastError;
            RemoveAll(_lastError, error is null ? new HashSet<string>() : [error]);
            if (error is not null) _lastError.WithLabels(error).Set((archive.LastErrorAt ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds());
        }
    }
}
