using EventSwarm.Application.Log;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Api.Engine;

/// <summary>
/// What EventSwarm answers for a route of its own families (/swarm, /nodes, /services, /tasks, /secrets, /configs,
/// /eventswarm…) that it does not map: never the engine's answer, which would describe a swarm the engine is not in.
/// Secrets and configs are swarm resources EventSwarm keeps none of yet; their lists answer as a manager of a swarm
/// without any does (<c>[]</c>), their objects as missing ones. Mapped routes of these families win over this.
/// </summary>
public static class SwarmResources
{
    public static async Task AnswerUnmappedAsync(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        var isGet = HttpMethods.IsGet(context.Request.Method);
        if (context.Connection.LocalIpAddress is null && isGet && segments is ["secrets" or "configs", ..])
        {
            var state = context.RequestServices.GetRequiredService<ClusterProjection>().Current;
            if (state.Swarm is null || context.RequestServices.GetRequiredService<Membership>().IsWorker)
            {
                await ApiErrors.WriteAsync(context, 503, state.Swarm is null
                    ? Domain.Swarm.SwarmDecider.NotInSwarm
                    : RaftLogHost.NotAManager().Message);
                return;
            }
            var kind = segments[0] == "secrets" ? "secret" : "config";
            if (segments.Length == 1)
            {
                await context.Response.WriteAsJsonAsync(Array.Empty<object>());
                return;
            }
            await ApiErrors.WriteAsync(context, 404, $"{kind} {segments[1]} not found");
            return;
        }
        // dockerd's answer for a route it does not have.
        await ApiErrors.WriteAsync(context, 404, "page not found");
    }
}
