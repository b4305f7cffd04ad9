using System.CommandLine;
using EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.Node.Cli.Configs;

/// <summary>
/// EventSwarm's own <c>config rotate CONFIG file|-</c>, as <c>secret rotate</c>: the next version of the config's data,
/// rolled out to the services using it. <c>POST /eventswarm/v1/configs/{name}/rotate</c>.
/// </summary>
public sealed class ConfigRotateCommand : Verb
{
    public ConfigRotateCommand() : base("rotate", "CONFIG file|-", "Replace a config's content with a new version, rolled out to the services using it")
        => (MinArgs, MaxArgs) = (2, 2);

    /// <summary>The config named and the new data, as sent.</summary>
    public (string Name, byte[] Data) Request(ParseResult result, Func<Stream> stdin) =>
        (Args(result)[0], ConfigCreateCommand.ReadData(Args(result)[1], stdin));

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var (name, data) = Request(result, context.OpenInput);
        return await StoredObjects.RotateAsync(context, StoredKind.Config, name, data);
    }
}
