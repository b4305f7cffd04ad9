using System.CommandLine;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Services;

/// <summary><c>service ls [-q] [--format F] [-f key=value]</c>; docker's filter keys: id, label, mode, name.</summary>
public sealed class ServiceLsCommand : Verb
{
    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _quiet = Listing.Quiet();

    public ServiceLsCommand() : base("ls", "[OPTIONS]", "List services", "list")
    {
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_quiet);
    }

    public ServiceListParameters Request(ParseResult result) => new() { Filters = Listing.Filters(result, _filter) };

    /// <summary>One row with docker's service ls field names; REPLICAS counts running tasks that are meant to run.</summary>
    public static JsonObject Row(SwarmService service, IEnumerable<TaskResponse> tasks)
    {
        var mine = tasks.Where(t => t.ServiceID == service.ID).ToList();
        var running = mine.Count(t => t.Status?.State == TaskState.Running && t.DesiredState == TaskState.Running);
        var global = service.Spec?.Mode?.Global is not null;
        var desired = global ? mine.Count(t => t.DesiredState is TaskState.Running or TaskState.Ready) : (long)(service.Spec?.Mode?.Replicated?.Replicas ?? 0);
        return new JsonObject
        {
            ["ID"] = Listing.Id(service.ID ?? "", noTrunc: false),
            ["Image"] = ServiceFlags.ShortImage(service.Spec?.TaskTemplate?.ContainerSpec?.Image ?? ""),
            ["Mode"] = global ? "global" : "replicated",
            ["Name"] = service.Spec?.Name ?? "",
            ["Ports"] = PublishedPorts.Column(service.Endpoint?.Ports),
            ["Replicas"] = $"{running}/{desired}",
        };
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var services = (await context.Client.Swarm.ListServicesAsync(Request(result))).OrderBy(s => s.Spec?.Name, StringComparer.Ordinal).ToList();
        await WriteAsync(context, services, result.Has(_quiet), result.Value(_format));
        return 0;
    }

    /// <summary>The services listed: their IDs alone (-q), else docker's table or the user's format; `stack services` prints the same way.</summary>
    public static async Task WriteAsync(CliContext context, IReadOnlyList<SwarmService> services, bool quiet, string? format)
    {
        if (quiet)
        {
            foreach (var service in services) context.Out.WriteLine(service.ID);
            return;
        }
        var tasks = await context.Client.Tasks.ListAsync(new TasksListParameters());
        var rows = services.Select(s => Row(s, tasks)).ToList();
        Listing.Write(context.Out, format, rows, () =>
        {
            var table = new Table("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS");
            foreach (var row in rows)
                table.Add([.. new[] { "ID", "Name", "Mode", "Replicas", "Image", "Ports" }.Select(f => row[f]!.GetValue<string>())]);
            table.Print(context.Out);
        });
    }
}
