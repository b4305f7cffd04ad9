using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Stacks;
using EventSwarm.Domain.Stacks;
using EventSwarm.Node.Api.History;
using Mediator;

namespace EventSwarm.Node.Api.Stacks;

/// <summary>EventSwarm's native stack endpoints (the routes are in StackWire's comment): one command per deploy, rollback or removal.</summary>
public static class StackEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/eventswarm/v1/stacks/{name}/deploy", async (string name, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var (spec, prune) = StackWire.FromRequest(await Body.ReadAsync<JsonElement>(context));
            if (string.IsNullOrEmpty(spec.Name)) spec = spec with { Name = name };
            if (spec.Name != name) throw new BadRequestException($"the stack in the body is named '{spec.Name}', the path names '{name}'");
            var outcome = await mediator.Send(new DeployStackCommand(spec, prune, CallerIdentity.Of(context)), ct);
            return Results.Json(ToWire(outcome), DockerJson.Options);
        });

        // docker's `stack ls` knows the stacks by the namespace label of their services; EventSwarm adds the stacks it
        // recorded (a stack whose services were all pruned still has a history).
        app.MapGet("/eventswarm/v1/stacks", (ClusterView view) =>
        {
            var state = view.RequireSwarm();
            var labelled = state.Services.Values
                .Select(s => s.Spec.Labels.GetValueOrDefault(StackSpec.NamespaceLabel))
                .OfType<string>()
                .ToList();
            var stacks = labelled.Concat(state.Stacks.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(name =>
                {
                    var recorded = state.Stacks.GetValueOrDefault(name);
                    return new StackSummaryJson(name, labelled.Count(n => n == name), recorded?.Current.Number ?? 0, recorded?.Current.At);
                });
            return Results.Json(stacks, DockerJson.Options);
        });

        app.MapGet("/eventswarm/v1/stacks/{name}/history", (string name, ClusterView view) =>
        {
            var state = view.RequireSwarm();
            if (!state.Stacks.TryGetValue(name, out var stack))
                return state.Services.Values.Any(s => StackDecider.InStack(s.Spec.Labels, name))
                    ? Results.Json(Array.Empty<StackVersionJson>(), DockerJson.Options)
                    : throw RequestErrors.NotFound($"Nothing found in stack: {name}");
            return Results.Json(stack.Versions.Select(v => new StackVersionJson(v.Number, v.At, v.Who, v.Command, v.Definition.Files,
                [.. v.Changes.Where(c => c.Action != "unchanged").Select(c => c.Line)])), DockerJson.Options);
        });

        app.MapPost("/eventswarm/v1/stacks/{name}/rollback", async (string name, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var raw = context.Request.Query["to-version"].ToString();
            int? toVersion = null;
            if (raw.Length > 0)
                toVersion = int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
                    ? version
                    : throw new BadRequestException($"invalid to-version '{raw}': a version number (1 or more) is expected");
            var outcome = await mediator.Send(new RollbackStackCommand(name, toVersion, CallerIdentity.Of(context)), ct);
            return Results.Json(ToWire(outcome), DockerJson.Options);
        });

        app.MapDelete("/eventswarm/v1/stacks/{name}", async (string name, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var outcome = await mediator.Send(new RemoveStackCommand(name, CallerIdentity.Of(context)), ct);
            return Results.Json(ToWire(outcome), DockerJson.Options);
        });
    }

    private static StackDeployResultJson ToWire(StackOutcome outcome) =>
        new(outcome.Version, [.. outcome.Changes.Where(c => c.Kind != "stack").Select(c => new StackObjectChangeJson(c.Kind, c.Name, c.Id, c.Action))]);
}
