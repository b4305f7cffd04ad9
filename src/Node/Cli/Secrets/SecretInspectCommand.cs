using System.CommandLine;
using System.Text;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Secrets;

/// <summary>
/// <c>secret inspect [--pretty] [-f FORMAT] SECRET [SECRET...]</c>: the manager's JSON (never the data), EventSwarm's
/// DataVersion and Tasks included; <c>--pretty</c> is docker's layout plus the version and the tasks still behind it.
/// </summary>
public sealed class SecretInspectCommand : Verb
{
    private readonly Option<string> _format = Listing.InspectFormat();
    private readonly Option<bool> _pretty = Flags.Bool("--pretty", "Print the information in a human friendly format");

    public SecretInspectCommand() : base("inspect", "[OPTIONS] SECRET [SECRET...]", "Display detailed information on one or more secrets")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_format);
        Options.Add(_pretty);
    }

    public bool IsPretty(ParseResult result) => StoredObjects.IsPretty(result.Has(_pretty), result.Value(_format));

    /// <summary>docker's secretInspectPrettyTemplate (its uneven alignment included), then our version lines.</summary>
    public static string Pretty(StoredObject secret)
    {
        var text = new StringBuilder();
        text.Append($"ID:              {secret.ID}\n");
        text.Append($"Name:              {secret.Spec.Name}\n");
        text.Append(StoredObjects.LabelLines(secret.Spec));
        text.Append($"Driver:            {secret.Spec.Driver?.Name}\n");
        text.Append($"Created at:        {StoredObjects.PrettyTime(secret.CreatedAt)}\n");
        text.Append($"Updated at:        {StoredObjects.PrettyTime(secret.UpdatedAt)}");
        if (StoredObjects.VersionLines(secret) is var (version, behind))
            text.Append($"\nVersion:           {version}\nTasks on older versions: {behind}");
        return text.ToString();
    }

    public override Task<int> RunAsync(ParseResult result, CliContext context) =>
        StoredObjects.InspectAsync(context, StoredKind.Secret, Args(result), result.Has(_pretty), result.Value(_format), Pretty);
}
