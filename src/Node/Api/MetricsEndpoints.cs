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
        app.MapGet("/metrics", (DiskAlarm disk) =>
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
            return Results.Text(text.ToString(), ContentType);
        });
    }

    private static void Metric(StringBuilder text, string name, string type, string help, long value) => text
        .Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
        .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n')
        .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
