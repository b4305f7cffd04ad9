using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// docker's convergence display for `service create` and `service scale`: one bar per slot, the overall count,
/// then a short stability check before "converged".
/// </summary>
public static class Progress
{
    private const int BarWidth = 50;
    private static readonly TimeSpan Stability = TimeSpan.FromSeconds(2);
    private static readonly TaskState[] Steps =
        [TaskState.New, TaskState.Allocated, TaskState.Pending, TaskState.Assigned, TaskState.Accepted, TaskState.Preparing, TaskState.Ready, TaskState.Starting, TaskState.Running];

    public static async Task<int> WaitForConvergenceAsync(IDockerClient client, string serviceId, TimeSpan timeout, bool quiet, TextWriter output, TextWriter error)
    {
        var tty = output == Console.Out && !Console.IsOutputRedirected;
        var deadline = DateTime.UtcNow + timeout;
        var printed = 0;
        var last = "";
        DateTime? convergedSince = null;
        while (DateTime.UtcNow < deadline)
        {
            var service = await client.Swarm.InspectServiceAsync(serviceId);
            var tasks = await client.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["service"] = new Dictionary<string, bool> { [serviceId] = true },
                    ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
                },
            });
            var (lines, running, desired) = await Render(client, service, tasks);
            var converged = running == desired && tasks.Count(t => t.DesiredState == TaskState.Running) == desired;
            convergedSince = converged ? convergedSince ?? DateTime.UtcNow : null;
            var verify = convergedSince is { } since
                ? DateTime.UtcNow - since >= Stability
                    ? $"verify: Service {service.Spec?.Name} converged"
                    : $"verify: Waiting {Math.Ceiling((Stability - (DateTime.UtcNow - since)).TotalSeconds)} seconds to verify that tasks are stable..."
                : "";
            var block = string.Join('\n', lines.Prepend($"overall progress: {running} out of {desired} tasks").Append(verify).Where(l => l.Length > 0));
            if (!quiet && block != last)
            {
                if (tty && printed > 0) output.Write($"\x1b[{printed}A\x1b[J");
                output.WriteLine(block);
                printed = block.Split('\n').Length;
                last = block;
            }
            if (convergedSince is { } done && DateTime.UtcNow - done >= Stability) return 0;
            await Task.Delay(200);
        }
        await error.WriteLineAsync($"timed out after {timeout.TotalSeconds:0} s waiting for service {serviceId} to converge");
        return 1;
    }

    private static async Task<(List<string> Lines, int Running, int Desired)> Render(IDockerClient client, SwarmService service, IList<TaskResponse> tasks)
    {
        var lines = new List<string>();
        if (service.Spec?.Mode?.Global is not null)
        {
            var nodes = (await client.Swarm.ListNodesAsync()).Where(n => n.Status?.State == "ready" && n.Spec?.Availability == "active").ToList();
            foreach (var node in nodes)
                lines.Add($"{node.ID[..Math.Min(12, node.ID.Length)]}: {Line(tasks.Where(t => t.NodeID == node.ID).MaxBy(t => t.CreatedAt))}");
            return (lines, tasks.Count(t => t.Status?.State == TaskState.Running && nodes.Any(n => n.ID == t.NodeID)), nodes.Count);
        }
        var replicas = (int)(service.Spec?.Mode?.Replicated?.Replicas ?? 0);
        var bySlot = tasks.Where(t => t.Slot is > 0).GroupBy(t => t.Slot!.Value).ToDictionary(g => g.Key, g => g.MaxBy(t => t.CreatedAt));
        // Slots past the replica count are being removed; like docker, show only the wanted ones.
        for (var slot = 1; slot <= replicas && replicas <= 100; slot++)
            lines.Add($"{slot}/{replicas}: {Line(bySlot.GetValueOrDefault(slot))}");
        var running = bySlot.Values.Count(t => t?.Status?.State == TaskState.Running);
        return (lines, Math.Min(running, replicas), replicas);
    }

    private static string Line(TaskResponse? task)
    {
        if (task is null) return "";
        if (!string.IsNullOrEmpty(task.Status?.Err)) return task.Status.Err;
        var state = task.Status?.State ?? TaskState.New;
        var step = Array.IndexOf(Steps, state) + 1;
        var filled = step * BarWidth / Steps.Length;
        var bar = filled >= BarWidth ? new string('=', BarWidth - 1) + ">" : new string('=', Math.Max(0, filled - 1)) + ">" + new string(' ', BarWidth - filled);
        return $"{ServiceFlags.StateName(state),-9} [{bar}]";
    }
}
