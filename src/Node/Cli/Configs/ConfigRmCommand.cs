using System.CommandLine;
using EventSwarm.Node.Cli.Secrets;

namespace EventSwarm.Node.Cli.Configs;

/// <summary><c>config rm CONFIG [CONFIG...]</c>: each removed is printed, each refusal reported, exit 1 if any.</summary>
public sealed class ConfigRmCommand : Verb
{
    public ConfigRmCommand() : base("rm", "CONFIG [CONFIG...]", "Remove one or more configs", "remove") => (MinArgs, MaxArgs) = (1, null);

    public override Task<int> RunAsync(ParseResult result, CliContext context) => StoredObjects.RemoveAsync(context, StoredKind.Config, Args(result));
}
