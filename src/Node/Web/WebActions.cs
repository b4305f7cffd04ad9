using System.Globalization;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Services;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Node.Api;
using Mediator;

namespace EventSwarm.Node.Web;

/// <summary>
/// What an operator token may do from the web view: scale a service, change its image, roll it back, set a node's
/// availability. Each is a form POST (checked for its anti-forgery token before it gets here) that sends the very
/// command the Engine API sends for `docker service scale`, `service update --image`, `service rollback` and
/// `node update --availability`, so the rules, the refusals and the log are the same; the caller is
/// <c>web:&lt;token name&gt;</c>, which the audit trail records. A read-only token is refused before anything is sent.
/// </summary>
public static class WebActions
{
    public static void Map(RouteGroupBuilder signedIn)
    {
        var actions = signedIn.MapGroup("/actions");

        actions.MapPost("/services/{id}/scale", (string id, HttpContext context) => RunAsync(context, $"/services/{id}", async (form, caller, mediator, _, ct) =>
        {
            var raw = form["replicas"].ToString();
            if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var replicas))
                throw new BadRequestException($"invalid replicas value {raw}: a whole number is needed");
            await mediator.Send(new ScaleServiceCommand(id, replicas, caller), ct);
        }));

        actions.MapPost("/services/{id}/image", (string id, HttpContext context) => RunAsync(context, $"/services/{id}", async (form, caller, mediator, state, ct) =>
        {
            var image = form["image"].ToString().Trim();
            if (image.Length == 0) throw new BadRequestException("an image is needed");
            await mediator.Send(new UpdateServiceImageCommand(id, state.LookupService(id).Match?.Version ?? 0, image, caller), ct);
        }));

        actions.MapPost("/services/{id}/rollback", (string id, HttpContext context) => RunAsync(context, $"/services/{id}", async (_, caller, mediator, state, ct) =>
            await mediator.Send(new RollbackServiceCommand(id, state.LookupService(id).Match?.Version ?? 0, caller), ct)));

        actions.MapPost("/nodes/{id}/availability", (string id, HttpContext context) => RunAsync(context, "/", async (form, caller, mediator, state, ct) =>
        {
            var raw = form["availability"].ToString();
            var availability = raw.ToLowerInvariant() switch
            {
                "active" => NodeAvailability.Active,
                "pause" => NodeAvailability.Pause,
                "drain" => NodeAvailability.Drain,
                _ => throw new BadRequestException($"invalid availability \"{raw}\": active, pause or drain"),
            };
            // `node update --availability` sends the node's spec with only the availability changed.
            var node = state.LookupNode(id).Match;
            await mediator.Send(new UpdateNodeCommand(id, node?.Version ?? 0, node?.Role ?? NodeRole.Worker, availability,
                node?.Labels ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, caller), ct);
        }));
    }

    private delegate Task Action(IFormCollection form, Caller caller, IMediator mediator, ClusterState state, CancellationToken ct);

    private static async Task<IResult> RunAsync(HttpContext context, string fallback, Action action)
    {
        var user = WebAccess.UserOf(context) ?? throw new InvalidOperationException("the web view's actions run only after sign-in");
        if (!user.IsOperator)
            return Refusal(StatusCodes.Status403Forbidden, "Not allowed",
                $"Web token {user.TokenName} is read-only: changes need a token issued with eventswarm web token --operator.");
        if (!context.Request.HasFormContentType)
            return Refusal(StatusCodes.Status400BadRequest, "Refused", "an action is a form POST (application/x-www-form-urlencoded)");
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var caller = new Caller($"web:{user.TokenName}", CallerIdentity.Of(context).CorrelationId);
        var services = context.RequestServices;
        try
        {
            await action(form, caller, services.GetRequiredService<IMediator>(), services.GetRequiredService<ClusterProjection>().Current, context.RequestAborted);
        }
        catch (Exception e) when (ApiErrors.Describe(e) is ({ } status and > 0, var message))
        {
            // The Engine API's statuses and the command's own message (ApiErrors), on a page.
            return Refusal(status, "Refused", message);
        }
        var back = form["return"].ToString();
        return WebView.SeeOther(WebAccess.IsLocalPath(back) ? back : fallback);
    }

    private static IResult Refusal(int status, string title, string message) => new Answer(status, title, message);

    private sealed class Answer(int status, string title, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext context) => WebAnswers.WriteAsync(context, status, title, message);
    }
}
