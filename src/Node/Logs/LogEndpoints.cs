using System.Text;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Node.Api;

namespace EventSwarm.Node.Logs;

/// <summary>
/// <c>GET /services/{id}/logs</c> and <c>GET /tasks/{id}/logs</c> as dockerd serves them in swarm mode (moby
/// daemon/server/router/swarm helpers.go swarmLogs and httputils WriteLogStream), on every manager; and the
/// node-to-node route a manager reads one task's container log through, on every node.
/// </summary>
public static class LogEndpoints
{
    public const string NodeRoute = "/eventswarm/v1/node/tasks/{taskId}/logs";

    public static void Map(WebApplication app)
    {
        app.MapGet("/services/{id}/logs", (string id, HttpContext context, ClusterProjection projection, ServiceLogs logs) =>
        {
            var state = InSwarm(projection);
            var found = state.LookupService(id);
            if (found.Match is not { } service) return ApiErrors.Of(found.Refusal("service", id)!).ExecuteAsync(context);
            return WriteAsync(context, logs, LogSelector.Service(service.Id), service.Spec.TaskTemplate.Container.Tty);
        });

        app.MapGet("/tasks/{id}/logs", (string id, HttpContext context, ClusterProjection projection, ServiceLogs logs) =>
        {
            var state = InSwarm(projection);
            var found = state.LookupTask(id);
            if (found.Match is not { } task) return ApiErrors.Of(found.Refusal("task", id)!).ExecuteAsync(context);
            return WriteAsync(context, logs, LogSelector.Task(task.Id), task.Spec.Container.Tty);
        });

        // Only a manager's certificate opens it (WorkerEndpoints.UseNodeAuthentication): a node's logs go to managers,
        // as swarmkit's agents publish logs only to the manager that subscribed.
        app.MapGet(NodeRoute, async (string taskId, HttpContext context, NodeTaskLogs logs, CancellationToken ct) =>
        {
            // The engine's query is made again from the parsed options: nothing of the caller's reaches the engine as is.
            var options = ServiceLogOptions.FromQuery(k => context.Request.Query[k].FirstOrDefault());
            using var response = await logs.OpenAsync(taskId, options.EngineQuery(options.Follow), ct);
            if (response is null)
            {
                await ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, $"no container of task {taskId} on this node");
                return;
            }
            context.Response.ContentType = "application/vnd.docker.raw-stream";
            await context.Response.StartAsync(ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            try
            {
                await body.CopyToAsync(context.Response.Body, 16 * 1024, ct);
            }
            catch (OperationCanceledException)
            {
            }
        }).WithMetadata(NodeToNodeRoute.Instance);
    }

    private static ClusterState InSwarm(ClusterProjection projection) => projection.Current.Swarm is null
        ? throw new CommandRejectedException(new DomainError(ErrorKind.Unavailable, Domain.Swarm.SwarmDecider.NotInSwarm))
        : projection.Current;

    private static async Task WriteAsync(HttpContext context, ServiceLogs logs, LogSelector selector, bool tty)
    {
        var options = ServiceLogOptions.FromQuery(k => context.Request.Query[k].FirstOrDefault());
        var ct = context.RequestAborted;
        // moby: raw-stream for a TTY, and for every answer to a client older than API 1.42; multiplexed otherwise.
        var mux = !tty;
        context.Response.ContentType = mux && ApiVersionAtLeast(context, 1, 42) ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream";
        await context.Response.StartAsync(ct);
        var body = context.Response.Body;
        try
        {
            await foreach (var entry in logs.ReadAsync(selector, options, ct))
            {
                if (entry.Source == LogSource.System && !options.Follow)
                {
                    // dockerd's words for an error of the log broker's stream (a gRPC error there, code Unknown).
                    var message = Encoding.UTF8.GetBytes($"Error grabbing logs: rpc error: code = Unknown desc = {entry.Text}");
                    await body.WriteAsync(mux ? LogWire.Frame(LogSource.System, message) : message, ct);
                    continue;
                }
                // While following, a node not read is told as a line of the task on stderr, so that the stream goes on.
                var source = entry.Source == LogSource.System ? LogSource.Stderr : entry.Source;
                if (source == LogSource.Stdout && !options.Stdout || source == LogSource.Stderr && !options.Stderr) continue;
                var payload = entry.ApiPayload(options.Timestamps, options.Details);
                await body.WriteAsync(mux ? LogWire.Frame(source, payload) : payload, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var message = Encoding.UTF8.GetBytes($"Error grabbing logs: {e.Message}\n");
            await body.WriteAsync(mux ? LogWire.Frame(LogSource.System, message) : message, ct);
        }
    }

    private static bool ApiVersionAtLeast(HttpContext context, int major, int minor) =>
        context.Request.PathBase.Value is { Length: > 2 } prefix && System.Version.TryParse(prefix[2..], out var version)
            ? version >= new System.Version(major, minor)
            : true;
}
