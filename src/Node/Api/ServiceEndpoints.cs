using Docker.DotNet.Models;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Services;
using EventSwarm.Domain;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;
using EventSwarm.Node.Api.History;
using EventSwarm.Node.Api.Services;
using Mediator;
using Service = EventSwarm.Domain.Services.Service;
using TaskState = EventSwarm.Domain.Tasks.TaskState;

namespace EventSwarm.Node.Api;

public static class ServiceEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/services/create", async (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var spec = ServiceWire.ToDomain(await Body.ReadAsync<ServiceSpecJson>(context));
            if (string.IsNullOrEmpty(spec.Name)) spec = spec with { Name = RandomNames.Next() };
            var id = await mediator.Send(new CreateServiceCommand(spec, CallerIdentity.Of(context)), ct);
            return Results.Json(new ServiceCreateResponse { ID = id }, DockerJson.Options, statusCode: 201);
        });

        app.MapGet("/services", (HttpRequest request, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var filters = Filters.Parse(request, "id", "name", "label", "mode");
            var withStatus = request.Flag("status");
            var services = state.Services.Values
                .Where(s => filters.Match("id", v => s.Id.StartsWith(v, StringComparison.Ordinal)))
                .Where(s => filters.Match("name", v => s.Spec.Name.StartsWith(v, StringComparison.Ordinal)))
                .Where(s => filters.Match("mode", v => v == (s.Spec.Mode.IsGlobal ? "global" : "replicated")))
                .Where(s => filters.Match("label", v => MatchesLabel(s.Spec.Labels, v)))
                .OrderBy(s => s.Spec.Name)
                .Select(s => ToWire(s, state, withStatus));
            return Results.Json(services, DockerJson.Options);
        });

        app.MapGet("/services/{id}", (string id, HttpRequest request, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var found = state.LookupService(id);
            return found.Match is { } service
                ? Results.Json(ToWire(service, state, withStatus: false, request.Flag("insertDefaults")), DockerJson.Options)
                : ApiErrors.Of(found.Refusal("service", id)!);
        });

        app.MapPost("/services/{id}/update", async (string id, HttpContext context, IMediator mediator, ClusterProjection projection, CancellationToken ct) =>
        {
            var raw = context.Request.Query["version"].ToString();
            if (!long.TryParse(raw, out var version))
                throw new BadRequestException($"invalid service version '{raw}': strconv.ParseUint: parsing \"{raw}\": invalid syntax");
            var spec = ServiceWire.ToDomain(await Body.ReadAsync<ServiceSpecJson>(context));
            // docker's `service rollback` sends the current spec with rollback=previous: the manager restores its
            // previous spec and ignores the one sent (swarmkit's controlapi).
            if (context.Request.Query["rollback"] == "previous")
            {
                await mediator.Send(new RollbackServiceCommand(id, version, CallerIdentity.Of(context)), ct);
                return Results.Json(new ServiceUpdateResponse { Warnings = [] }, DockerJson.Options);
            }
            var current = projection.Current.LookupService(id).Match;
            // Docker's daemon knows rollback "", "none" and "previous"; anything else, for a service it found, is an
            // unclassified error (daemon/cluster/services.go: "unrecognized rollback option").
            if (current is not null && context.Request.Query["rollback"].ToString() is { Length: > 0 } option && option != "none")
                throw new UnclassifiedException($"unrecognized rollback option {option}");
            await mediator.Send(ServiceUpdateIntent.CommandFor(id, current, spec, version, CallerIdentity.Of(context)), ct);
            return Results.Json(new ServiceUpdateResponse { Warnings = [] }, DockerJson.Options);
        });

        app.MapDelete("/services/{id}", async (string id, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveServiceCommand(id, CallerIdentity.Of(context)), ct);
            return Results.Ok();
        });

        // docker service create asks the daemon for the image's registry digest; there is no registry to ask.
        app.MapGet("/distribution/{**name}", (string name) =>
            ApiErrors.NotFound($"no registry is reachable to resolve {name.Replace("/json", "")}; each node uses its local image"));
    }

    /// <param name="insertDefaults">Swarm fills its defaults into the spec (not the previous spec) when asked to.</param>
    public static ServiceJson ToWire(Service service, ClusterState state, bool withStatus, bool insertDefaults = false) => new()
    {
        ID = service.Id,
        Version = new Docker.DotNet.Models.Version { Index = (ulong)service.Version },
        CreatedAt = service.CreatedAt.UtcDateTime,
        UpdatedAt = service.UpdatedAt.UtcDateTime,
        Spec = insertDefaults ? ServiceWire.ToWireWithDefaults(service.Spec) : ServiceWire.ToWire(service.Spec),
        PreviousSpec = service.PreviousSpec is null ? null : ServiceWire.ToWire(service.PreviousSpec),
        Endpoint = new Docker.DotNet.Models.Endpoint
        {
            Spec = ServiceWire.ToWireEndpoint(service.Spec, service.Endpoint),
            Ports = service.Endpoint.Ports.IsDefaultOrEmpty ? null : [.. service.Endpoint.Ports.Select(ServiceWire.ToWire)],
            VirtualIPs = service.Endpoint.VirtualIps.IsDefaultOrEmpty
                ? null
                : [.. service.Endpoint.VirtualIps.Select(v => new EndpointVirtualIP { NetworkID = v.NetworkId, Addr = NetworkEndpoints.WithPrefix(v.Address, v.NetworkId, state) })],
        },
        ServiceStatus = withStatus ? Status(service, state) : null,
        UpdateStatus = service.UpdateStatus is { } update
            ? new UpdateStatusJson
            {
                State = UpdateStateName(update.State),
                StartedAt = update.StartedAt?.UtcDateTime,
                CompletedAt = update.CompletedAt?.UtcDateTime,
                Message = update.Message,
            }
            : null,
    };

    private static ServiceStatus Status(Service service, ClusterState state)
    {
        var (running, desired) = Replicas(service, state);
        return new ServiceStatus
        {
            RunningTasks = (ulong)running,
            DesiredTasks = (ulong)desired,
            CompletedTasks = (ulong)state.TasksOf(service.Id).Count(t => t.Status.State == TaskState.Complete),
        };
    }

    /// <summary>The REPLICAS column of `service ls` (running/desired); /metrics shows the same figures.</summary>
    internal static (long Running, long Desired) Replicas(Service service, ClusterState state)
    {
        var tasks = state.TasksOf(service.Id).ToList();
        var running = tasks.Count(t => t.Status.State == TaskState.Running && t.DesiredState <= TaskState.Running);
        var desired = service.Spec.Mode.IsGlobal
            ? tasks.Count(t => t.IsRunnable)
            : service.Spec.Mode.Replicas;
        return (running, desired);
    }

    internal static bool MatchesLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var at = filter.IndexOf('=');
        return at < 0
            ? labels.ContainsKey(filter)
            : labels.TryGetValue(filter[..at], out var value) && value == filter[(at + 1)..];
    }

    /// <summary>Swarm's UpdateStatus.State as the Engine API and `service inspect` spell it.</summary>
    public static string UpdateStateName(UpdateState state) => state switch
    {
        UpdateState.Updating => "updating",
        UpdateState.Paused => "paused",
        UpdateState.Completed => "completed",
        UpdateState.RollbackStarted => "rollback_started",
        UpdateState.RollbackPaused => "rollback_paused",
        _ => "rollback_completed",
    };
}
