using System.CommandLine;
using EventSwarm.Node.Api.Stacks;
using EventSwarm.Node.Cli.Services;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack rollback [--to-version N] STACK</c>, beyond docker: the manager deploys again the stack as an earlier
/// deploy left it (the one before the last, or version N of `stack history`), in one request as a deploy, each
/// changed service rolled by its update config; what changed is printed with `stack deploy`'s lines.
/// </summary>
public sealed class StackRollbackCommand : Verb
{
    private readonly Option<bool> _detach = Flags.Bool("--detach", "Exit immediately instead of waiting for the stack services to converge (default true)", "-d");
    private readonly Option<bool> _quiet = Flags.Bool("--quiet", "Suppress progress output", "-q");
    private readonly Option<string> _timeout = Flags.String("--timeout", "How long to wait for each service to converge with --detach=false (ns|us|ms|s|m|h) (default 5m0s)", "duration");
    private readonly Option<string> _toVersion = Flags.String("--to-version", "Roll back to this version of the stack (see 'eventswarm stack history')", "uint");

    public StackRollbackCommand() : base("rollback", "[OPTIONS] STACK", "Revert a stack to an earlier deploy")
    {
        MinArgs = 1;
        MaxArgs = 1;
        _detach.DefaultValueFactory = _ => true;
        foreach (var flag in new Option[] { _detach, _quiet, _timeout, _toVersion }) Options.Add(flag);
    }

    /// <summary>The route and query of the request: <c>?to-version=N</c> only when asked.</summary>
    public string Path(ParseResult result, string stack) =>
        StackVerbs.Route(stack, "rollback") + (result.UInt(_toVersion) is { } version ? $"?to-version={version}" : "");

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var stack = StackVerbs.Validate(Args(result)[0]);
        var path = Path(result, stack);
        var timeout = ServiceFlags.WaitFor(result, _timeout);
        var answer = StackVerbs.Read<StackDeployResultJson>(await context.SendAsync(HttpMethod.Post, path));
        StackVerbs.WriteDeploy(answer, context.Out);
        return result.Has(_detach) ? 0 : await StackVerbs.WaitAsync(context, answer, result.Has(_quiet), timeout);
    }
}
