using System.CommandLine;
using EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.Node.Cli.Configs;

/// <summary><c>config create [-l k=v] [--template-driver D] CONFIG file|-</c>: the data sent base64 in <c>POST /configs/create</c>.</summary>
public sealed class ConfigCreateCommand : Verb
{
    private readonly Option<string[]> _label = Flags.List("--label", "Config labels", shorthand: "-l");
    private readonly Option<string> _templateDriver = Flags.String("--template-driver", "Template driver");

    public ConfigCreateCommand() : base("create", "[OPTIONS] CONFIG file|-", "Create a config from a file or STDIN")
    {
        MinArgs = 2;
        MaxArgs = 2;
        Options.Add(_label);
        Options.Add(_templateDriver);
    }

    /// <summary>The spec this line asks for, exactly as sent to <c>POST /configs/create</c>.</summary>
    public StoredSpec Spec(ParseResult result, Func<Stream> stdin)
    {
        var args = Args(result);
        return new StoredSpec
        {
            Name = args[0],
            Labels = result.KeyValues(_label) ?? [],
            Data = ReadData(args[1], stdin),
            Templating = result.Value(_templateDriver) is { Length: > 0 } template ? new StoredDriver(template) : null,
        };
    }

    /// <summary>docker's config create words its read errors once more: <c>error reading content from "FILE": …</c>.</summary>
    internal static byte[] ReadData(string file, Func<Stream> stdin)
    {
        try
        {
            return StoredObjects.ReadData(file, stdin, StoredKind.Config.MaxBytes);
        }
        catch (UsageException e)
        {
            throw new UsageException($"error reading content from \"{file}\": {e.Message}");
        }
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        context.Out.WriteLine(await StoredObjects.CreateAsync(context, StoredKind.Config, Spec(result, context.OpenInput)));
        return 0;
    }
}
