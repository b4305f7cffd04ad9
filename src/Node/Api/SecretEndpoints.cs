using System.Collections.Immutable;
using System.Text.Json;
using EventSwarm.Application.Configs;
using EventSwarm.Application.Secrets;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Node.Api.History;
using Mediator;

namespace EventSwarm.Node.Api;

/// <summary>
/// The engine's /secrets and /configs (API v1.41), and EventSwarm's rotation of either in place. A secret's data
/// never leaves through here: not in inspect, not in a list, not in an error (swarmkit clears Spec.Data on every
/// read); a config's data is returned, as Docker does. Inspect adds what only EventSwarm has: the version of the
/// data and the tasks that read it, with the version each reads.
/// </summary>
public static class SecretEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/secrets/create", async (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var wire = await Body.ReadAsync<FileObjectWire.SpecIn>(context);
            var id = await mediator.Send(new CreateSecretCommand(FileObjectWire.SecretSpecOf(wire), FileObjectWire.DataOf(wire, required: true)!, CallerIdentity.Of(context)), ct);
            return Results.Json(new { ID = id }, DockerJson.Options, statusCode: 201);
        });

        app.MapGet("/secrets", (HttpRequest request, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var filters = Filters.Parse(request, "id", "label", "name", "names");
            return Results.Json(state.Secrets.Values
                .Where(s => FileObjectWire.Matches(filters, s.Id, s.Spec.Name, s.Spec.Labels))
                .OrderBy(s => s.Spec.Name, StringComparer.Ordinal)
                .Select(s => FileObjectWire.ToWire(s, state)), DockerJson.Options);
        });

        app.MapGet("/secrets/{id}", (string id, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var found = state.LookupSecret(id);
            return found.Match is { } secret ? Results.Json(FileObjectWire.ToWire(secret, state), DockerJson.Options) : ApiErrors.Of(found.Refusal("secret", id)!);
        });

        app.MapPost("/secrets/{id}/update", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var version = FileObjectWire.VersionOf(context.Request, "secret");
            var wire = await Body.ReadAsync<FileObjectWire.SpecIn>(context);
            await mediator.Send(new UpdateSecretCommand(id, version, FileObjectWire.SecretSpecOf(wire), wire.Data is { Length: > 0 }, CallerIdentity.Of(context)), ct);
            return Results.Ok();
        });

        app.MapDelete("/secrets/{id}", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveSecretCommand(id, CallerIdentity.Of(context)), ct);
            return Results.NoContent();
        });

        app.MapPost("/eventswarm/v1/secrets/{id}/rotate", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var wire = await Body.ReadAsync<FileObjectWire.SpecIn>(context);
            var rotated = await mediator.Send(new RotateSecretCommand(id, FileObjectWire.DataOf(wire, required: true)!, CallerIdentity.Of(context)), ct);
            return Results.Json(new { ID = rotated.Id, rotated.DataVersion }, DockerJson.Options);
        });

        app.MapPost("/configs/create", async (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var wire = await Body.ReadAsync<FileObjectWire.SpecIn>(context);
            var id = await mediator.Send(new CreateConfigCommand(FileObjectWire.ConfigSpecOf(wire), FileObjectWire.DataOf(wire, required: true)!, CallerIdentity.Of(context)), ct);
            return Results.Json(new { ID = id }, DockerJson.Options, statusCode: 201);
        });

        app.MapGet("/configs", (HttpRequest request, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var filters = Filters.Parse(request, "id", "label", "name", "names");
            return Results.Json(state.Configs.Values
                .Where(c => FileObjectWire.Matches(filters, c.Id, c.Spec.Name, c.Spec.Labels))
                .OrderBy(c => c.Spec.Name, StringComparer.Ordinal)
                .Select(c => FileObjectWire.ToWire(c, state)), DockerJson.Options);
        });

        app.MapGet("/configs/{id}", (string id, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var found = state.LookupConfig(id);
            return found.Match is { } config ? Results.Json(FileObjectWire.ToWire(config, state), DockerJson.Options) : ApiErrors.Of(found.Refusal("config", id)!);
        });

        app.MapPost("/configs/{id}/update", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var version = FileObjectWire.VersionOf(context.Request, "config");
            var wire = await Body.ReadAsync<FileObjectWire.SpecIn>(context);
            await mediator.Send(new UpdateConfigCommand(id, version, FileObjectWire.ConfigSpecOf(wire), wire.Data is { Length: > 0 }, CallerIdentity.Of(context)), ct);
            return Results.Ok();
        });

        app.MapDelete("/configs/{id}", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveConfigCommand(id, CallerIdentity.Of(context)), ct);
            return Results.NoContent();
        });

        app.MapPost("/eventswarm/v1/configs/{id}/rotate", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var wire = await Body.ReadAsync<FileObjectWire.SpecIn>(context);
            var rotated = await mediator.Send(new RotateConfigCommand(id, FileObjectWire.DataOf(wire, required: true)!, CallerIdentity.Of(context)), ct);
            return Results.Json(new { ID = rotated.Id, rotated.DataVersion }, DockerJson.Options);
        });
    }
}

