using System.CommandLine;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service ps [-q] [--no-trunc] [--format F] [-f key=value] SERVICE [SERVICE...]</c>: docker's filter keys
/// desired-state, id, name, node, sent with the service's own; a slot's history under it as <c> \_ name.1</c>.
/// </summary>
public sealed class ServicePsCommand : Verb
{
    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Flags.String("--format", "Pretty-print tasks using a Go template");
    private readonly Option<bool> _noTrunc = Listing.NoTrunc();
    private readonly Option<bool> _quiet = Listing.Quiet("Only display task IDs");

    public ServicePsCommand() : base("ps", "[OPTIONS] SERVICE [SERVICE...]", "List the tasks of one or more services")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_noTrunc);
        Options.Add(_quiet);
    }

    /// <summary>The task query for one service: the user's filters and the service's ID.</summary>
    public TasksListParameters Request(ParseResult result, string serviceId)
    {
        var filters = Listing.Filters(result, _filter);
        filters["service"] = new Dictionary<string, bool> { [serviceId] = true };
        return new TasksListParameters { Filters = filters };
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var client = context.Client;
        Listing.Filters(result, _filter);  // a malformed filter is a usage error before any request
        var tasks = new List<(TaskResponse, string)>();
        foreach (var name in Args(result))
        {
            var service = await client.Swarm.InspectServiceAsync(name);
            var serviceName = service.Spec?.Name ?? service.ID;
            tasks.AddRange((await client.Tasks.ListAsync(Request(result, service.ID))).Select(t => (t, serviceName)));
        }
        await WriteAsync(context, tasks, result.Has(_noTrunc), noResolve: false, result.Has(_quiet), result.Value(_format));
        return 0;
    }

    /// <summary>
    /// docker's task.Print, which `service ps` and `stack ps` share: each task named service.slot (service.node for a
    /// global service), a slot's earlier tasks under its newest as <c> \_ name</c>; task IDs alone (-q), else the table
    /// or the user's format. The services keep the order given; <paramref name="noResolve"/> leaves nodes as IDs.
    /// </summary>
    public static async Task WriteAsync(CliContext context, IEnumerable<(TaskResponse Task, string Service)> tasks, bool noTrunc, bool noResolve, bool quiet, string? format)
    {
        var nodeNames = new Dictionary<string, string>();
        var rows = new List<JsonObject>();
        var ids = new List<string>();
        foreach (var service in tasks.GroupBy(t => t.Service))
        {
            string Group(TaskResponse t) => t.Slot is > 0 ? $"{service.Key}.{t.Slot}" : $"{service.Key}.{t.NodeID}";
            foreach (var group in service.Select(t => t.Task).GroupBy(Group).OrderBy(g => g.First().Slot ?? 0).ThenBy(g => g.Key))
            {
                var first = true;
                foreach (var task in group.OrderByDescending(t => t.CreatedAt))
                {
                    ids.Add(task.ID);
                    var node = task.NodeID is null ? "" : noResolve ? task.NodeID : nodeNames.TryGetValue(task.NodeID, out var known) ? known
                        : nodeNames[task.NodeID] = await NodeNameAsync(context.Client, task.NodeID);
                    rows.Add(Row(task, first ? group.Key : $" \\_ {group.Key}", node, noTrunc, DateTime.UtcNow));
                    first = false;
                }
            }
        }
        if (quiet)
        {
            ids.ForEach(context.Out.WriteLine);
            return;
        }
        Listing.Write(context.Out, format, rows, () =>
        {
            var table = new Table("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS");
            foreach (var row in rows)
                table.Add([.. new[] { "ID", "Name", "Image", "Node", "DesiredState", "CurrentState", "Error", "Ports" }.Select(f => row[f]!.GetValue<string>())]);
            table.Print(context.Out);
        });
    }

    /// <summary>One task with docker's service ps field names.</summary>
    public static JsonObject Row(TaskResponse task, string name, string node, bool noTrunc, DateTime now)
    {
        var error = task.Status?.Err ?? "";
        if (!noTrunc && error.Length > 30) error = error[..29] + "…";
        return new JsonObject
        {
            ["CurrentState"] = $"{Nodes.NodeText.Capitalize(ServiceFlags.StateName(task.Status?.State))} {Units.HumanDuration(now - (task.Status?.Timestamp ?? now).ToUniversalTime())} ago",
            ["DesiredState"] = Nodes.NodeText.Capitalize(ServiceFlags.StateName(task.DesiredState)),
            ["Error"] = error.Length > 0 ? $"\"{error}\"" : "",
            ["ID"] = Listing.Id(task.ID ?? "", noTrunc),
            ["Image"] = ServiceFlags.ShortImage(task.Spec?.ContainerSpec?.Image ?? ""),
            ["Name"] = name,
            ["Node"] = node,
            ["Ports"] = "",
        };
    }

    private static async Task<string> NodeNameAsync(IDockerClient client, string nodeId) =>
        (await client.Swarm.InspectNodeAsync(nodeId)).Description?.Hostname ?? nodeId;
}
