extern alias node;
using System.Text;
using node::EventSwarm.Node.Logs;

namespace EventSwarm.UnitTests.Logs;

/// <summary>What dockerd sends for a service's log line, and what the docker CLI prints of it.</summary>
public sealed class Service_log_format_Tests
{
    private static readonly TaskLogContext Context = new("node1", "svc1", "task1abcdefghijklmnop");

    private static ServiceLogEntry Entry(string data, string details = "") =>
        new(Context, 1, "2026-11-28T16:20:22.123456789Z", LogSource.Stdout, details, Encoding.UTF8.GetBytes(data));

    [Fact]
    public void The_api_line_puts_the_task_context_among_the_details_and_the_timestamp_first()
    {
        Assert.Equal("2026-11-28T16:20:22.123456789Z com.docker.swarm.node.id=node1,com.docker.swarm.service.id=svc1,com.docker.swarm.task.id=task1abcdefghijklmnop,zone=a hi\n",
            Encoding.UTF8.GetString(Entry("hi\n", "zone=a").ApiPayload(timestamps: true, details: true)));
        Assert.Equal("hi\n", Encoding.UTF8.GetString(Entry("hi\n", "zone=a").ApiPayload(timestamps: false, details: false)));
    }

    [Fact]
    public void The_prefix_is_service_slot_short_task_id_at_node_padded_to_the_replica_count()
    {
        Assert.Equal("web.3.task1abcdefg@n1 ", TaskLogPrefix.Format("web", 3, "task1abcdefghijklmnop", "n1", width: 2, noTaskIds: false, noTrunc: false));
        Assert.Equal("web.3.task1abcdefghijklmnop@n1", TaskLogPrefix.Format("web", 3, "task1abcdefghijklmnop", "n1", width: 1, noTaskIds: false, noTrunc: true));
        Assert.Equal("web.12@n1", TaskLogPrefix.Format("web", 12, "task1abcdefghijklmnop", "n1", width: 2, noTaskIds: true, noTrunc: false));
    }

    [Fact]
    public void The_cli_line_is_timestamp_prefix_bar_then_the_remaining_details_and_the_line()
    {
        var payload = Entry("hello world\n", "zone=a").ApiPayload(timestamps: true, details: true);
        var printed = TaskLogPrefix.Line(payload, timestamps: true, details: true, c => $"web.1.{c.TaskId[..5]}@{c.NodeId}", out var error);
        Assert.Null(error);
        Assert.Equal("2026-11-28T16:20:22.123456789Z web.1.task1@node1    | zone=a hello world\n", Encoding.UTF8.GetString(printed!));
        var plain = TaskLogPrefix.Line(Entry("x y\n").ApiPayload(false, true), timestamps: false, details: false, _ => "web.1@n", out _);
        Assert.Equal("web.1@n    | x y\n", Encoding.UTF8.GetString(plain!));
    }

    [Fact]
    public void A_line_without_task_context_is_refused_with_the_reason()
    {
        Assert.Null(TaskLogPrefix.Line("hello\n"u8.ToArray(), timestamps: false, details: false, _ => "", out var error));
        Assert.NotNull(error);
    }
}