/// <summary>Docker's JSON for secrets and configs (types/swarm Secret, Config), both ways.</summary>
public static class FileObjectWire
{
    /// <summary>A SecretSpec or ConfigSpec as a client sends it; Data is base64 on the wire, as Go encodes []byte.</summary>
    public sealed class SpecIn
    {
        public string? Name { get; set; }
        public Dictionary<string, string>? Labels { get; set; }
        public string? Data { get; set; }
        public DriverWire? Driver { get; set; }
        public DriverWire? Templating { get; set; }
    }

    public sealed class DriverWire
    {
        public string? Name { get; set; }
        public Dictionary<string, string>? Options { get; set; }
    }

    public static SecretSpec SecretSpecOf(SpecIn wire) => new()
    {
        Name = wire.Name ?? "",
        Labels = ToImmutable(wire.Labels),
        Driver = DriverOf(wire.Driver),
        Templating = DriverOf(wire.Templating),
    };

    public static ConfigSpec ConfigSpecOf(SpecIn wire) => new()
    {
        Name = wire.Name ?? "",
        Labels = ToImmutable(wire.Labels),
        Templating = DriverOf(wire.Templating),
    };

    /// <summary>The data's bytes; Go's wording for bad base64, never the value itself (it may be a secret).</summary>
    public static byte[]? DataOf(SpecIn wire, bool required)
    {
        if (string.IsNullOrEmpty(wire.Data)) return required ? [] : null;
        if (CorruptAt(wire.Data) is { } at) throw new Application.BadRequestException($"illegal base64 data at input byte {at}");
        return Convert.FromBase64String(wire.Data);
    }

    /// <summary>
    /// Where Go's StdEncoding gives up on a []byte field (encoding/base64 CorruptInputError, which the engine answers
    /// as is): the first character outside the alphabet (it skips only \r and \n, where .NET would skip any white
    /// space), misplaced padding, or the start of an incomplete last group of four.
    /// </summary>
    public static int? CorruptAt(string data)
    {
        var chars = 0;
        var padding = -1;
        for (var i = 0; i < data.Length; i++)
        {
            var c = data[i];
            if (c is '\r' or '\n') continue;
            var inAlphabet = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/';
            if (c == '=')
            {
                // Padding may only close the last group, after two or three characters of it.
                if (padding < 0 && chars % 4 < 2) return i;
                if (padding < 0) padding = chars;
            }
            else if (!inAlphabet || padding >= 0) return i;
            chars++;
        }
        return chars % 4 != 0 ? data.Length - chars % 4 : null;
    }

    /// <summary>The daemon's check and wording (cluster_routes.go updateSecret/updateConfig): no detail, unlike services'.</summary>
    public static long VersionOf(HttpRequest request, string kind) =>
        ulong.TryParse(request.Query["version"].ToString(), out var version) && version <= long.MaxValue
            ? (long)version
            : throw new Application.BadRequestException($"invalid {kind} version");

    /// <summary>The daemon's filters: id and name by prefix, names exactly, label as key or key=value.</summary>
    public static bool Matches(Filters filters, string id, string name, IReadOnlyDictionary<string, string> labels) =>
        filters.Match("id", v => id.StartsWith(v, StringComparison.Ordinal))
        && filters.Match("name", v => name.StartsWith(v, StringComparison.Ordinal))
        && filters.Match("names", v => name == v)
        && filters.Match("label", v => ServiceEndpoints.MatchesLabel(labels, v));

    public static object ToWire(Secret secret, ClusterState state) => new
    {
        ID = secret.Id,
        Version = new { Index = secret.Version },
        CreatedAt = secret.CreatedAt.UtcDateTime,
        UpdatedAt = secret.UpdatedAt.UtcDateTime,
        Spec = new { secret.Spec.Name, Labels = secret.Spec.Labels, Driver = DriverWireOf(secret.Spec.Driver), Templating = DriverWireOf(secret.Spec.Templating) },
        DataVersion = secret.Current.Number,
        Tasks = Readers(secret.Id, state),
    };

    public static object ToWire(Config config, ClusterState state) => new
    {
        ID = config.Id,
        Version = new { Index = config.Version },
        CreatedAt = config.CreatedAt.UtcDateTime,
        UpdatedAt = config.UpdatedAt.UtcDateTime,
        Spec = new { config.Spec.Name, Labels = config.Spec.Labels, Data = config.Current.Payload, Templating = DriverWireOf(config.Spec.Templating) },
        DataVersion = config.Current.Number,
        Tasks = Readers(config.Id, state),
    };

    /// <summary>The tasks whose containers read the object now (not yet ended), with the version each reads.</summary>
    private static List<object> Readers(string objectId, ClusterState state) =>
        [.. FileReferences.Readers(objectId, state).Select(r => (object)new { ID = r.Task.Id, ServiceID = r.Task.ServiceId, NodeID = r.Task.NodeId ?? "", r.DataVersion })];

    private static Driver? DriverOf(DriverWire? wire) => wire is null ? null : new Driver(wire.Name ?? "") { Options = ToImmutable(wire.Options) };

    private static object? DriverWireOf(Driver? driver) => driver is null ? null : new { driver.Name, Options = driver.Options };

    private static ImmutableDictionary<string, string> ToImmutable(Dictionary<string, string>? labels) =>
        labels is null ? ImmutableDictionary<string, string>.Empty : labels.ToImmutableDictionary();
}
