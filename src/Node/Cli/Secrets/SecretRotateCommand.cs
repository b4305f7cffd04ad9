using System.CommandLine;

namespace EventSwarm.Node.Cli.Secrets;

/// <summary>
/// EventSwarm's own <c>secret rotate SECRET file|-</c> (docker has none: there one creates a new secret and swaps it
/// into every service by hand): the new data becomes the secret's next version, and the services using it move
/// to it task by task. <c>POST /eventswarm/v1/secrets/{name}/rotate</c>.
/// </summary>
public sealed class SecretRotateCommand : Verb
{
    public SecretRotateCommand() : base("rotate", "SECRET file|-", "Replace a secret's content with a new version, rolled out to the services using it")
        => (MinArgs, MaxArgs) = (2, 2);

    /// <summary>The secret named and the new data, as sent.</summary>
    public (string Name, byte[] Data) Request(ParseResult result, Func<Stream> stdin) =>
        (Args(result)[0], StoredObjects.ReadData(Args(result)[1], stdin, StoredKind.Secret.MaxBytes));

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var (name, data) = Request(result, context.OpenInput);
        return await StoredObjects.RotateAsync(context, StoredKind.Secret, name, data);
    }
}
