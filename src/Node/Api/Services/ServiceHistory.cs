using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Services;
using EventSwarm.Domain.Services;
using Mediator;

namespace EventSwarm.Node.Api.Services;

/// <summary>One version of a service's spec as /eventswarm/v1/services/{id}/history answers it.</summary>
public sealed record ServiceVersionJson(int Version, DateTime At, string Who, string Command, long SpecVersion, IReadOnlyList<string> Changes, ServiceSpecJson Spec);

/// <summary>
/// Every version of a service's spec, beyond Swarm's one PreviousSpec: when, who, through which command, what
/// changed, and the whole spec; and a rollback to any of them, applied as an update (update_config applies).
/// </summary>
public static class ServiceHistory
{
    /// <summary>Values longer than this are cut in a change line: the line says what changed, inspect shows it whole.</summary>
    private const int ValueLimit = 60;

    public static void Map(WebApplication app)
    {
        app.MapGet("/eventswarm/v1/services/{id}/history", (string id, History.ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var found = state.LookupService(id);
            return found.Match is { } service
                ? Results.Json(Of(service), DockerJson.Options)
                : ApiErrors.Of(found.Refusal("service", id)!);
        });

        app.MapPost("/eventswarm/v1/services/{id}/rollback", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var query = context.Request.Query;
            var raw = query["to-version"].ToString();
            if (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var to))
                throw new BadRequestException($"invalid to-version '{raw}': the number of one of the service's versions (1 or more) is expected");
            long? version = null;
            if (query.TryGetValue("version", out var sent))
                version = long.TryParse(sent.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
                    ? v
                    : throw new BadRequestException($"invalid service version '{sent}'");
            await mediator.Send(new RollbackServiceToVersionCommand(id, to, CallerIdentity.Of(context), version), ct);
            return Results.Json(new Docker.DotNet.Models.ServiceUpdateResponse { Warnings = [] }, DockerJson.Options);
        });
    }

    public static IReadOnlyList<ServiceVersionJson> Of(Service service)
    {
        var versions = new List<ServiceVersionJson>();
        Dictionary<string, string>? before = null;
        foreach (var version in service.Versions)
        {
            var spec = ServiceWire.ToWire(version.Spec);
            var fields = Flatten(JsonSerializer.SerializeToElement(spec, DockerJson.Options));
            versions.Add(new ServiceVersionJson(version.Number, version.At.UtcDateTime, version.Who, version.Command, version.SpecVersion,
                before is null ? ["created"] : Changes(before, fields), spec));
            before = fields;
        }
        return versions;
    }

    /// <summary>"Path: old -> new" for each field that differs, in path order; "(none)" when a version changed nothing.</summary>
    public static IReadOnlyList<string> Changes(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var changes = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(path => before.GetValueOrDefault(path) != after.GetValueOrDefault(path))
            .Select(path => $"{path}: {Short(before.GetValueOrDefault(path))} -> {Short(after.GetValueOrDefault(path))}")
            .ToList();
        return changes.Count == 0 ? ["(none)"] : changes;
    }

    /// <summary>
    /// A spec's fields by path (TaskTemplate.ContainerSpec.Image). A list of plain values is one field (Env, Args),
    /// so that an added variable reads as one change rather than as every later index moving.
    /// </summary>
    public static Dictionary<string, string> Flatten(JsonElement element)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(element, "", fields);
        return fields;
    }

    private static void Walk(JsonElement element, string path, Dictionary<string, string> fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", fields);
                break;
            case JsonValueKind.Array when element.EnumerateArray().Any(e => e.ValueKind is JsonValueKind.Object or JsonValueKind.Array):
                var index = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, $"{path}[{index++}]", fields);
                break;
            case JsonValueKind.Null:
                break;
            default:
                fields[path] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                break;
        }
    }

    private static string Short(string? value) => value switch
    {
        null => "(none)",
        { Length: > ValueLimit } => value[..(ValueLimit - 1)] + "…",
        _ => value,
    };
}
