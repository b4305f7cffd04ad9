using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSwarm.Application.History;
using EventSwarm.Node.Api.History;

namespace EventSwarm.Node.Cli.History;

/// <summary>
/// <c>explain task ID</c> and <c>explain service NAME</c>, beyond docker: a task's whole life as a timeline (what
/// created it and the command behind that, why it is on its node, each state with its time, why it ended, the task
/// its slot had before it) or a service's versions, rollbacks and tasks. <c>--format json</c> prints the record.
/// </summary>
public sealed class ExplainCommand : Verb
{
    private readonly Option<string> _format = Flags.String("--format", "Format output: \"text\" (default) or \"json\"");

    public ExplainCommand() : base("explain", "[OPTIONS] task ID | service NAME", "Explain a task's or a service's life from the cluster's history")
    {
        MinArgs = 2;
        MaxArgs = 2;
        Options.Add(_format);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var (kind, name) = (Args(result)[0], Args(result)[1]);
        if (kind is not ("task" or "service")) throw new UsageException($"unknown object \"{kind}\": explain task ID or explain service NAME");
        var json = IsJson(result.Value(_format));
        var body = await context.SendAsync(HttpMethod.Get, $"/eventswarm/v1/explain/{kind}/{Uri.EscapeDataString(name)}");
        if (json)
            context.Out.WriteLine(body);
        else if (kind == "task")
            Write(JsonSerializer.Deserialize<TaskExplanation>(body, AuditEndpoints.Json)!, context.Out);
        else
            Write(JsonSerializer.Deserialize<ServiceExplanation>(body, AuditEndpoints.Json)!, context.Out);
        return 0;
    }

    public static bool IsJson(string? format) => format switch
    {
        null or "" or "table" or "text" => false,
        "json" => true,
        _ => throw new UsageException($"invalid format \"{format}\": \"json\" or the default text are supported"),
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static void Write(TaskExplanation task, TextWriter output)
    {
        output.WriteLine($"Task {task.TaskId} ({task.Name}) of service {task.ServiceName}{(task.Node is null ? "" : $", on node {task.Node}")}");
        output.WriteLine($"  created by   {task.Created}");
        if (task.CreatedFor is { } cause) output.WriteLine($"  because of   {cause}");
        if (task.Predecessor is { } before)
        {
            output.WriteLine($"  replaces     task {before.TaskId}{(before.Node is null ? "" : $" on {before.Node}")}: {before.Ended}");
            if (before.NodeFailure is { } failure && !before.Ended.Contains(failure.ToString(), StringComparison.Ordinal))
                output.WriteLine($"  node failure {failure}");
        }
        if (task.Placement is { } placement) output.WriteLine($"  placed on    {placement.Node} at {Time(placement.At)} (index {placement.Index}): {placement.Why}");
        output.WriteLine("  timeline");
        foreach (var step in task.Timeline) output.WriteLine($"    {Time(step.At)}  #{step.Index,-6} {step.What}");
        output.WriteLine($"  ended        {task.Ended ?? "(not ended)"}");
        if (task.EarlierTasksInSlot > 0) output.WriteLine($"  restarts     {task.EarlierTasksInSlot} earlier task(s) in this slot");
        if (task.Successor is { } after) output.WriteLine($"  replaced by  task {after.TaskId}{(after.Node is null ? "" : $" on {after.Node}")}");
    }

    public static void Write(ServiceExplanation service, TextWriter output)
    {
        output.WriteLine($"Service {service.Name} ({service.ServiceId}){(service.Removed ? ", removed" : "")}");
        output.WriteLine("  versions");
        foreach (var v in service.Versions) output.WriteLine($"    {Time(v.At)}  #{v.Index,-6} {v.Who}  {v.Command}: {v.Change}");
        if (service.Rollbacks.Count > 0)
        {
            output.WriteLine("  rollbacks");
            foreach (var r in service.Rollbacks) output.WriteLine($"    {Time(r.At)}  #{r.Index,-6} {r.Who}: {r.Change}");
        }
        if (service.Updates.Count > 0)
        {
            output.WriteLine("  updates");
            foreach (var u in service.Updates) output.WriteLine($"    {Time(u.At)}  #{u.Index,-6} {u.Change}");
        }
        output.WriteLine($"  tasks        {(service.Tasks.Count == 0 ? "none" : string.Join(", ", service.Tasks.Select(t => $"{t.Value} {t.Key}")))}");
        if (service.RecentFailures.Count > 0)
        {
            output.WriteLine("  recent failures");
            foreach (var f in service.RecentFailures) output.WriteLine($"    {Time(f.At)}  #{f.Index,-6} {f.Task}.{f.TaskId} on {f.Node}: {f.State}: {f.Error}");
        }
    }
}
