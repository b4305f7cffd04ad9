using System.CommandLine;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Secrets;

/// <summary><c>secret ls [-q] [--format F] [-f key=value]</c>: docker's table ID, NAME, DRIVER, CREATED, UPDATED, by name.</summary>
public sealed class SecretLsCommand : Verb
{
    /// <summary>docker's defaultSecretTableFormat.</summary>
    public const string DefaultTable = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}";

    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _quiet = Listing.Quiet();

    public SecretLsCommand() : base("ls", "[OPTIONS]", "List secrets", "list")
    {
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_quiet);
    }

    /// <summary>The GET this line sends: <c>/secrets</c> with docker's <c>filters</c> query, if any.</summary>
    public string Request(ParseResult result) => StoredKind.Secret.ListPath(Listing.Filters(result, _filter));

    public void Write(ParseResult result, TextWriter output, IReadOnlyList<StoredObject> secrets, DateTime now) =>
        StoredObjects.WriteList(output, secrets, result.Value(_format), result.Has(_quiet), DefaultTable, now);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var secrets = await StoredObjects.ListAsync(context, StoredKind.Secret, Listing.Filters(result, _filter));
        Write(result, context.Out, secrets, DateTime.UtcNow);
        return 0;
    }
}
