using System.Globalization;
using System.Text;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.Node.Api;

/// <summary>
/// Prometheus' text format on the node's socket, as dockerd serves /metrics (on its --metrics-addr) and etcd on
/// its client URL. A few gauges and counters for now; names carry the eventswarm_ prefix and a unit suffix, as
/// Prometheus' naming guide asks.
/// </summary>
public static class MetricsEndpoints
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Map(WebApplication app)
    {
        app.MapGet("/metrics", (DiskAlarm disk, IServiceProvider services) =>
        {
            var text = new StringBuilder();
            Metric(text, "eventswarm_disk_full_alarm", "gauge",
                "1 while writes are refused for want of space on the data directory's filesystem (etcd's NOSPACE alarm).",
                disk.IsRaised ? 1 : 0);
            Metric(text, "eventswarm_log_write_errors_total", "counter",
                "Writes to the log refused or failed for want of space since the agent started.", disk.WriteErrors);
            Metric(text, "eventswarm_data_dir_available_bytes", "gauge",
                "Bytes still free for the agent on the data directory's filesystem.", disk.AvailableBytes());
            Metric(text, "eventswarm_data_dir_reserve_bytes", "gauge",
                "Free space below which the disk alarm is raised.", disk.ReserveBytes);
            if (services.GetService<Infrastructure.Archive.ArchiveStatus>() is { } archive) ArchiveMetrics(text, archive.Read(DateTimeOffset.UtcNow));
            return Results.Text(text.ToString(), ContentType);
        });
    }

    /// <summary>The archiver's progress (agent --archive; figures of the leader, which alone archives).</summary>
    private static void ArchiveMetrics(StringBuilder text, Infrastructure.Archive.ArchiveSnapshot archive)
    {
        Metric(text, "eventswarm_archive_up", "gauge", "1 while the archive (PostgreSQL) answered the archiver's last attempt.", archive.Up ? 1 : 0);
        Metric(text, "eventswarm_archive_archived_sequence", "gauge", "Log index (event sequence) the archive holds the log through.", archive.ArchivedThrough);
        Metric(text, "eventswarm_archive_lag_events", "gauge", "Events committed to the log and not yet in the archive.", archive.LagEvents);
        Metric(text, "eventswarm_archive_lag_seconds", "gauge", "How long the oldest event not yet archived has waited.", archive.LagSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        Metric(text, "eventswarm_archive_errors_total", "counter", "Archive attempts that failed since the agent started.", archive.Errors);
        if (archive.LastError is { } error)
        {
            var label = error.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
            text.Append("# HELP eventswarm_archive_last_error_timestamp_seconds When the archiver last failed, with its error.\n")
                .Append("# TYPE eventswarm_archive_last_error_timestamp_seconds gauge\n")
                .Append("eventswarm_archive_last_error_timestamp_seconds{error=\"").Append(label).Append("\"} ")
                .Append((archive.LastErrorAt ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static void Metric(StringBuilder text, string name, string type, string help, long value) =>
        Metric(text, name, type, help, value.ToString(CultureInfo.InvariantCulture));

    private static void Metric(StringBuilder text, string name, string type, string help, string value) => text
        .Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
        .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n')
        .Append(name).Append(' ').Append(value).Append('\n');
}
