using System.CommandLine;

namespace EventSwarm.Node.Cli.Secrets;

/// <summary><c>secret rm SECRET [SECRET...]</c>: each removed is printed, each refusal (in use, unknown) reported, exit 1 if any.</summary>
public sealed class SecretRmCommand : Verb
{
    public SecretRmCommand() : base("rm", "SECRET [SECRET...]", "Remove one or more secrets", "remove") => (MinArgs, MaxArgs) = (1, null);

    public override Task<int> RunAsync(ParseResult result, CliContext context) => StoredObjects.RemoveAsync(context, StoredKind.Secret, Args(result));
}
