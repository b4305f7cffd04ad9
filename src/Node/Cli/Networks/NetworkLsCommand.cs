using System.CommandLine;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Networks;

/// <summary><c>network ls [-q] [--no-trunc] [--format F] [-f key=value]</c>; docker's filter keys: driver, id, label, name, scope, type.</summary>
public sealed class NetworkLsCommand : Verb
{
    /// <summary>docker's network formatter heads the ID column "NETWORK ID" in `table` templates too.</summary>
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string> { ["ID"] = "NETWORK ID" };

    private readonly Option<string[]> _filter = Listing.Filter("Provide filter values (e.g. \"driver=overlay\")");
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _noTrunc = Listing.NoTrunc("Do not truncate the output");
    private readonly Option<bool> _quiet = Listing.Quiet("Only display network IDs");

    public NetworkLsCommand() : base("ls", "[OPTIONS]", "List networks", "list")
    {
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_noTrunc);
        Options.Add(_quiet);
    }

    public NetworksListParameters Request(ParseResult result) => new() { Filters = Listing.Filters(result, _filter) };

    /// <summary>One row with docker's network ls field names.</summary>
    public static JsonObject Row(NetworkResponse network, bool noTrunc) => new()
    {
        ["CreatedAt"] = network.Created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fffffff +0000 'UTC'"),
        ["Driver"] = network.Driver ?? "",
        ["ID"] = Listing.Id(network.ID ?? "", noTrunc),
        ["IPv6"] = network.EnableIPv6.ToString().ToLowerInvariant(),
        ["Internal"] = network.Internal.ToString().ToLowerInvariant(),
        ["Labels"] = string.Join(",", (network.Labels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}")),
        ["Name"] = network.Name ?? "",
        ["Scope"] = network.Scope ?? "",
    };

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var noTrunc = result.Has(_noTrunc);
        var networks = (await context.Client.Networks.ListNetworksAsync(Request(result))).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        if (result.Has(_quiet))
        {
            networks.ForEach(n => context.Out.WriteLine(Listing.Id(n.ID, noTrunc)));
            return 0;
        }
        var rows = networks.Select(n => Row(n, noTrunc)).ToList();
        Listing.Write(context.Out, result.Value(_format), rows, () =>
        {
            var table = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
            foreach (var row in rows) table.Add(row["ID"]!.GetValue<string>(), row["Name"]!.GetValue<string>(), row["Driver"]!.GetValue<string>(), row["Scope"]!.GetValue<string>());
            table.Print(context.Out);
        }, Headers);
        return 0;
    }
}
