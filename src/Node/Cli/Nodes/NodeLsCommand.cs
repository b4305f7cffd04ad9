using System.CommandLine;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Nodes;

/// <summary><c>node ls [-q] [--format F] [-f key=value]</c>; the filter keys are docker's: id, label, membership, name, node.label, role.</summary>
public sealed class NodeLsCommand : Verb
{
    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _quiet = Listing.Quiet();

    public NodeLsCommand() : base("ls", "[OPTIONS]", "List nodes in the swarm", "list")
    {
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_quiet);
    }

    /// <summary>The API's <c>filters</c> query as docker sends it: <c>{"role":{"manager":true}}</c>.</summary>
    public Dictionary<string, IDictionary<string, bool>> Filters(ParseResult result) => Listing.Filters(result, _filter);

    /// <summary>One row as docker's node ls formatter names its fields (<c>{{.Hostname}}</c>, <c>{{json .}}</c>).</summary>
    public static JsonObject Row(NodeListResponse node, string? self) => new()
    {
        ["Availability"] = NodeText.Capitalize(node.Spec?.Availability),
        ["EngineVersion"] = node.Description?.Engine?.EngineVersion ?? "",
        ["Hostname"] = node.Description?.Hostname ?? "",
        ["ID"] = node.ID,
        ["ManagerStatus"] = NodeText.ManagerStatus(node),
        ["Self"] = node.ID == self,
        ["Status"] = NodeText.Status(node),
        ["TLSStatus"] = "Ready",
    };

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var filters = Filters(result);
        var client = context.Client;
        // The SDK's node list takes no filters: with some, the same GET with docker's query.
        var listed = filters.Count == 0 ? await client.Swarm.ListNodesAsync()
            : System.Text.Json.JsonSerializer.Deserialize<List<NodeListResponse>>(
                await context.GetAsync($"/nodes?filters={Uri.EscapeDataString(System.Text.Json.JsonSerializer.Serialize(filters))}"), Api.DockerJson.Options) ?? [];
        var nodes = listed.OrderBy(n => n.Description?.Hostname).ToList();
        if (result.Has(_quiet))
        {
            nodes.ForEach(n => context.Out.WriteLine(n.ID));
            return 0;
        }
        var self = (await client.System.GetSystemInfoAsync()).Swarm?.NodeID;
        var rows = nodes.Select(n => Row(n, self)).ToList();
        Listing.Write(context.Out, result.Value(_format), rows, () =>
        {
            var table = new Table("ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION");
            foreach (var row in rows)
                table.Add(row["ID"]!.GetValue<string>() + (row["Self"]!.GetValue<bool>() ? " *" : ""), row["Hostname"]!.GetValue<string>(), row["Status"]!.GetValue<string>(),
                    row["Availability"]!.GetValue<string>(), row["ManagerStatus"]!.GetValue<string>(), row["EngineVersion"]!.GetValue<string>());
            table.Print(context.Out);
        });
        return 0;
    }
}
