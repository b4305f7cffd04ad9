using System.CommandLine;
using System.Text;
using EventSwarm.Node.Cli.Output;
using EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.Node.Cli.Configs;

/// <summary>
/// <c>config inspect [--pretty] [-f FORMAT] CONFIG [CONFIG...]</c>: the manager's JSON, data included (as docker's);
/// <c>--pretty</c> is docker's layout ending with the data, plus EventSwarm's version lines before it.
/// </summary>
public sealed class ConfigInspectCommand : Verb
{
    private readonly Option<string> _format = Listing.InspectFormat();
    private readonly Option<bool> _pretty = Flags.Bool("--pretty", "Print the information in a human friendly format");

    public ConfigInspectCommand() : base("inspect", "[OPTIONS] CONFIG [CONFIG...]", "Display detailed information on one or more configs")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_format);
        Options.Add(_pretty);
    }

    public bool IsPretty(ParseResult result) => StoredObjects.IsPretty(result.Has(_pretty), result.Value(_format));

    /// <summary>docker's configInspectPrettyTemplate (tabs and all), our version lines before "Data:".</summary>
    public static string Pretty(StoredObject config)
    {
        var text = new StringBuilder();
        text.Append($"ID:\t\t\t{config.ID}\n");
        text.Append($"Name:\t\t\t{config.Spec.Name}\n");
        text.Append(StoredObjects.LabelLines(config.Spec));
        text.Append($"Created at:            \t{StoredObjects.PrettyTime(config.CreatedAt)}\n");
        text.Append($"Updated at:            \t{StoredObjects.PrettyTime(config.UpdatedAt)}\n");
        if (StoredObjects.VersionLines(config) is var (version, behind))
            text.Append($"Version:               \t{version}\nTasks on older versions:\t{behind}\n");
        text.Append("Data:\n");
        text.Append(Encoding.UTF8.GetString(config.Spec.Data ?? []));
        return text.ToString();
    }

    public override Task<int> RunAsync(ParseResult result, CliContext context) =>
        StoredObjects.InspectAsync(context, StoredKind.Config, Args(result), result.Has(_pretty), result.Value(_format), Pretty);
}
