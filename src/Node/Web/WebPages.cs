using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Node.Api.History;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Web.Live;
using EventSwarm.Node.Web.Pages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventSwarm.Node.Web;

/// <summary>
/// The web view's pages (GET only), mapped by <see cref="WebView"/> inside its signed-in route group: Razor components
/// rendered on the server (static SSR, no circuit), each at the instant <c>?at=</c> names as every API read takes it
/// (<see cref="ClusterView"/>), and <see cref="LiveFeed"/> telling an open page of now when the log moved.
/// </summary>
public static class WebPages
{
    /// <summary>How many events each side of the instant shown the pages list.</summary>
    public const int EventsAround = 10;

    /// <summary>How many lines of a service's logs its page shows (each task's last ones, merged in time order).</summary>
    public const int LogsTailLines = 50;

    /// <summary>A node that is slow to answer must not hold the page's logs section (the gatherer reports it instead).</summary>
    private static readonly TimeSpan LogsTailBound = TimeSpan.FromSeconds(8);

    public static void AddServices(IServiceCollection services) => services.AddRazorComponents();

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/", (HttpContext context) => Render(context, "Cluster", (frame, state) =>
            new RazorComponentResult<ClusterPage>(new { Page = frame, Nodes = PageModels.Nodes(state, ManagerStatus(context, frame)), Services = PageModels.Services(state) })));

        pages.MapGet("/services", (HttpContext context) => Render(context, "Services", (frame, state) =>
            new RazorComponentResult<ServicesPage>(new { Page = frame, Services = PageModels.Services(state) })));

        pages.MapGet("/services/{id}", (string id, HttpContext context) => Render(context, $"Service {id}", (frame, state) =>
            state.LookupService(id) is { Match: { } service }
                ? new RazorComponentResult<ServicePage>(new { Page = frame with { Title = $"Service {service.Spec.Name}" }, Detail = PageModels.Service(service, state, frame.ShownTime) })
                : Problem(frame, StatusCodes.Status404NotFound, state.LookupService(id).Refusal("service", id)?.Message ?? $"service {id} not found")));

        pages.MapGet("/networks", (HttpContext context) => Render(context, "Networks", (frame, state) =>
            new RazorComponentResult<NetworksPage>(new { Page = frame, Networks = PageModels.Networks(state) })));

        pages.MapGet("/secrets", (HttpContext context) => Render(context, "Secrets and configs", (frame, state) =>
            new RazorComponentResult<SecretsPage>(new { Page = frame, Files = PageModels.SecretsAndConfigs(state) })));

        pages.MapGet("/services/{id}/logs-tail", async (string id, ClusterProjection projection, Logs.ServiceLogs logs, CancellationToken ct) =>
        {
            if (projection.Current.LookupService(id).Match is not { } service) return Results.Text($"service {id} not found", statusCode: StatusCodes.Status404NotFound);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(LogsTailBound);
            var lines = new List<string>();
            try
            {
                // The lines as `docker service logs --tail N` prints them; a node that is down ends the read with
                // the gatherer's "incomplete log stream" words, shown as the last line.
                await foreach (var line in logs.ReadFormattedAsync(service.Id, new Logs.ServiceLogOptions(Tail: LogsTailLines), bounded.Token))
                    lines.Add(line);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                lines.Add($"(stopped after {LogsTailBound.TotalSeconds:0} s: a node did not finish answering)");
            }
            catch (CommandRejectedException e)
            {
                lines.Add(e.Message);
            }
            return Results.Text(lines.Count == 0 ? "(no log lines yet)" : string.Join('\n', lines));
        });

        LiveFeed.Map(pages);
        WebAssets.Map(pages);
    }

    /// <summary>
    /// The frame of the instant asked for and the page made from the state then. A bad instant, or a manager outside a
    /// swarm, is shown as a page that says why (the frame at now), with the API's words and status.
    /// </summary>
    private static IResult Render(HttpContext context, string title, Func<PageFrame, ClusterState, IResult> page)
    {
        var services = context.RequestServices;
        var now = services.GetRequiredService<IClock>().Now;
        var current = services.GetRequiredService<ClusterProjection>().Current;
        var at = context.Request.Query[ClusterView.Parameter].ToString();
        IEventHistory history;
        try
        {
            history = ClusterView.HistoryOf(services);
        }
        catch (CommandRejectedException e)
        {
            return Problem(Frame(context, title, null, current.LastSequence, now, null), StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        ClusterView view;
        try
        {
            view = ClusterView.Of(at, () => history, current, now);
        }
        catch (BadRequestException e)
        {
            return Problem(Frame(context, title, null, current.LastSequence, now, history), StatusCodes.Status400BadRequest, e.Message);
        }
        var shown = view.Index ?? current.LastSequence;
        var time = view.IsPast ? TimeOf(history, shown) ?? now : now;
        var frame = Frame(context, title, view.Index, shown, time, history);
        if (view.State.Swarm is null)
            return Problem(frame, StatusCodes.Status503ServiceUnavailable, view.IsPast ? "the swarm was not made yet at this instant" : SwarmNotReady);
        return page(frame, view.State);
    }

    private const string SwarmNotReady = "this node is not a manager of a swarm (yet)";

    private static PageFrame Frame(HttpContext context, string title, long? at, long shown, DateTimeOffset time, IEventHistory? history) =>
        new(title, context.Request.Path.Value is { Length: > 0 } path ? path : "/", at, shown, time,
            history is null ? shown : Math.Max(1, history.FirstSequence), history?.LastSequence ?? shown,
            history is null ? [] : PageModels.EventsAround(history, shown, EventsAround),
            WebAccess.UserOf(context), WebAccess.FormField, WebAccess.FormToken(context));

    private static DateTimeOffset? TimeOf(IEventHistory history, long index) =>
        index < 1 ? null : history.Read(new EventSelection(index, index)).Select(e => (DateTimeOffset?)e.Recorded.Metadata.At).FirstOrDefault();

    private static RazorComponentResult<ProblemPage> Problem(PageFrame frame, int status, string message) =>
        new(new { Page = frame, Message = message }) { StatusCode = status };

    /// <summary>
    /// MANAGER STATUS as `node ls` shows it (Leader, Reachable, Unreachable), from Raft as this manager sees it now;
    /// in the past Raft's view of then is not recorded, so a manager is only said to be one.
    /// </summary>
    private static Func<Domain.Nodes.Node, string> ManagerStatus(HttpContext context, PageFrame frame)
    {
        var raft = context.RequestServices.GetService<RaftLogHost>();
        if (frame.IsPast || raft is not { IsOpen: true }) return _ => "Manager";
        var local = context.RequestServices.GetService<Application.Nodes.LocalNode>()?.NodeId;
        var leader = raft.Log.LeaderEndpoint?.ToString();
        var members = raft.Log.Members;
        return node =>
            node.Manager is { } m && m.Raft == leader || node.Manager is null && node.Id == local && raft.IsLeader ? "Leader"
            : node.Id == local || members.Any(r => r.Endpoint.ToString() == node.Manager?.Raft && r.IsReachable) ? "Reachable"
            : "Unreachable";
    }
}
