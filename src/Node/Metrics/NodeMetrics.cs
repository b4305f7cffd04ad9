using Prometheus;

namespace EventSwarm.Node.Metrics;

/// <summary>
/// The agent's metrics, served in Prometheus' text format at /metrics on the socket and on <c>--metrics-addr</c>
/// (as dockerd's flag): one registry per agent, not prometheus-net's static default, so that several agents in
/// one process (the simulation, tests) never add to each other's figures. Names carry the eventswarm_ prefix and a
/// unit suffix, as Prometheus' naming guide asks; every label has a bounded set of values (docs/metrics.md).
/// <para>
/// prometheus-net rather than OpenTelemetry's exporter: the exporter is a beta (1.20.1-beta.1 is what the local
/// feed serves), and OpenTelemetry's MeterProvider listens to every Meter in the process, where a registry
/// object per agent keeps agents apart by construction. The figures the Application layer measures (the control
/// loops, the worker's task observations) reach here through plain delegates and events, so that layer takes no
/// metrics package (and no process-wide Meter whose listeners would mix agents).
/// </para>
/// </summary>
public sealed class NodeMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>From half a millisecond to ~16 s: a Raft commit, a loop's pass, an API call, a plan applied.</summary>
    private static readonly double[] Durations = Histogram.ExponentialBuckets(0.0005, 2, 16);

    /// <summary>From 10 ms to ~80 s: a container's start, health check included.</summary>
    private static readonly double[] StartDurations = Histogram.ExponentialBuckets(0.01, 2, 14);

    public NodeMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        RaftCommitDuration = Factory.CreateHistogram("eventswarm_raft_commit_duration_seconds",
            "Time from a batch's append to the leader's log to its commit (applied by a majority), on the leader.",
            new HistogramConfiguration { Buckets = Durations });
        LeaderChanges = Factory.CreateCounter("eventswarm_raft_leader_changes_total",
            "Leaders this manager has seen elected since the agent started (etcd's leader_changes_seen_total).");
        EventsAppended = Factory.CreateCounter("eventswarm_events_appended_total",
            "Events this manager appended to the log as leader, by event type.", ["type"]);
        ControlLoopPass = Factory.CreateHistogram("eventswarm_control_loop_pass_duration_seconds",
            "Time one control loop took to decide, per pass, on the leader.", ["loop"], new HistogramConfiguration { Buckets = Durations });
        ApiRequests = Factory.CreateHistogram("eventswarm_api_request_duration_seconds",
            "API requests served on the socket and the node listener, by route pattern, method and status code.", ["route", "method", "code"],
            new HistogramConfiguration { Buckets = Durations });
        NetworkPlanApply = Factory.CreateHistogram("eventswarm_network_plan_apply_duration_seconds",
            "Time to make this node's network plan real (engine networks, DNS, routes, netfilter).", new HistogramConfiguration { Buckets = Durations });
        ContainerStart = Factory.CreateHistogram("eventswarm_task_container_start_duration_seconds",
            "Time from a task's container created (Ready) to the task Running on this node.", new HistogramConfiguration { Buckets = StartDurations });
        TaskFailures = Factory.CreateCounter("eventswarm_task_failures_total",
            "Tasks of this node that ended Failed or Rejected, by reason (see docs/metrics.md).", ["reason"]);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Makes the scrape-time gauges (<see cref="ClusterGauges"/>, the disk and archive figures) in this registry.</summary>
    public IMetricFactory Factory { get; }

    public Histogram RaftCommitDuration { get; }
    public Counter LeaderChanges { get; }
    public Counter EventsAppended { get; }
    public Histogram ControlLoopPass { get; }
    public Histogram ApiRequests { get; }
    public Histogram NetworkPlanApply { get; }
    public Histogram ContainerStart { get; }
    public Counter TaskFailures { get; }

    /// <summary>Runs before each scrape: where figures read from the state at that moment are set.</summary>
    public void BeforeScrape(Action refresh) => Registry.AddBeforeCollectCallback(refresh);

    /// <summary>The control loops' observer (<see cref="Application.ControlLoops.ControlLoopRunner.LoopTimed"/>).</summary>
    public void ObserveLoop(string loop, TimeSpan elapsed) => ControlLoopPass.WithLabels(loop).Observe(elapsed.TotalSeconds);

    public Task WriteAsync(Stream output, CancellationToken ct) => Registry.CollectAndExportAsTextAsync(output, ct);
}
