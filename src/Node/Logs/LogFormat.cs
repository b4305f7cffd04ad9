using System.Globalization;
using System.Text;

namespace EventSwarm.Node.Logs;

/// <summary>The task a line belongs to: swarmkit's LogContext, sent as the <c>com.docker.swarm.*</c> details.</summary>
public sealed record TaskLogContext(string NodeId, string ServiceId, string TaskId)
{
    public const string NodeKey = "com.docker.swarm.node.id";
    public const string ServiceKey = "com.docker.swarm.service.id";
    public const string TaskKey = "com.docker.swarm.task.id";

    /// <summary>docker's parseContext: the three keys taken out of the details; null when one is missing.</summary>
    public static TaskLogContext? Take(Dictionary<string, string> details)
    {
        if (!details.Remove(NodeKey, out var node) || !details.Remove(ServiceKey, out var service) || !details.Remove(TaskKey, out var task)) return null;
        return new TaskLogContext(node, service, task);
    }
}

/// <summary>
/// One line of a service's or task's logs as a manager gathered it: the task, the engine's timestamp (kept as the
/// engine wrote it, nanoseconds included), the stream, the container's own details (escaped) and the bytes. A
/// <see cref="LogSource.System"/> entry is the manager's own word (a node it could not read), its text in Data.
/// </summary>
public sealed record ServiceLogEntry(TaskLogContext Context, long UnixNanos, string Timestamp, LogSource Source, string Details, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data);

    /// <summary>
    /// The payload dockerd writes for it (moby WriteLogStream): with details, the container's details and the task's
    /// context sorted by key and a space; with timestamps, the timestamp and a space before everything.
    /// </summary>
    public byte[] ApiPayload(bool timestamps, bool details)
    {
        var builder = new List<byte>(Data.Length + 200);
        if (timestamps) builder.AddRange(Encoding.ASCII.GetBytes(Timestamp + " "));
        if (details)
        {
            // moby lets the swarm context win over a container detail of the same key.
            var all = LogWire.ParseDetails(Details) ?? [];
            all[TaskLogContext.NodeKey] = Context.NodeId;
            all[TaskLogContext.ServiceKey] = Context.ServiceId;
            all[TaskLogContext.TaskKey] = Context.TaskId;
            builder.AddRange(Encoding.ASCII.GetBytes(LogWire.FormatDetails(all) + " "));
        }
        builder.AddRange(Data);
        return [.. builder];
    }
}

/// <summary>
/// What the docker CLI makes of a service log line (docker/cli cli/command/service/logs.go, logWriter and
/// taskFormatter): <c>[TIMESTAMP ]service.slot.taskid@node    | [details ]line</c>, the slot padded to the width of the
/// replica count, the task ID cut to 12 characters unless --no-trunc, left out with --no-task-ids.
/// </summary>
public static class TaskLogPrefix
{
    /// <summary>taskFormatter.format: the name before the bar (without the bar).</summary>
    public static string Format(string serviceName, long slot, string taskId, string nodeName, int width, bool noTaskIds, bool noTrunc)
    {
        var name = $"{serviceName}.{slot.ToString(CultureInfo.InvariantCulture)}";
        if (!noTaskIds) name += "." + (noTrunc || taskId.Length <= 12 ? taskId : taskId[..12]);
        var padding = width - Width(slot);
        return name + "@" + nodeName + (padding > 0 ? new string(' ', padding) : "");
    }

    /// <summary>getMaxLength: the number of decimal digits.</summary>
    public static int Width(long n) => n.ToString(CultureInfo.InvariantCulture).Length;

    /// <summary>The task context in a payload's details (read as <see cref="Line"/> reads it); null when there is none.</summary>
    public static TaskLogContext? ContextOf(byte[] payload, bool timestamps)
    {
        TaskLogContext? found = null;
        Line(payload, timestamps, false, c =>
        {
            found = c;
            return "";
        }, out _);
        return found;
    }

    /// <summary>
    /// logWriter.Write: one frame's payload (asked with details, and timestamps when <paramref name="timestamps"/>) as
    /// the CLI prints it; the prefix from <paramref name="prefix"/>. Null with docker's reason when the payload has
    /// no task context.
    /// </summary>
    public static byte[]? Line(byte[] payload, bool timestamps, bool details, Func<TaskLogContext, string> prefix, out string? error)
    {
        error = null;
        var parts = timestamps ? 3 : 2;
        var pieces = new List<ReadOnlyMemory<byte>>();
        var rest = payload.AsMemory();
        while (pieces.Count < parts - 1 && rest.Span.IndexOf((byte)' ') is var space and >= 0)
        {
            pieces.Add(rest[..space]);
            rest = rest[(space + 1)..];
        }
        pieces.Add(rest);
        if (pieces.Count != parts)
        {
            error = $"invalid context in log message: {Encoding.UTF8.GetString(payload)}";
            return null;
        }
        var detailsText = Encoding.ASCII.GetString(pieces[parts - 2].Span);
        var parsed = LogWire.ParseDetails(detailsText);
        if (parsed is null)
        {
            error = $"invalid details in log message: {detailsText}";
            return null;
        }
        if (TaskLogContext.Take(parsed) is not { } context)
        {
            error = $"missing task context in details: {detailsText}";
            return null;
        }
        var output = new List<byte>(payload.Length + 64);
        if (timestamps)
        {
            output.AddRange(pieces[0].Span);
            output.Add((byte)' ');
        }
        output.AddRange(Encoding.UTF8.GetBytes(prefix(context) + "    | "));
        if (details)
        {
            // The CLI prints the remaining details unescaped, sorted as "key=value", then a space.
            output.AddRange(Encoding.UTF8.GetBytes(string.Join(',', parsed.Select(d => d.Key + "=" + d.Value).Order(StringComparer.Ordinal)) + " "));
        }
        output.AddRange(pieces[parts - 1].Span);
        return [.. output];
    }
}
