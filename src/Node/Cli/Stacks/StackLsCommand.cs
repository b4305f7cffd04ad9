using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EventSwarm.Node.Api.Stacks;
using EventSwarm.Node.Cli.Output;
using EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack ls [--format F]</c>: docker's table (NAME, SERVICES), stacks in natural order. The manager counts each
/// stack's services by the namespace label, as docker's getStacks does, so a stack the stock CLI deployed is listed too.
/// </summary>
public sealed class StackLsCommand : Verb
{
    private readonly Option<string> _format = Listing.Format();

    public StackLsCommand() : base("ls", "[OPTIONS]", "List stacks", "list") => Options.Add(_format);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var format = result.Value(_format);
        if (format is { Length: > 0 } and not "table") Listing.Template(format);  // a template that does not parse is refused before any request
        var stacks = StackVerbs.Read<List<StackSummaryJson>>(await context.SendAsync(HttpMethod.Get, "/eventswarm/v1/stacks"));
        Write(stacks, format, context.Out);
        return 0;
    }

    /// <summary>docker's stackTableFormat, "table {{.Name}}\t{{.Services}}": the fields Name and Services (a string, as docker's).</summary>
    public static void Write(IEnumerable<StackSummaryJson> stacks, string? format, TextWriter output)
    {
        var rows = stacks.OrderBy(s => s.Name, NaturalOrder.Instance)
            .Select(s => new JsonObject { ["Name"] = s.Name, ["Services"] = s.Services.ToString(CultureInfo.InvariantCulture) })
            .ToList();
        Listing.Write(output, format, rows, () =>
        {
            var table = new Table("NAME", "SERVICES");
            foreach (var row in rows) table.Add(row["Name"]!.GetValue<string>(), row["Services"]!.GetValue<string>());
            table.Print(output);
        });
    }
}
