using System.CommandLine;

namespace EventSwarm.Node.Cli.Secrets;

/// <summary>
/// <c>secret create [-l k=v] [-d DRIVER] [--template-driver D] SECRET [file|-]</c>: the file's bytes (standard input's
/// for "-") sent base64 in <c>POST /secrets/create</c>; the new ID printed. As docker: a driver takes no data, no driver
/// needs a file.
/// </summary>
public sealed class SecretCreateCommand : Verb
{
    private readonly Option<string> _driver = Flags.String("--driver", "Secret driver", shorthand: "-d");
    private readonly Option<string[]> _label = Flags.List("--label", "Secret labels", shorthand: "-l");
    private readonly Option<string> _templateDriver = Flags.String("--template-driver", "Template driver");

    public SecretCreateCommand() : base("create", "[OPTIONS] SECRET [file|-]", "Create a secret from a file or STDIN as content")
    {
        MinArgs = 1;
        MaxArgs = 2;
        Options.Add(_driver);
        Options.Add(_label);
        Options.Add(_templateDriver);
    }

    /// <summary>The spec this line asks for, exactly as sent to <c>POST /secrets/create</c>.</summary>
    public StoredSpec Spec(ParseResult result, Func<Stream> stdin)
    {
        var args = Args(result);
        var file = args.Count > 1 ? args[1] : null;
        var driver = result.Value(_driver) is { Length: > 0 } d ? d : null;
        byte[]? data = null;
        if (driver is not null)
        {
            if (file is not null) throw new UsageException("when using secret driver secret data must be empty");
        }
        else
        {
            data = StoredObjects.ReadData(file ?? throw new UsageException("secret file is required"), stdin, StoredKind.Secret.MaxBytes);
        }
        return new StoredSpec
        {
            Name = args[0],
            Labels = result.KeyValues(_label) ?? [],
            Data = data,
            Driver = driver is null ? null : new StoredDriver(driver),
            Templating = result.Value(_templateDriver) is { Length: > 0 } template ? new StoredDriver(template) : null,
        };
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        context.Out.WriteLine(await StoredObjects.CreateAsync(context, StoredKind.Secret, Spec(result, context.OpenInput)));
        return 0;
    }
}
