using System.CommandLine;
using EventSwarm.Node.Cli.Output;
using EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.Node.Cli.Configs;

/// <summary><c>config ls [-q] [--format F] [-f key=value]</c>: docker's table ID, NAME, CREATED, UPDATED, by name.</summary>
public sealed class ConfigLsCommand : Verb
{
    /// <summary>docker's defaultConfigTableFormat.</summary>
    public const string DefaultTable = "table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}\t{{.UpdatedAt}}";

    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _quiet = Listing.Quiet();

    public ConfigLsCommand() : base("ls", "[OPTIONS]", "List configs", "list")
    {
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_quiet);
    }

    /// <summary>The GET this line sends: <c>/configs</c> with docker's <c>filters</c> query, if any.</summary>
    public string Request(ParseResult result) => StoredKind.Config.ListPath(Listing.Filters(result, _filter));

    public void Write(ParseResult result, TextWriter output, IReadOnlyList<StoredObject> configs, DateTime now) =>
        StoredObjects.WriteList(output, configs, result.Value(_format), result.Has(_quiet), DefaultTable, now);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var configs = await StoredObjects.ListAsync(context, StoredKind.Config, Listing.Filters(result, _filter));
        Write(result, context.Out, configs, DateTime.UtcNow);
        return 0;
    }
}
