using System.Text.Json;
using System.Text.Json.Serialization;
using EventSwarm.Application;
using EventSwarm.Application.History;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Node.Api.History;

/// <summary>
/// The audit trail and `explain`, beyond Docker (which keeps no history): who did what, when, through which command,
/// and what the control loops did about it; a task's or a service's whole life. Read from the archive when it holds
/// the range, else from the history on this manager's disk (<see cref="HistoryReader"/>).
/// </summary>
public static class AuditEndpoints
{
    /// <summary>The answers' JSON, camel case with enums as words: the CLI reads the same records back.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    public const string SourceHeader = "X-EventSwarm-History-Source";

    public static void Map(WebApplication app)
    {
        app.MapGet("/eventswarm/v1/audit", async (HttpContext context, ClusterProjection projection, IClock clock, CancellationToken ct) =>
        {
            var state = NodeEndpoints.RequireSwarm(projection);
            var reader = Reader(context);
            var query = context.Request.Query;
            var now = clock.Now;
            var history = reader.History;
            var from = query["since"].ToString() is { Length: > 0 } since ? Since(PointInHistory.Parse(since, now, "since"), history, now) : 1;
            var to = query["until"].ToString() is { Length: > 0 } until ? PointInHistory.Parse(until, now, "until").Resolve(history, now, "until") : long.MaxValue;
            var service = query["service"].ToString();
            // A service of the current state reads its own events only; a removed one's ID is found in the whole history.
            // Without a service, reading from `since` loses only the causes before it (their reactions then stand alone).
            var selection = service.Length > 0
                ? state.LookupService(service).Match is { } found ? new EventSelection(ToSequence: to, ServiceId: found.Id) : new EventSelection(ToSequence: to)
                : new EventSelection(FromSequence: Math.Max(1, from), ToSequence: to);
            var entries = await reader.ReadAllAsync(selection, ct);
            var audit = Audit.Of(entries, state, new AuditQuery(Text(query["who"]), Text(query["service"]), Text(query["command"]), from, to));
            context.Response.Headers[SourceHeader] = reader.Source;
            return Results.Json(audit, Json);
        });

        app.MapGet("/eventswarm/v1/explain/task/{id}", async (string id, HttpContext context, ClusterProjection projection, CancellationToken ct) =>
        {
            var state = NodeEndpoints.RequireSwarm(projection);
            var reader = Reader(context);
            var serviceId = state.LookupTask(id).Match?.ServiceId;
            if (serviceId is null)
                await foreach (var entry in reader.ReadAsync(new EventSelection(TaskId: id), ct))
                    if (entry.Recorded.Event is TaskCreated created) serviceId = created.ServiceId;
            // The task's service's events, and the events of the nodes its slot's tasks ran on (their failures).
            var entries = await reader.ReadAllAsync(serviceId is null ? new EventSelection() : new EventSelection(ServiceId: serviceId), ct);
            if (serviceId is not null)
            {
                var nodes = entries.Select(e => e.Recorded.Event).OfType<TaskAssigned>().Select(a => a.NodeId).Distinct().ToList();
                foreach (var node in nodes)
                    entries.AddRange((await reader.ReadAllAsync(new EventSelection(NodeId: node), ct)).Where(e => e.Subject.Kind == Domain.History.SubjectKind.Node));
                entries = [.. entries.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence)];
            }
            context.Response.Headers[SourceHeader] = reader.Source;
            return ExplainTask.Of(entries, state, id) is { } explained
                ? Results.Json(explained, Json)
                : ApiErrors.NotFound($"no such task: {id} (the cluster's history holds no task with this ID)");
        });

        app.MapGet("/eventswarm/v1/explain/service/{name}", async (string name, HttpContext context, ClusterProjection projection, CancellationToken ct) =>
        {
            var state = NodeEndpoints.RequireSwarm(projection);
            var reader = Reader(context);
            var selection = state.LookupService(name).Match is { } found ? new EventSelection(ServiceId: found.Id) : new EventSelection();
            var entries = await reader.ReadAllAsync(selection, ct);
            context.Response.Headers[SourceHeader] = reader.Source;
            return ExplainService.Of(entries, state, name) is { } explained
                ? Results.Json(explained, Json)
                : ApiErrors.NotFound($"service {name} not found (neither in the cluster nor in its history)");
        });
    }

    private static HistoryReader Reader(HttpContext context) =>
        new(context.RequestServices.GetRequiredService<IEventHistory>(), context.RequestServices.GetService<IEventArchive>());

    /// <summary>The first index at or after <paramref name="since"/>: an index as given, a time as the first event not before it.</summary>
    private static long Since(PointInHistory since, IEventHistory history, DateTimeOffset now)
    {
        var resolved = since.Resolve(history, now, "since");
        return since is PointInHistory.AtTime { Time: var time } ? history.SequenceAt(time.AddTicks(-1)) + 1 : resolved;
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return options;
    }
}
